import "server-only";
import { recordAudit, type AuditActor } from "@/lib/audit/audit";
import { describeCertificate, generateCertificateCredential } from "@/lib/crypto/certificates";
import { sealContext, type KeyRing } from "@/lib/crypto/seal";
import type { DbClient } from "@/lib/db/types";
import type { ClientCredential } from "@/lib/entra/msal-client";
import type { DraftCertificateView } from "@/lib/wizard/drafts";

/**
 * A certificate the console generates for the mailbox sign-in app. It waits in a one-row draft, its
 * private key sealed to that row, while the admin uploads the public part in Entra; saving the
 * settings proves it with a token and moves it onto the app, where the renewal job keeps it fresh.
 */

export const MAILBOX_CERTIFICATE_COMMON_NAME = "Calsync Console: mailbox sign-in";

const draftKeyContext = () => sealContext("delegated_app_certificate_drafts", "key_sealed", 1);

export type MailboxCertificateDraftView = DraftCertificateView & { validityMonths: number };

export type MailboxCertificateDraft = {
  credential: Extract<ClientCredential, { kind: "certificate" }>;
  expiresAt: Date;
  validityMonths: number;
};

/** `privateKeyPem` skips key generation; only tests pass one. */
export async function generateMailboxAppCertificate(
  db: DbClient,
  ring: KeyRing,
  input: { validityMonths: number },
  context: { actor: AuditActor & object; ip?: string | null },
  options: { privateKeyPem?: string } = {},
): Promise<MailboxCertificateDraftView> {
  const generated = await generateCertificateCredential({ commonName: MAILBOX_CERTIFICATE_COMMON_NAME, validityMonths: input.validityMonths, ...options });
  const data = { keySealed: ring.seal(generated.privateKeyPem, draftKeyContext()), certificatePem: generated.certificatePem, validityMonths: input.validityMonths, createdById: context.actor.id, createdAt: new Date() };
  await db.delegatedAppCertificateDraft.upsert({ where: { id: 1 }, create: { id: 1, ...data }, update: data, select: { id: true } });
  await recordAudit(db, {
    actor: context.actor,
    action: "delegated-app.generate-certificate",
    target: { type: "delegated-app", id: "1", label: "mailbox sign-in app" },
    summary: `Generated a certificate for the mailbox sign-in app, valid ${input.validityMonths} months: ${generated.thumbprintSha256} (SHA-256); it is used once the settings are saved`,
    ip: context.ip,
  });
  return { ...describeCertificate(generated.certificatePem), generated: true, validityMonths: input.validityMonths };
}

/** The waiting certificate's public facts, or null when none waits. */
export async function getMailboxCertificateDraftView(db: DbClient): Promise<MailboxCertificateDraftView | null> {
  const row = await db.delegatedAppCertificateDraft.findUnique({ where: { id: 1 }, select: { certificatePem: true, validityMonths: true } });
  return row ? { ...describeCertificate(row.certificatePem), generated: true, validityMonths: row.validityMonths } : null;
}

/** The waiting certificate's public part, for download. */
export async function mailboxCertificateDraftPem(db: DbClient): Promise<string | null> {
  const row = await db.delegatedAppCertificateDraft.findUnique({ where: { id: 1 }, select: { certificatePem: true } });
  return row?.certificatePem ?? null;
}

/** The waiting certificate with its key opened, for the verification before a save. */
export async function openMailboxCertificateDraft(db: DbClient, ring: KeyRing): Promise<MailboxCertificateDraft | null> {
  const row = await db.delegatedAppCertificateDraft.findUnique({ where: { id: 1 }, select: { keySealed: true, certificatePem: true, validityMonths: true } });
  if (!row) return null;
  const described = describeCertificate(row.certificatePem);
  return {
    credential: { kind: "certificate", privateKeyPem: ring.open(row.keySealed, draftKeyContext()), certificatePem: row.certificatePem, thumbprintSha256: described.thumbprintSha256 },
    expiresAt: described.expiresAt,
    validityMonths: row.validityMonths,
  };
}

/** Once saved onto the app, the draft's key has moved there. */
export async function discardMailboxCertificateDraft(db: DbClient, thumbprintSha256: string): Promise<void> {
  const row = await db.delegatedAppCertificateDraft.findUnique({ where: { id: 1 }, select: { certificatePem: true } });
  if (row && describeCertificate(row.certificatePem).thumbprintSha256 === thumbprintSha256) await db.delegatedAppCertificateDraft.deleteMany({ where: { id: 1 } });
}

export const MAILBOX_CERTIFICATE_HISTORY_ACTIONS = ["delegated-app.generate-certificate", "delegated-app.renew-certificate", "delegated-app.renewal-blocked"] as const;

/** The certificate's history for the settings page: generated, renewed, or renewal blocked; newest first. */
export async function listMailboxCertificateHistory(db: DbClient, limit = 10): Promise<{ id: string; occurredAt: Date; action: string; summary: string }[]> {
  const rows = await db.auditEvent.findMany({
    where: { action: { in: [...MAILBOX_CERTIFICATE_HISTORY_ACTIONS] } },
    orderBy: { id: "desc" },
    take: limit,
    select: { id: true, occurredAt: true, action: true, summary: true },
  });
  return rows.map((row) => ({ ...row, id: row.id.toString() }));
}
