import "server-only";
import { recordAudit, type AuditActor } from "@/lib/audit/audit";
import type { CheckInput, CheckReport } from "@/lib/checks/schema";
import { certificateKeyContext, pendingCertificateKeyContext, connectionCheckInput, getConnection, STALE_VERSION_MESSAGE } from "@/lib/connections/connections";
import { forgetConnectionRead } from "@/lib/connections/read-cache";
import { certificateValidity } from "@/lib/credentials/certificate-validity";
import { describeCertificate, generateCertificateCredential } from "@/lib/crypto/certificates";
import type { KeyRing } from "@/lib/crypto/seal";
import type { AppPrismaClient, DbClient } from "@/lib/db/types";
import { UserFacingError } from "@/lib/errors";
import { recordCheckRun } from "@/lib/monitoring/check-runs";

/**
 * Moving a connection off its client secret: the console makes a certificate and keeps it pending
 * (sealed) while the admin uploads it in Entra; "Verify and switch" proves it with Microsoft, then
 * swaps the credential in one update. Until then the secret stays in use, so the connection never
 * stops working; afterwards the admin deletes the old secret in Entra.
 */

export type PendingCertificateView = ReturnType<typeof describeCertificate>;

export async function pendingCertificate(db: DbClient, id: string): Promise<{ certificatePem: string; view: PendingCertificateView } | null> {
  const row = await db.connection.findUnique({ where: { id }, select: { pendingCertificatePem: true, credentialKind: true } });
  if (!row?.pendingCertificatePem || row.credentialKind !== "secret") return null;
  return { certificatePem: row.pendingCertificatePem, view: describeCertificate(row.pendingCertificatePem) };
}

export async function startCertificateSwitch(
  db: DbClient,
  ring: KeyRing,
  id: string,
  options: { validityMonths: number; privateKeyPem?: string },
): Promise<PendingCertificateView> {
  const connection = await getConnection(db, id);
  if (!connection || connection.kind !== "organization") throw new UserFacingError("This connection no longer exists.");
  if (connection.credentialKind !== "secret") throw new UserFacingError("This connection already signs in with a certificate.");
  const policy = await db.connection.findUnique({ where: { id }, select: { certificatePolicyMaxDays: true } });
  const validity = certificateValidity(options.validityMonths, policy?.certificatePolicyMaxDays);
  const credential = await generateCertificateCredential({
    commonName: `Calsync Console: ${connection.name}`,
    ...validity,
    ...(options.privateKeyPem ? { privateKeyPem: options.privateKeyPem } : {}),
  });
  await db.connection.updateMany({
    where: { id, credentialKind: "secret" },
    data: {
      pendingCertificateKeySealed: ring.seal(credential.privateKeyPem, pendingCertificateKeyContext(id)),
      pendingCertificatePem: credential.certificatePem,
      pendingCertificateKeyId: null,
      // Renewals make the next certificates for as long as the admin chose this one.
      certificateValidityMonths: validity.validityMonths,
    },
  });
  return describeCertificate(credential.certificatePem);
}

/**
 * Verifies with the pending certificate and, only when every check passes, switches to it. `verify`
 * is the validation (tests pass a runner bound to the simulator).
 */
export async function completeCertificateSwitch(
  db: AppPrismaClient,
  ring: KeyRing,
  id: string,
  expectedVersion: number,
  ids: { applicationObjectId: string | null; keyId: string | null },
  verify: (input: CheckInput) => Promise<CheckReport>,
  context: { actor: AuditActor & object; ip?: string | null },
): Promise<CheckReport> {
  const row = await db.connection.findUnique({
    where: { id },
    select: { pendingCertificateKeySealed: true, pendingCertificatePem: true, pendingCertificateKeyId: true, applicationObjectId: true, credentialKind: true },
  });
  if (!row) throw new UserFacingError("This connection no longer exists.");
  if (row.credentialKind !== "secret" || !row.pendingCertificateKeySealed || !row.pendingCertificatePem) {
    throw new UserFacingError("Generate the certificate first, then upload it in Entra.");
  }
  const described = describeCertificate(row.pendingCertificatePem);
  const privateKeyPem = ring.open(row.pendingCertificateKeySealed, pendingCertificateKeyContext(id));
  const input = await connectionCheckInput(db, ring, id, { certificate: { privateKeyPem, certificatePem: row.pendingCertificatePem, thumbprintSha256: described.thumbprintSha256 }, writeTest: false });
  if (!input) throw new UserFacingError("This connection no longer exists.");
  const report = await verify(input);
  if (!report.ok) {
    const failures = report.checks.filter((check) => check.status === "fail").map((check) => `${check.title}: ${check.detail}`);
    throw new UserFacingError(`Not switched: the verification with the certificate failed, so the client secret stays in use. ${failures.join(" ")}`);
  }
  await db.$transaction(async (tx) => {
    const current = await getConnection(tx, id);
    if (!current) throw new UserFacingError("This connection no longer exists.");
    forgetConnectionRead(id);
    const { count } = await tx.connection.updateMany({
      where: { id, version: expectedVersion, credentialKind: "secret" },
      data: {
        credentialKind: "certificate",
        certificateKeySealed: ring.seal(privateKeyPem, certificateKeyContext(id)),
        certificatePem: row.pendingCertificatePem,
        certificateThumbprint: described.thumbprintSha256,
        certificateExpiresAt: described.expiresAt,
        certificateGenerated: true,
        // What the admin typed wins; otherwise what "upload it for me" recorded.
        applicationObjectId: ids.applicationObjectId ?? row.applicationObjectId,
        certificateKeyId: ids.keyId ?? row.pendingCertificateKeyId,
        pendingCertificateKeySealed: null,
        pendingCertificatePem: null,
        pendingCertificateKeyId: null,
        clientSecretSealed: null,
        secretHint: null,
        secretExpiresAt: null,
        version: { increment: 1 },
      },
    });
    if (count === 0) throw new UserFacingError(STALE_VERSION_MESSAGE);
    await recordCheckRun(tx, { connectionId: id, report, trigger: "rotation", previousState: current.state });
    await recordAudit(tx, {
      actor: context.actor,
      action: "connection.switch-to-certificate",
      target: { type: "connection", id, label: current.name },
      summary: `Switched “${current.name}” from the client secret ending in …${current.secretHint ?? "?"} to certificate ${described.thumbprintSha256} (SHA-256) after it verified; the old secret is to be deleted in Entra`,
      ip: context.ip,
    });
  });
  return report;
}
