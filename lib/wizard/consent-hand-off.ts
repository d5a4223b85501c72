import "server-only";
import { generateToken } from "@/lib/crypto/tokens";
import { adminConsentRequestSchema, adminConsentUrl } from "@/lib/entra/admin-consent";
import type { Cloud } from "@/lib/entra/clouds";
import { adminApprovalMessage, type ConsentHandOffView } from "@/lib/delegated/refusals";
import { consentRedirectUri } from "@/lib/wizard/urls";

/** Where an administrator lands after granting consent from a link someone sent them. */
export function handOffReturnUri(): string {
  return `${consentRedirectUri()}/approved`;
}

/**
 * The consent link and message for an administrator who is not signing in to this console. Microsoft
 * accepts a path below the registered consent callback, so the administrator returns to a public
 * thank-you page instead of the console's sign-in; the wizard learns of the grant from its next
 * verification. Undefined until the tenant and client ID are valid.
 */
export function wizardConsentHandOff(input: { cloud: Cloud; tenant?: string; clientId?: string; requester: string }): ConsentHandOffView | undefined {
  const request = adminConsentRequestSchema.safeParse({
    tenant: input.tenant ?? "",
    clientId: input.clientId ?? "",
    redirectUri: handOffReturnUri(),
    state: generateToken(16),
  });
  if (!request.success) return undefined;
  const url = adminConsentUrl({ cloud: input.cloud, ...request.data });
  return {
    url,
    tenant: request.data.tenant,
    message: adminApprovalMessage({ appName: "Calsync", clientId: request.data.clientId, consentUrl: url, requester: input.requester, kind: "application" }),
  };
}
