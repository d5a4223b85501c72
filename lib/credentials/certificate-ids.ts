import "server-only";
import { recordAudit, type AuditActor } from "@/lib/audit/audit";
import { isGuid } from "@/lib/checks/format";
import { STALE_VERSION_MESSAGE } from "@/lib/connections/connections";
import { forgetConnectionRead } from "@/lib/connections/read-cache";
import type { AppPrismaClient } from "@/lib/db/types";
import { UserFacingError } from "@/lib/errors";
import { applicationObjectIdProblem } from "@/lib/wizard/step-forms";

/**
 * The two ids renewal needs, added or corrected after the connection was saved: the app's Object ID
 * (what addKey and removeKey address) and the current certificate's Certificate ID (what removeKey
 * takes out). With both, the next renewal removes the old certificate itself instead of asking the
 * admin to delete it in Entra. An empty field means "not known".
 */

export type CertificateIds = { applicationObjectId: string; certificateKeyId: string };

/** Field errors for the two ids, or none. `ids` are the connection's tenant and client ID, which admins paste by mistake. */
export function certificateIdProblems(values: CertificateIds, ids: { tenant: string; clientId: string }): Record<string, string> {
  const errors: Record<string, string> = {};
  const objectIdProblem = applicationObjectIdProblem(values.applicationObjectId, ids);
  if (objectIdProblem) errors.applicationObjectId = objectIdProblem;
  const keyId = values.certificateKeyId;
  if (keyId && !isGuid(keyId)) errors.certificateKeyId = "The Certificate ID is a GUID shown beside the thumbprint in Entra";
  else if (keyId && keyId === ids.clientId.toLowerCase()) errors.certificateKeyId = "That is the Application (client) ID. The Certificate ID is shown beside the certificate's thumbprint in Entra";
  else if (keyId && keyId === ids.tenant.toLowerCase()) errors.certificateKeyId = "That is the Directory (tenant) ID. The Certificate ID is shown beside the certificate's thumbprint in Entra";
  else if (keyId && keyId === values.applicationObjectId) errors.certificateKeyId = "That is the Object ID. The Certificate ID is shown beside the certificate's thumbprint in Entra";
  return errors;
}

export async function updateCertificateIds(
  db: AppPrismaClient,
  id: string,
  expectedVersion: number,
  input: CertificateIds,
  context: { actor: AuditActor & object; ip?: string | null },
): Promise<{ changed: boolean }> {
  const values = { applicationObjectId: input.applicationObjectId.trim().toLowerCase(), certificateKeyId: input.certificateKeyId.trim().toLowerCase() };
  return db.$transaction(async (tx) => {
    const row = await tx.connection.findUnique({
      where: { id },
      select: { name: true, kind: true, tenantId: true, clientId: true, credentialKind: true, applicationObjectId: true, certificateKeyId: true, renewalStep: true },
    });
    if (!row || row.kind !== "organization") throw new UserFacingError("This connection no longer exists.");
    if (row.credentialKind !== "certificate") throw new UserFacingError("This connection signs in with a client secret; the ids belong to a certificate.");
    if (row.renewalStep) throw new UserFacingError("Calsync is renewing this certificate right now. Try again in a few minutes, once the renewal shows on the timeline.");
    const errors = certificateIdProblems(values, { tenant: row.tenantId, clientId: row.clientId });
    if (Object.keys(errors).length) throw new UserFacingError("Check the highlighted fields.", errors);
    const next = { applicationObjectId: values.applicationObjectId || null, certificateKeyId: values.certificateKeyId || null };
    if (next.applicationObjectId === row.applicationObjectId && next.certificateKeyId === row.certificateKeyId) return { changed: false };
    forgetConnectionRead(id);
    const { count } = await tx.connection.updateMany({ where: { id, version: expectedVersion, credentialKind: "certificate", renewalStep: null }, data: { ...next, version: { increment: 1 } } });
    if (count === 0) throw new UserFacingError(STALE_VERSION_MESSAGE);
    const described = (label: string, before: string | null, after: string | null) => (before === after ? null : `${label} ${before ?? "unknown"} → ${after ?? "unknown"}`);
    const changes = [described("Object ID", row.applicationObjectId, next.applicationObjectId), described("Certificate ID", row.certificateKeyId, next.certificateKeyId)].filter(Boolean);
    await recordAudit(tx, {
      actor: context.actor,
      action: "connection.certificate-ids",
      target: { type: "connection", id, label: row.name },
      summary: `Changed the certificate ids of “${row.name}” for renewal: ${changes.join("; ")}`,
      ip: context.ip,
    });
    return { changed: true };
  });
}
