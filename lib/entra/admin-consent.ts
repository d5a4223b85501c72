import { z } from "zod";
import { isGuid } from "@/lib/checks/format";
import { explainError, microsoftFirstLine, normaliseErrorCode } from "@/lib/checks/error-catalog";
import { browserFacingUrl, type Cloud } from "@/lib/entra/clouds";

/**
 * The tenant-wide admin consent link (`/{tenant}/adminconsent`) and the reading of Microsoft's answer
 * on the redirect URI. Pure: the wizard shows the link in the browser, and the callback route parses
 * the query string with it. Protocol facts: simulator/recorded/entra-graph-protocol.md §3.
 */

/** Said next to the consent result: Microsoft needs a little time before tokens carry new roles. */
export const consentPropagationNote =
  "Consent can take a few minutes to take effect. If the next check still reports missing permissions, wait five minutes and run it again.";

// Same shape as the format check's domain rule: labels of letters, digits and inner hyphens.
const domainPattern = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/**
 * A specific tenant: its GUID or one of its domains. `common`, `organizations` and `consumers` fail
 * the domain rule (no dot), which is wanted: consent for "any tenant" would land in whichever tenant
 * the admin happens to sign in to.
 */
export const consentTenantSchema = z
  .string()
  .trim()
  .refine((value) => isGuid(value) || domainPattern.test(value), "Enter the Directory (tenant) ID or a domain of the tenant.");

export const adminConsentRequestSchema = z.object({
  tenant: consentTenantSchema,
  clientId: z.string().trim().refine(isGuid, "The Application (client) ID must be a GUID."),
  /** Must be registered on the app exactly (Authentication → Web), or Microsoft stops on its own error page. */
  redirectUri: z.url({ protocol: /^https?$/ }),
  /** Ties the callback to the session that started it; never empty. */
  state: z.string().min(16, "The state must be an unguessable value of at least 16 characters."),
});
export type AdminConsentRequest = z.infer<typeof adminConsentRequestSchema>;

/**
 * The link a Global Administrator or Privileged Role Administrator opens to grant the app's
 * application permissions for the whole tenant. Throws on invalid input: callers validate first
 * with `adminConsentRequestSchema` (the wizard only offers the link once tenant and client ID pass).
 */
export function adminConsentUrl(input: { cloud: Cloud } & AdminConsentRequest): string {
  const { tenant, clientId, redirectUri, state } = adminConsentRequestSchema.parse(input);
  const url = new URL(`${input.cloud.authorityHost}/${encodeURIComponent(tenant.toLowerCase())}/adminconsent`);
  url.searchParams.set("client_id", clientId.toLowerCase());
  url.searchParams.set("redirect_uri", redirectUri);
  url.searchParams.set("state", state);
  return browserFacingUrl(input.cloud, url.toString());
}

export type AdminConsentResult =
  | { outcome: "granted"; tenant: string }
  | {
      outcome: "denied" | "error";
      /** `AADSTS65004` etc., from `error_description` (the callback carries no `error_codes`). */
      code?: string;
      /** The OAuth `error` value, e.g. `access_denied`. */
      error: string;
      /** Plain words for the person at the screen. */
      message: string;
      /** Microsoft's first line, without the code prefix and the Trace/Correlation/Timestamp trailer. */
      microsoftSaid?: string;
    }
  | { outcome: "bad-state" };

const messages = {
  cancelled:
    "The administrator chose Cancel on Microsoft's consent screen, so no permission was granted. Open the consent link again and choose Accept.",
  notAdmin:
    "The account that signed in may not grant consent for the whole organisation. Sign in as a Global Administrator or Privileged Role Administrator (other admin roles cannot grant Microsoft Graph application permissions), or send the consent link to someone who is one.",
  redirectUri:
    "The console's redirect URI is not registered on the app registration. Add it exactly as shown on the Redirect URI step (Authentication → Web → Redirect URIs), then open the consent link again.",
  noAnswer:
    "Microsoft returned without saying whether consent was granted. Open the consent link again, or grant consent on the app's API permissions page.",
} as const;

/** Codes that mean the signed-in account lacks the right to consent for everyone. */
const notAdminCodes = new Set(["AADSTS90094", "AADSTS900941", "AADSTS90093"]);

/**
 * Reads the query Microsoft appends to the redirect URI. Order matters: the state first (a mismatch
 * means the answer is not for this session, so nothing else in it is trusted), then `error` before
 * `admin_consent`, because Microsoft sends `admin_consent=True` next to `error` when the admin cancels.
 */
export function parseAdminConsentCallback(params: URLSearchParams, expectedState: string): AdminConsentResult {
  const state = params.get("state");
  if (!expectedState || state === null || state !== expectedState) return { outcome: "bad-state" };

  const error = params.get("error")?.trim();
  if (error) {
    const description = params.get("error_description") ?? undefined;
    const number = description ? /\bAADSTS(\d+)\b/i.exec(description)?.[1] : undefined;
    const code = number ? normaliseErrorCode(number) : undefined;
    const microsoftSaid = microsoftFirstLine(description);
    return { ...explainConsentError(error.toLowerCase(), code), error, ...(code ? { code } : {}), ...(microsoftSaid ? { microsoftSaid } : {}) };
  }

  const tenant = params.get("tenant")?.trim();
  if (params.get("admin_consent")?.toLowerCase() === "true" && tenant) return { outcome: "granted", tenant };
  return { outcome: "error", error: "no_answer", message: messages.noAnswer };
}

function explainConsentError(error: string, code: string | undefined): { outcome: "denied" | "error"; message: string } {
  if (code === "AADSTS65004") return { outcome: "denied", message: messages.cancelled };
  if (code === "AADSTS50011") return { outcome: "error", message: messages.redirectUri };
  if ((code && notAdminCodes.has(code)) || error === "consent_required") return { outcome: "denied", message: messages.notAdmin };
  // A bare access_denied (no code) is what a non-admin gets back in practice, and the documented
  // permission_denied is the older spelling of a refusal.
  if (!code && (error === "access_denied" || error === "permission_denied")) return { outcome: "denied", message: messages.notAdmin };
  const known = code ? explainError(code) : explainError(error);
  const denied = error === "access_denied" || error === "permission_denied";
  return {
    outcome: denied ? "denied" : "error",
    message: known.known ? `${known.title}. ${known.explanation}` : `Microsoft did not grant consent (${code ?? error}).`,
  };
}
