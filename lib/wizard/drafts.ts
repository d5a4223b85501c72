import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { checkReportSchema, type CheckInput, type CheckReport } from "@/lib/checks/schema";
import { Prisma } from "@/lib/db/generated/client";
import { secretHint } from "@/lib/connections/state";
import type { KeyRing } from "@/lib/crypto/seal";
import { sealContext } from "@/lib/crypto/seal";
import { describeCertificate } from "@/lib/crypto/certificates";
import type { CloudId } from "@/lib/entra/clouds";
import type { AppPrismaClient, DbClient } from "@/lib/db/types";
import { isGuid } from "@/lib/checks/format";
import { draftFieldsSchema, type DraftFields } from "@/lib/wizard/draft-fields";
import { currentStepId, type WizardStepId } from "@/lib/wizard/steps";

/**
 * The wizard's server-side draft: one per administrator. The secret typed into a draft is sealed and
 * bound to the draft row; everything else is plain JSON.
 */

export type AdminConsentOutcome = { outcome: "granted" | "denied" | "error"; message: string; at: string };

export type DraftView = {
  id: string;
  cloud: CloudId;
  currentStep: WizardStepId;
  completedSteps: WizardStepId[];
  fields: DraftFields;
  secretHint: string | null;
  credentialKind: "secret" | "certificate";
  /** The draft's certificate, public facts only (the key stays sealed); null when there is none. */
  certificate: DraftCertificateView | null;
  consentOutcome: AdminConsentOutcome | null;
  lastReport: CheckReport | null;
  /** True when the last report verified exactly the current inputs. */
  reportIsCurrent: boolean;
  updatedAt: Date;
};

export type DraftCertificateView = Omit<ReturnType<typeof describeCertificate>, "subject"> & { subject: string; generated: boolean };

const draftSelect = {
  id: true,
  cloud: true,
  currentStep: true,
  completedSteps: true,
  fields: true,
  secretHint: true,
  credentialKind: true,
  certificatePem: true,
  certificateGenerated: true,
  consentOutcome: true,
  lastReport: true,
  verifiedHash: true,
  updatedAt: true,
} as const;

function draftContext(draftId: string): string {
  return sealContext("wizard_drafts", "client_secret_sealed", draftId);
}

function draftCertificateContext(draftId: string): string {
  return sealContext("wizard_drafts", "certificate_key_sealed", draftId);
}

/** The sealed value a verification depends on: the secret, or the certificate's key, whichever the draft uses. */
function sealedCredential(row: { credentialKind: string; clientSecretSealed: string | null; certificateKeySealed: string | null }): string | null {
  return row.credentialKind === "certificate" ? row.certificateKeySealed : row.clientSecretSealed;
}

/**
 * Fingerprint of everything a verification depends on. It uses the sealed secret (a fresh ciphertext
 * every time the secret is typed) rather than the secret itself, so no hash of a secret is stored.
 */
export function inputsFingerprint(cloud: string, fields: DraftFields, sealedSecret: string | null): string {
  const relevant = {
    cloud,
    tenant: fields.tenant ?? "",
    clientId: fields.clientId ?? "",
    scope: fields.mailboxScopeKind ?? "all",
    mailboxes: fields.mailboxes ?? [],
    testMailbox: fields.testMailbox ?? "",
    outOfScopeMailbox: fields.outOfScopeMailbox ?? "",
    writeTest: fields.writeTest ?? false,
    scopeMode: fields.scopeMode ?? "all",
    sealedSecret: sealedSecret ?? "",
  };
  return createHash("sha256").update(JSON.stringify(relevant)).digest("hex");
}

type DraftRow = {
  id: string;
  cloud: string;
  currentStep: string;
  completedSteps: unknown;
  fields: unknown;
  secretHint: string | null;
  credentialKind: string;
  certificatePem: string | null;
  certificateGenerated: boolean;
  consentOutcome: unknown;
  lastReport: unknown;
  verifiedHash: string | null;
  updatedAt: Date;
};

/** Drafts saved before steps were merged name the old steps; they count for the step that replaced them. */
function completedStepIds(value: unknown): WizardStepId[] {
  if (!Array.isArray(value)) return [];
  const steps = value.map(currentStepId).filter((step): step is WizardStepId => step !== undefined);
  return [...new Set(steps)];
}

function toView(row: DraftRow, sealedSecret: string | null): DraftView {
  const fields = draftFieldsSchema.catch({}).parse(row.fields);
  const report = row.lastReport ? checkReportSchema.safeParse(row.lastReport) : null;
  return {
    id: row.id,
    cloud: row.cloud as CloudId,
    currentStep: currentStepId(row.currentStep) ?? "register-app",
    completedSteps: completedStepIds(row.completedSteps),
    fields,
    secretHint: row.secretHint,
    credentialKind: row.credentialKind === "certificate" ? "certificate" : "secret",
    certificate: row.certificatePem ? { ...describeCertificate(row.certificatePem), generated: row.certificateGenerated } : null,
    consentOutcome: (row.consentOutcome as AdminConsentOutcome | null) ?? null,
    lastReport: report?.success ? report.data : null,
    reportIsCurrent: row.verifiedHash !== null && row.verifiedHash === inputsFingerprint(row.cloud, fields, sealedSecret),
    updatedAt: row.updatedAt,
  };
}

export async function getDraft(db: DbClient, userId: string): Promise<DraftView | null> {
  const row = await db.wizardDraft.findUnique({ where: { userId }, select: { ...draftSelect, clientSecretSealed: true, certificateKeySealed: true } });
  return row ? toView(row, sealedCredential(row)) : null;
}

/** The draft's certificate (public part) for download; null when the draft has none. */
export async function draftCertificatePem(db: DbClient, userId: string): Promise<string | null> {
  const row = await db.wizardDraft.findUnique({ where: { userId }, select: { certificatePem: true } });
  return row?.certificatePem ?? null;
}

export async function startDraft(db: DbClient, userId: string, cloud: CloudId): Promise<DraftView> {
  const data = {
    cloud,
    currentStep: "register-app",
    completedSteps: [],
    fields: {},
    clientSecretSealed: null,
    secretHint: null,
    credentialKind: "secret",
    certificateKeySealed: null,
    certificatePem: null,
    certificateGenerated: false,
    consentState: null,
    consentOutcome: Prisma.DbNull,
    lastReport: Prisma.DbNull,
    verifiedHash: null,
  };
  const row = await db.wizardDraft.upsert({
    where: { userId },
    create: { id: randomUUID(), userId, ...data },
    update: { ...data, version: { increment: 1 } },
    select: draftSelect,
  });
  return toView(row, null);
}

export async function discardDraft(db: DbClient, userId: string): Promise<void> {
  await db.wizardDraft.deleteMany({ where: { userId } });
}

/**
 * Records a step's answers and where the admin is, which is where a reload or another browser resumes:
 * `done` marks the step complete and moves the draft on to `nextStep`; otherwise it stays at this step.
 */
export async function saveDraftStep(
  db: AppPrismaClient,
  ring: KeyRing,
  input: {
    userId: string;
    step: WizardStepId;
    done: boolean;
    nextStep: WizardStepId;
    fields?: DraftFields;
    clientSecret?: string;
    /** Which credential the draft now uses; a new certificate also switches to it. */
    credentialKind?: "secret" | "certificate";
    certificate?: { privateKeyPem: string; certificatePem: string; generated: boolean };
    /** Steps done elsewhere in the same go (the setup script does five of them). */
    alsoCompleted?: readonly WizardStepId[];
  },
): Promise<DraftView> {
  return db.$transaction(async (tx) => {
    const row = await tx.wizardDraft.findUnique({ where: { userId: input.userId }, select: { ...draftSelect, clientSecretSealed: true, certificateKeySealed: true } });
    if (!row) throw new Error("no draft");
    const current = toView(row, sealedCredential(row));
    const completed = new Set(current.completedSteps);
    if (input.done) completed.add(input.step);
    else completed.delete(input.step);
    for (const step of input.alsoCompleted ?? []) completed.add(step);
    const fields = { ...current.fields, ...(input.fields ?? {}) };
    // A new certificate gets its own Certificate ID in Entra; the old one would make the first renewal remove the wrong key.
    if (input.certificate && !input.fields?.certificateKeyId) delete fields.certificateKeyId;
    const sealed = input.clientSecret !== undefined ? ring.seal(input.clientSecret, draftContext(row.id)) : undefined;
    const updated = await tx.wizardDraft.update({
      where: { id: row.id },
      data: {
        fields,
        completedSteps: [...completed],
        currentStep: input.done ? input.nextStep : input.step,
        ...(sealed !== undefined ? { clientSecretSealed: sealed, secretHint: secretHint(input.clientSecret!), credentialKind: "secret" } : {}),
        ...(input.credentialKind ? { credentialKind: input.credentialKind } : {}),
        ...(input.certificate
          ? {
              credentialKind: "certificate",
              certificateKeySealed: ring.seal(input.certificate.privateKeyPem, draftCertificateContext(row.id)),
              certificatePem: input.certificate.certificatePem,
              certificateGenerated: input.certificate.generated,
            }
          : {}),
        version: { increment: 1 },
      },
      select: { ...draftSelect, clientSecretSealed: true, certificateKeySealed: true },
    });
    return toView(updated, sealedCredential(updated));
  });
}

/** The inputs for a verification, with the secret opened; only the verify handler calls this. */
export async function draftCheckInput(
  db: DbClient,
  ring: KeyRing,
  userId: string,
): Promise<{ draftId: string; input: CheckInput; fingerprint: string } | null> {
  const row = await db.wizardDraft.findUnique({
    where: { userId },
    select: { id: true, cloud: true, fields: true, clientSecretSealed: true, credentialKind: true, certificateKeySealed: true, certificatePem: true, consentOutcome: true },
  });
  if (!row) return null;
  const consentGrantedAt = consentGrantedAtOf(row.consentOutcome);
  const fields = draftFieldsSchema.catch({}).parse(row.fields);
  const certificate = openDraftCertificate(ring, row);
  const clientSecret = !certificate && row.clientSecretSealed ? ring.open(row.clientSecretSealed, draftContext(row.id)) : "";
  return {
    draftId: row.id,
    fingerprint: inputsFingerprint(row.cloud, fields, sealedCredential(row)),
    input: {
      cloud: row.cloud as CloudId,
      tenant: fields.tenant ?? "",
      clientId: fields.clientId ?? "",
      clientSecret,
      ...(certificate ? { certificate: { privateKeyPem: certificate.privateKeyPem, certificatePem: certificate.certificatePem, thumbprintSha256: certificate.thumbprintSha256 } } : {}),
      mailboxScope: fields.mailboxScopeKind === "list" ? { kind: "list", mailboxes: fields.mailboxes ?? [] } : { kind: "all" },
      testMailbox: fields.testMailbox || undefined,
      outOfScopeMailbox: fields.outOfScopeMailbox || undefined,
      writeTest: fields.writeTest ?? false,
      scopeMode: fields.scopeMode ?? "all",
      ...(fields.scopeChangedAt ? { scopeChangedAt: fields.scopeChangedAt } : {}),
      ...(consentGrantedAt ? { consentGrantedAt: consentGrantedAt.toISOString() } : {}),
    },
  };
}

/** When admin consent was granted through the console's link (the draft's recorded answer), if it was. */
export function consentGrantedAtOf(outcome: unknown): Date | undefined {
  const value = outcome as Partial<AdminConsentOutcome> | null;
  if (value?.outcome !== "granted" || typeof value.at !== "string") return undefined;
  const at = new Date(value.at);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

export async function recordDraftReport(db: DbClient, draftId: string, report: CheckReport, fingerprint: string): Promise<void> {
  await db.wizardDraft.updateMany({ where: { id: draftId }, data: { lastReport: report, verifiedHash: fingerprint } });
}

export async function beginAdminConsent(db: DbClient, userId: string, state: string): Promise<void> {
  await db.wizardDraft.updateMany({ where: { userId }, data: { consentState: state } });
}

/**
 * Consumes the pending consent `state`: a callback can be recorded once, and only for the draft that
 * started it. A grant also completes the consent step, since Microsoft has just confirmed it.
 */
export async function completeAdminConsent(db: AppPrismaClient, userId: string, state: string, outcome: AdminConsentOutcome): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const row = await tx.wizardDraft.findFirst({ where: { userId, consentState: state }, select: { id: true, completedSteps: true } });
    if (!row) return false;
    const completed = new Set(completedStepIds(row.completedSteps));
    if (outcome.outcome === "granted") completed.add("admin-consent");
    const { count } = await tx.wizardDraft.updateMany({
      where: { id: row.id, consentState: state },
      data: { consentState: null, consentOutcome: outcome, completedSteps: [...completed], version: { increment: 1 } },
    });
    return count === 1;
  });
}

export async function pendingConsentState(db: DbClient, userId: string): Promise<string | null> {
  const row = await db.wizardDraft.findUnique({ where: { userId }, select: { consentState: true } });
  return row?.consentState ?? null;
}

/** The draft's certificate with its key opened, when the draft signs in with one; for verifying and saving only. */
export function openDraftCertificate(
  ring: KeyRing,
  row: { id: string; credentialKind: string; certificateKeySealed: string | null; certificatePem: string | null },
): { privateKeyPem: string; certificatePem: string; thumbprintSha256: string; expiresAt: Date } | null {
  if (row.credentialKind !== "certificate" || !row.certificateKeySealed || !row.certificatePem) return null;
  const described = describeCertificate(row.certificatePem);
  return {
    privateKeyPem: ring.open(row.certificateKeySealed, draftCertificateContext(row.id)),
    certificatePem: row.certificatePem,
    thumbprintSha256: described.thumbprintSha256,
    expiresAt: described.expiresAt,
  };
}

export { sealedCredential as draftSealedCredential };

/** Opens the draft's secret to move it into a connection; used only by the save path. */
export function openDraftSecret(ring: KeyRing, draftId: string, sealed: string): string {
  return ring.open(sealed, draftContext(draftId));
}

/**
 * The admin ran the scope assistant's script before saving: the draft's connection is now scoped by
 * RBAC for Applications, changed at `at`. False when there is no draft to record it on.
 */
export async function recordDraftScopeChange(db: AppPrismaClient, userId: string, at: Date): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const row = await tx.wizardDraft.findUnique({ where: { userId }, select: { id: true, fields: true } });
    if (!row) return false;
    const fields: DraftFields = { ...draftFieldsSchema.catch({}).parse(row.fields), scopeMode: "rbac", scopeChangedAt: at.toISOString() };
    await tx.wizardDraft.update({ where: { id: row.id }, data: { fields, version: { increment: 1 } }, select: { id: true } });
    return true;
  });
}

/**
 * Admin consent granted through a hand-off link made for this draft (another administrator opened
 * it): recorded like the console's own consent link, if the draft is still for the same app and
 * tenant and `claimLink` says the link is used for the first time. The draft's user when recorded;
 * undefined when it is not, or the draft is gone (a link made for a discarded draft never completes
 * a later one).
 */
export async function recordDraftHandOffConsent(
  tx: DbClient,
  input: { draftId: string; clientId: string; tenantId: string; at: Date },
  claimLink: () => Promise<boolean>,
): Promise<string | undefined> {
  const row = await tx.wizardDraft.findUnique({ where: { id: input.draftId }, select: { id: true, userId: true, fields: true, completedSteps: true } });
  if (!row) return undefined;
  const fields = draftFieldsSchema.catch({}).parse(row.fields);
  if ((fields.clientId ?? "").trim().toLowerCase() !== input.clientId.toLowerCase()) return undefined;
  const typed = (fields.tenant ?? "").trim().toLowerCase();
  // A typed domain cannot be compared with the tenant ID Microsoft returns; the client ID still ties it to this app.
  if (isGuid(typed) && typed !== input.tenantId.toLowerCase()) return undefined;
  if (!(await claimLink())) return undefined;
  const completed = new Set(completedStepIds(row.completedSteps));
  completed.add("admin-consent");
  const outcome: AdminConsentOutcome = {
    outcome: "granted",
    message: `Admin consent was granted for tenant ${input.tenantId} through the link you sent. This step is done.`,
    at: input.at.toISOString(),
  };
  await tx.wizardDraft.update({ where: { id: row.id }, data: { consentOutcome: outcome, completedSteps: [...completed], version: { increment: 1 } }, select: { id: true } });
  return row.userId;
}
