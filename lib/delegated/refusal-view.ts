import "server-only";
import type { SessionUser } from "@/lib/auth/sessions";
import { isGuid, isPersonalMailDomain } from "@/lib/checks/format";
import type { KeyRing } from "@/lib/crypto/seal";
import type { DbClient } from "@/lib/db/types";
import { adminConsentUrl } from "@/lib/entra/admin-consent";
import { generateToken } from "@/lib/crypto/tokens";
import { getDelegatedApp } from "@/lib/delegated/delegated-app";
import { adminApprovalMessage, explainRefusal, type ConsentHandOffView, type RefusalExplanation } from "@/lib/delegated/refusals";
import type { SignInOutcome } from "@/lib/delegated/sign-in";
import { delegatedRedirectUri } from "@/lib/wizard/urls";

export type RefusalView = RefusalExplanation & {
  outcome?: SignInOutcome;
  /** For "needs admin approval": the link the administrator opens and a message to send them. */
  adminApproval?: ConsentHandOffView;
};

/**
 * The administrator to ask is the member's own organisation's: the app's home tenant when only that
 * organisation may sign in, otherwise the domain of the member's email (their work address).
 */
function consentTenant(audience: string, homeTenant: string, email: string): string {
  if (audience === "organization") return homeTenant;
  const domain = email.split("@")[1] ?? "";
  return domain && !isPersonalMailDomain(domain) ? domain : homeTenant;
}

export async function refusalView(db: DbClient, ring: KeyRing, user: SessionUser, code: string, outcome?: SignInOutcome): Promise<RefusalView> {
  const app = await getDelegatedApp(db, ring);
  const explanation = explainRefusal(code, { ...(app ? { cloud: app.cloud } : {}), ...(outcome?.description ? { message: outcome.description } : {}) });
  if (explanation.kind !== "admin-approval" || !app) return { ...explanation, ...(outcome ? { outcome } : {}) };
  const tenant = consentTenant(app.audience, app.homeTenant, user.email);
  // Microsoft accepts extra path segments below a registered redirect URI for admin consent, so the
  // administrator returns to a public thank-you page under the registered callback. The state only
  // has to be unguessable: the console takes no action on that return.
  const url = adminConsentUrl({ cloud: app.cloud, tenant: isGuid(tenant) ? tenant : tenant.toLowerCase(), clientId: app.clientId, redirectUri: `${delegatedRedirectUri()}/approved`, state: generateToken(16) });
  return {
    ...explanation,
    ...(outcome ? { outcome } : {}),
    adminApproval: { url, tenant, message: adminApprovalMessage({ appName: "Calsync", clientId: app.clientId, consentUrl: url, requester: `${user.displayName} (${user.email})` }) },
  };
}
