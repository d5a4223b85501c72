import type { AdminGraphFailure } from "@/lib/provisioning/admin-graph";

/**
 * Plain explanations for what Microsoft refuses while the console registers the app: what happened,
 * who can fix it, and what to do. Microsoft's own message is quoted only where it names nothing
 * secret (Graph's messages carry object ids and policy ids, never credentials).
 */

export type Explanation = { detail: string; who?: string };

const GRANT_ROLES = "a Privileged Role Administrator or Global Administrator";
const CREATE_ROLES = "an Application Administrator, Cloud Application Administrator or Global Administrator";

export function hasCode(failure: AdminGraphFailure, code: string): boolean {
  return failure.code === code || failure.detailCodes.includes(code);
}

export function isAlreadyGranted(failure: AdminGraphFailure): boolean {
  return failure.status === 400 && /Permission being assigned already exists/i.test(failure.message);
}

export function explainFailure(step: string, failure: AdminGraphFailure, options: { replicationTimedOut?: boolean; boundMinutes?: number } = {}): Explanation {
  if (options.replicationTimedOut) {
    return {
      detail:
        `Microsoft Entra had not finished replicating the new ${step === "grant" ? "service principal" : "app"} after ${options.boundMinutes ?? 5} minutes of retries. ` +
        "Waits of more than five minutes happen; try again later and the console continues where it stopped. " +
        "If it keeps failing, an id may be wrong (an object id passed where an application (client) ID belongs), which Microsoft answers with the same error.",
      who: "us",
    };
  }
  if (hasCode(failure, "Authorization_RequestDenied")) {
    if (step === "grant") return { detail: `Microsoft refused to grant the permissions: granting Microsoft Graph application permissions needs ${GRANT_ROLES}, and a token with AppRoleAssignment.ReadWrite.All.`, who: GRANT_ROLES };
    if (step === "credential" || step === "create-app" || step === "create-service-principal") {
      return { detail: `Microsoft refused to change applications: this needs ${CREATE_ROLES} (or a tenant that lets users register apps), and a token with Application.ReadWrite.All.`, who: CREATE_ROLES };
    }
    return { detail: "Microsoft refused this request: the signed-in account or its token lacks the permission for it.", who: CREATE_ROLES };
  }
  if (hasCode(failure, "Directory_QuotaExceeded")) {
    return {
      detail: "The tenant has reached its directory object quota, so Microsoft will not create another app. Deleted apps count for 30 days: delete unused ones permanently (Deleted applications in the Entra admin center), or ask Microsoft support to raise the quota.",
      who: CREATE_ROLES,
    };
  }
  if (hasCode(failure, "CredentialTypeNotAllowedAsPerAppPolicy")) {
    return {
      detail:
        "The tenant's app-management policy does not allow this credential type. Choose the other credential (a certificate instead of a client secret) and try again, or ask whoever owns the policy. The console never creates an exemption policy itself.",
      who: "a Global Administrator (the app-management policy's owner)",
    };
  }
  if (hasCode(failure, "CredentialInvalidLifetimeAsPerAppPolicy")) {
    return { detail: "The tenant's app-management policy caps credential lifetimes (client secrets, and here certificates too) below what was asked. Choose a shorter lifetime and try again.", who: CREATE_ROLES };
  }
  if (failure.status === 0) return { detail: `Microsoft Graph did not answer (${failure.code}). Check the network path to Microsoft and try again.`, who: "us" };
  const said = failure.message ? ` Microsoft said: "${failure.message.slice(0, 300)}"` : "";
  return { detail: `Microsoft refused this step (${failure.code}, HTTP ${failure.status}).${said}`, who: "us" };
}
