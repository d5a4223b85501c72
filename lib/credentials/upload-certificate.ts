import "server-only";
import { recordAudit, type AuditActor } from "@/lib/audit/audit";
import { randomUUID } from "node:crypto";
import { certificateLifetimeLimitDays, type AppManagementPolicyView } from "@/lib/credentials/certificate-validity";
import { certificateDer, describeCertificate } from "@/lib/crypto/certificates";
import type { DbClient } from "@/lib/db/types";
import type { Cloud } from "@/lib/entra/clouds";
import { UserFacingError } from "@/lib/errors";
import { createAdminGraph, type AdminGraphFailure } from "@/lib/provisioning/admin-graph";
import { inspectSetupToken } from "@/lib/provisioning/setup-token";

/**
 * "Upload it for me" while switching a connection to a certificate: with an administrator's Graph
 * token, pasted as for the one-click registration, the console adds the pending certificate to the
 * app itself (`PATCH /applications/{id}` with the app's `keyCredentials` plus the new one, which needs
 * Application.ReadWrite.All; addKey cannot, since an app without a certificate has nothing to prove
 * possession with). The token lives only in this request's memory: it is never stored, logged or
 * returned. The new key's id is chosen here and kept with the pending certificate, so the switch and
 * later renewals know it.
 */

export const UPLOAD_TOKEN_FIELD = "token";

/** Azure CLI's command for a Microsoft Graph token, as the one-click registration asks for. */
export const ADMIN_TOKEN_COMMAND = "az account get-access-token --resource-type ms-graph --query accessToken -o tsv";

type KeyCredential = { keyId?: string; type?: string; usage?: string; key?: string | null; displayName?: string | null };
type Application = { id: string; keyCredentials?: KeyCredential[] };

const DAY_MS = 86_400_000;

function refused(message: string): UserFacingError {
  return new UserFacingError("Check the highlighted field.", { [UPLOAD_TOKEN_FIELD]: message });
}

function explain(failure: AdminGraphFailure, action: string): string {
  if (failure.detailCodes.includes("CredentialInvalidLifetimeAsPerAppPolicy")) {
    return "The tenant's app-management policy allows certificates only for a shorter time. Generate a shorter certificate and try again.";
  }
  if (failure.status === 403) return `Your account may not change this app (${failure.code}): an Application Administrator, Cloud Application Administrator or the app's owner can ${action}.`;
  if (failure.status === 401) return "Microsoft refused this token. Get a fresh one with the command shown and try again.";
  if (failure.status === 404) return "No app with this connection's client ID is registered in the token's tenant.";
  return `Microsoft did not ${action} (${failure.code}${failure.message ? `: ${failure.message}` : ""}).`;
}

export async function uploadPendingCertificate(
  db: DbClient,
  cloud: Cloud,
  id: string,
  rawToken: string,
  context: { actor: AuditActor; ip?: string | null },
  now = new Date(),
): Promise<{ applicationObjectId: string; keyId: string }> {
  const row = await db.connection.findUnique({ where: { id }, select: { name: true, kind: true, tenantId: true, clientId: true, credentialKind: true, pendingCertificatePem: true } });
  if (!row || row.kind !== "organization") throw new UserFacingError("This connection no longer exists.");
  if (row.credentialKind !== "secret" || !row.pendingCertificatePem) throw new UserFacingError("Generate the certificate first.");

  const inspection = inspectSetupToken(rawToken, cloud, now);
  if (!inspection.ok) throw refused(inspection.problem);
  const { facts } = inspection;
  if (facts.tenantId.toLowerCase() !== row.tenantId.toLowerCase()) {
    throw refused(`This token is for tenant ${facts.tenantId}, but the connection's app is in tenant ${row.tenantId}. Sign in to that tenant and get a new token.`);
  }
  if (!facts.can.createApps) throw refused("This token cannot change apps: it lacks Application.ReadWrite.All. Get one with the command shown.");

  const token = rawToken.trim().replace(/^bearer\s+/i, "");
  const graph = createAdminGraph(cloud, token, AbortSignal.timeout(60_000));
  const certificate = describeCertificate(row.pendingCertificatePem);

  if (facts.can.readPolicies) {
    const policy = await graph.request<NonNullable<AppManagementPolicyView>>("GET", "/policies/defaultAppManagementPolicy");
    const maxDays = policy.ok ? certificateLifetimeLimitDays(policy.value) : undefined;
    if (maxDays !== undefined) {
      // Known now: the next certificate this connection makes is capped by it.
      await db.connection.updateMany({ where: { id }, data: { certificatePolicyMaxDays: maxDays } });
      if (certificate.expiresAt.getTime() - certificate.notBefore.getTime() > maxDays * DAY_MS) {
        throw refused(`The tenant's app-management policy allows certificates for at most ${maxDays} days. Generate the certificate again: it is now capped to that.`);
      }
    }
  }

  const app = await graph.request<Application>("GET", `/applications(appId='${encodeURIComponent(row.clientId)}')?$select=id,keyCredentials`);
  if (!app.ok) throw refused(explain(app.failure, "read the app"));
  const keyId = randomUUID();
  const kept = (app.value.keyCredentials ?? []).map((credential) => ({
    keyId: credential.keyId,
    type: credential.type,
    usage: credential.usage,
    key: credential.key ?? null,
    displayName: credential.displayName ?? null,
  }));
  const added = { keyId, type: "AsymmetricX509Cert", usage: "Verify", key: certificateDer(row.pendingCertificatePem).toString("base64"), displayName: `CN=Calsync Console: ${row.name}`.slice(0, 90) };
  const patched = await graph.request("PATCH", `/applications/${encodeURIComponent(app.value.id)}`, { body: { keyCredentials: [...kept, added] } });
  if (!patched.ok) throw refused(explain(patched.failure, "add the certificate"));

  const applicationObjectId = app.value.id.toLowerCase();
  await db.connection.updateMany({ where: { id, credentialKind: "secret" }, data: { pendingCertificateKeyId: keyId, applicationObjectId } });
  // Entra changed now, whether or not the switch that follows succeeds: the change is on record by itself.
  await recordAudit(db, {
    actor: context.actor,
    action: "connection.certificate-upload",
    target: { type: "connection", id, label: row.name },
    summary: `Added certificate ${certificate.thumbprintSha256} (Certificate ID ${keyId}) to app ${row.clientId} (object ${applicationObjectId}) in tenant ${row.tenantId} with an administrator's token`,
    ip: context.ip ?? null,
  });
  return { applicationObjectId, keyId };
}
