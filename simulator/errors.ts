import { randomUUID } from "node:crypto";
import { escapeHtml, sendHtml, sendJson, type RequestContext } from "./http";

/**
 * Microsoft's error shapes, rebuilt from the recorded bodies in simulator/recorded/
 * (token-errors.json, graph-errors.json). Field order, status codes, headers and the 2023+
 * description suffix (" Trace ID: … Correlation ID: … Timestamp: …") follow those recordings.
 */

export type EstsErrorName =
  | "invalid_request"
  | "invalid_client"
  | "unauthorized_client"
  | "invalid_grant"
  | "invalid_scope"
  | "invalid_resource"
  | "unsupported_grant_type"
  | "temporarily_unavailable"
  | "interaction_required"
  | "login_required"
  | "consent_required"
  | "access_denied"
  | "server_error";

export interface EstsError {
  code: number;
  error: EstsErrorName;
  message: string;
  suberror?: string;
  /** Extra error codes after the main one (ESTS sometimes reports a chain, e.g. [70002, 54005]). */
  moreCodes?: number[];
}

/** The AADSTS messages the simulator produces, worded as ESTS words them. */
export const ests = {
  tenantNotFound: (tenant: string): EstsError => ({
    code: 90002,
    error: "invalid_request",
    message: `Tenant '${tenant}' not found. This may happen if there are no active subscriptions for the tenant. Check to make sure you have the correct tenant ID. Check with your subscription administrator.`,
  }),
  tenantMalformed: (tenant: string): EstsError => ({
    code: 900023,
    error: "invalid_request",
    message: `Specified tenant identifier '${tenant}' is neither a valid DNS name, nor a valid external domain.`,
  }),
  appNotFound: (clientId: string, tenantName: string): EstsError => ({
    code: 700016,
    error: "unauthorized_client",
    message: `Application with identifier '${clientId}' was not found in the directory '${tenantName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  }),
  invalidSecret: (clientId: string): EstsError => ({
    code: 7000215,
    error: "invalid_client",
    message: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
  }),
  expiredSecret: (clientId: string): EstsError => ({
    code: 7000222,
    error: "invalid_client",
    message: `The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
  }),
  missingCredential: (): EstsError => ({
    code: 7000218,
    error: "invalid_client",
    message: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  }),
  assertion: (code: number, detail: string): EstsError => ({
    code,
    error: code === 50027 ? "invalid_request" : "invalid_client",
    message: detail,
  }),
  appDisabled: (clientId: string, name: string): EstsError => ({
    code: 7000112,
    error: "unauthorized_client",
    message: `Application '${clientId}'(${name}) is disabled.`,
  }),
  resourceNotFound: (resource: string, tenantName: string): EstsError => ({
    code: 500011,
    error: "invalid_resource",
    message: `The resource principal named ${resource} was not found in the tenant named ${tenantName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
  }),
  invalidScope: (scope: string): EstsError => ({
    code: 70011,
    error: "invalid_scope",
    message: `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`,
  }),
  scopeNeedsDefault: (scope: string): EstsError => ({
    code: 1002012,
    error: "invalid_scope",
    message: `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
  }),
  missingParameter: (name: string): EstsError => ({
    code: 900144,
    error: "invalid_request",
    message: `The request body must contain the following parameter: '${name}'.`,
  }),
  unsupportedGrant: (grant: string): EstsError => ({
    code: 70003,
    error: "unsupported_grant_type",
    message: `The app requested an unsupported grant type '${grant}'.`,
  }),
  consentMissing: (clientId: string, name: string): EstsError => ({
    code: 65001,
    error: "invalid_grant",
    suberror: "consent_required",
    message: `The user or administrator has not consented to use the application with ID '${clientId}' named '${name}'. Send an interactive authorization request for this user and resource.`,
  }),
  badCode: (): EstsError => ({
    code: 70000,
    error: "invalid_grant",
    message: "Provided grant is invalid or malformed.",
  }),
  malformedGrant: (): EstsError => ({
    code: 9002313,
    error: "invalid_grant",
    message: "Invalid request. Request is malformed or invalid.",
  }),
  codeRedeemed: (): EstsError => ({
    code: 70002,
    moreCodes: [54005],
    error: "invalid_grant",
    message: "Error validating credentials. AADSTS54005: OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
  }),
  codeExpired: (): EstsError => ({
    code: 70008,
    error: "invalid_grant",
    message: "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
  }),
  pkceMismatch: (): EstsError => ({
    code: 501481,
    error: "invalid_grant",
    message: "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
  }),
  pkceMissing: (): EstsError => ({
    code: 50148,
    error: "invalid_grant",
    message: "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.",
  }),
  redirectMismatch: (redirectUri: string, clientId: string): EstsError => ({
    code: 50011,
    error: "invalid_request",
    message: `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.`,
  }),
  refreshExpired: (): EstsError => ({
    code: 70008,
    error: "invalid_grant",
    message: "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
  }),
  refreshInactive: (issuedAt: string): EstsError => ({
    code: 700082,
    error: "invalid_grant",
    message: `The refresh token has expired due to inactivity. The token was issued on ${issuedAt} and was inactive for 90.00:00:00.`,
  }),
  refreshRevoked: (issuedAt: string, validFrom: string): EstsError => ({
    code: 50173,
    error: "invalid_grant",
    message: `The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '${issuedAt}' and the TokensValidFrom date (before which tokens are not valid) for this user is '${validFrom}'.`,
  }),
  mfaRequired: (resource: string): EstsError => ({
    code: 50076,
    error: "invalid_grant",
    suberror: "basic_action",
    message: `Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '${resource}'.`,
  }),
  mfaExpired: (resource: string): EstsError => ({
    code: 50078,
    error: "invalid_grant",
    suberror: "basic_action",
    message: `Presented multi-factor authentication has expired due to policies configured by your administrator, you must refresh your multi-factor authentication to access '${resource}'.`,
  }),
  mfaEnrollment: (resource: string): EstsError => ({
    code: 50079,
    error: "invalid_grant",
    suberror: "basic_action",
    message: `Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access '${resource}'.`,
  }),
  conditionalAccess: (): EstsError => ({
    code: 53003,
    error: "invalid_grant",
    suberror: "message_only",
    message: "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
  }),
  userNotFound: (tenantName: string): EstsError => ({
    code: 50034,
    error: "invalid_grant",
    message: `The user account {EmailHidden} does not exist in the ${tenantName} directory. To sign into this application, the account must be added to the directory.`,
  }),
  badPassword: (): EstsError => ({
    code: 50126,
    error: "invalid_grant",
    message: "Error validating credentials due to invalid username or password.",
  }),
  consentDeclined: (): EstsError => ({
    code: 65004,
    error: "access_denied",
    message: "User declined to consent to access the app.",
  }),
  adminApprovalRequired: (): EstsError => ({
    code: 90094,
    error: "access_denied",
    message: "The grant requires admin permission.",
  }),
  // Recorded redirect, token-errors.json (AADSTS50105, "Enterprise app has 'Assignment required' and the user is not assigned").
  notAssigned: (clientId: string, name: string): EstsError => ({
    code: 50105,
    error: "interaction_required",
    message: `The signed in user '{EmailHidden}' is not assigned to a role for the application '${clientId}'(${name}).`,
  }),
  // Reconstructed: the sign-in log's code after "Request approval" (AdminConsentRequested), reported in
  // https://github.com/MicrosoftDocs/azure-docs/issues/80997; the description follows Microsoft's error-code list.
  adminConsentRequested: (): EstsError => ({
    code: 90095,
    error: "access_denied",
    message: "Admin consent is required for the permissions requested by this application. An admin consent request may be sent to the admin.",
  }),
  riskyAppBlocked: (): EstsError => ({
    code: 900941,
    error: "access_denied",
    message: "Administrator consent is required. App is considered risky. (AdminConsentRequiredDueToRiskyApp)",
  }),
  consentRequiredInteractive: (clientId: string, name: string): EstsError => ({
    code: 65001,
    error: "consent_required",
    message: `The user or administrator has not consented to use the application with ID '${clientId}' named '${name}'. Send an interactive authorization request for this user and resource.`,
  }),
  interactionMfa: (resource: string): EstsError => ({
    code: 50076,
    error: "interaction_required",
    message: `Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '${resource}'.`,
  }),
  interactionConditionalAccess: (): EstsError => ({
    code: 53003,
    error: "access_denied",
    message: "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
  }),
  strongAuthDenied: (): EstsError => ({
    code: 500121,
    error: "access_denied",
    message: "Authentication failed during strong authentication request.",
  }),
  guestFromOtherIdp: (tenantName: string, clientId: string, appName: string): EstsError => ({
    code: 50020,
    error: "invalid_request",
    message: `User account '{EmailHidden}' from identity provider 'live.com' does not exist in tenant '${tenantName}' and cannot access the application '${clientId}'(${appName}) in that tenant. The account needs to be added as an external user in the tenant first. Sign out and sign in again with a different Azure Active Directory user account.`,
  }),
  personalAccountNotSupported: (upn: string): EstsError => ({
    code: 500200,
    error: "invalid_request",
    message: `User account '${upn}' is a personal Microsoft account. Personal Microsoft accounts are not supported for this application unless explicitly invited to an organization. Try signing out and signing back in with an organizational account.`,
  }),
  notAdmin: (): EstsError => ({
    code: 90094,
    error: "access_denied",
    message: "The grant requires admin permission.",
  }),
  transient: (): EstsError => ({
    code: 90033,
    error: "temporarily_unavailable",
    message: "A transient error has occurred. Please try again.",
  }),
  throttled: (): EstsError => ({
    code: 50196,
    error: "temporarily_unavailable",
    message: "The server terminated an operation because it encountered a client request loop. Please contact your app vendor.",
  }),
} as const;

/** "2023-12-11 22:54:25Z", the ESTS timestamp format. */
export function estsTimestamp(date = new Date()): string {
  return `${date.toISOString().slice(0, 19).replace("T", " ")}Z`;
}

export interface EstsCorrelation {
  traceId: string;
  correlationId: string;
  timestamp: string;
}

export function newEstsCorrelation(clientRequestId?: string): EstsCorrelation {
  // ESTS echoes the client's client-request-id as correlation_id and mints its own trace id.
  const correlationId = clientRequestId && /^[0-9a-f-]{36}$/i.test(clientRequestId) ? clientRequestId : randomUUID();
  return { traceId: randomUUID(), correlationId, timestamp: estsTimestamp() };
}

export function estsDescription(err: EstsError, corr: EstsCorrelation): string {
  return `AADSTS${err.code}: ${err.message} Trace ID: ${corr.traceId} Correlation ID: ${corr.correlationId} Timestamp: ${corr.timestamp}`;
}

export function estsErrorBody(err: EstsError, corr: EstsCorrelation, origin: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    error: err.error,
    error_description: estsDescription(err, corr),
    error_codes: [err.code, ...(err.moreCodes ?? [])],
    timestamp: corr.timestamp,
    trace_id: corr.traceId,
    correlation_id: corr.correlationId,
    error_uri: `${origin}/error?code=${err.code}`,
  };
  if (err.suberror) body.suberror = err.suberror;
  return body;
}

/** Headers ESTS sends on token and metadata responses (token-errors.json, AADSTS90002 recording). */
export function estsHeaders(traceId: string, extra: Record<string, string> = {}): Record<string, string | string[]> {
  return {
    "cache-control": "no-store, no-cache",
    pragma: "no-cache",
    expires: "-1",
    "strict-transport-security": "max-age=31536000; includeSubDomains",
    "x-content-type-options": "nosniff",
    p3p: 'CP="DSP CUR OTPi IND OTRi ONL FIN"',
    "x-ms-request-id": traceId,
    "x-ms-ests-server": "2.1.99999.0 - SIM ProdSlices",
    "set-cookie": [
      "x-ms-gateway-slice=estsfd; path=/; secure; samesite=none; httponly",
      "stsservicecookie=estsfd; path=/; secure; samesite=none; httponly",
    ],
    ...extra,
  };
}

export function clientRequestIdOf(ctx: RequestContext): string | undefined {
  const header = ctx.req.headers["client-request-id"];
  return ctx.url.searchParams.get("client-request-id") ?? (typeof header === "string" ? header : undefined);
}

/** Sends an ESTS JSON error: 401 for invalid_client, 400 otherwise (as recorded), unless `status` is given. */
export function sendEstsError(ctx: RequestContext, err: EstsError, status?: number, extraHeaders: Record<string, string> = {}): void {
  const corr = newEstsCorrelation(clientRequestIdOf(ctx));
  ctx.record.errorCode = `AADSTS${err.code}`;
  sendJson(ctx, status ?? (err.error === "invalid_client" ? 401 : 400), estsErrorBody(err, corr, ctx.origin), estsHeaders(corr.traceId, extraHeaders));
}

/** Redirect parameters of an authorize error, as ESTS appends them to the redirect URI. */
export function estsRedirectParams(err: EstsError, origin: string, state: string | undefined): Record<string, string | undefined> {
  const corr = newEstsCorrelation();
  return {
    error: err.error,
    error_description: estsDescription(err, corr),
    error_uri: `${origin}/error?code=${err.code}`,
    state,
  };
}

/**
 * ESTS renders some sign-in failures (AADSTS50011, 50020, 500200, 700016 on /authorize) as its own
 * page instead of redirecting, because the redirect URI cannot be trusted or the app must not learn
 * about the account. Served with 200 like login.microsoftonline.com does.
 */
export function sendEstsErrorPage(ctx: RequestContext, err: EstsError): void {
  const corr = newEstsCorrelation();
  ctx.record.errorCode = `AADSTS${err.code}`;
  const message = `AADSTS${err.code}: ${err.message}`;
  sendHtml(
    ctx,
    200,
    page(
      "Sign in to your account",
      `<h1>Sorry, but we’re having trouble signing you in.</h1>
<p id="error-message" role="alert" data-error-code="AADSTS${err.code}">${escapeHtml(message)}</p>
<h2>Troubleshooting details</h2>
<dl id="troubleshooting">
<dt>Request Id</dt><dd>${corr.traceId}</dd>
<dt>Correlation Id</dt><dd>${corr.correlationId}</dd>
<dt>Timestamp</dt><dd>${corr.timestamp.replace(" ", "T")}</dd>
<dt>Message</dt><dd>${escapeHtml(message)}</dd>
</dl>`,
    ),
    { "x-ms-request-id": corr.traceId },
  );
}

/** Minimal, accessible page chrome for the sign-in, consent and error pages. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;background:#f2f2f2;color:#1b1b1b;margin:0}
main{max-width:28rem;margin:3rem auto;background:#fff;padding:2rem;box-shadow:0 2px 6px rgba(0,0,0,.2)}
label{display:block;margin-top:1rem;font-weight:600}
input[type=text],input[type=email],input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem;border:1px solid #666}
.actions{margin-top:1.5rem;display:flex;gap:.75rem}
button{padding:.5rem 1.25rem;font-size:1rem;border:1px solid #0067b8;background:#fff;color:#0067b8;cursor:pointer}
button.primary{background:#0067b8;color:#fff}
button:focus-visible,input:focus-visible{outline:3px solid #000;outline-offset:2px}
.error{color:#a80000}
.banner{font-size:.85rem;color:#444}
.accounts{margin-top:2rem;border-top:1px solid #ccc;font-size:.9rem}
.accounts h2{font-size:1rem}
.accounts li{margin-bottom:.5rem;overflow-wrap:anywhere}
</style>
</head>
<body>
<main>
<p class="banner">Microsoft Entra ID simulator (test double)</p>
${body}
</main>
</body>
</html>
`;
}

// ---------------------------------------------------------------------------------------------
// Microsoft Graph

/** "2020-08-18T12:51:51": the innerError date format (no fraction, no zone). */
export function graphDate(date = new Date()): string {
  return date.toISOString().slice(0, 19);
}

export type InnerErrorKind = "standard" | "throttle" | "none";

export interface GraphErrorOptions {
  innerError?: InnerErrorKind;
  headers?: Record<string, string>;
  /** Sub-errors; Graph puts the useful code of some directory errors here rather than in `code`. */
  details?: { code: string; message: string; target?: string }[];
}

export function graphHeaders(requestId: string, clientRequestId: string): Record<string, string> {
  return {
    "request-id": requestId,
    "client-request-id": clientRequestId,
    "x-ms-ags-diagnostic": JSON.stringify({ ServerInfo: { DataCenter: "Simulator", Slice: "E", Ring: "5", ScaleUnit: "000", RoleInstance: "SIM" } }),
    "strict-transport-security": "max-age=31536000",
    "cache-control": "private",
  };
}

export function sendGraphError(
  ctx: RequestContext,
  status: number,
  code: string,
  message: string,
  options: GraphErrorOptions = {},
): void {
  const requestId = randomUUID();
  const clientRequestId = clientRequestIdOf(ctx) ?? requestId;
  const kind = options.innerError ?? "standard";
  const error: Record<string, unknown> = { code, message };
  if (options.details) error.details = options.details;
  if (kind === "standard") {
    error.innerError = { date: graphDate(), "request-id": requestId, "client-request-id": clientRequestId };
  } else if (kind === "throttle") {
    error.innerError = {
      code: String(status),
      date: graphDate(),
      message: "Please retry after",
      "request-id": requestId,
      status: String(status),
    };
  }
  ctx.record.errorCode = code;
  const headers: Record<string, string> = { ...graphHeaders(requestId, clientRequestId), "content-type": "application/json", ...options.headers };
  if (status === 401) {
    headers["www-authenticate"] =
      'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';
  }
  sendJson(ctx, status, { error }, headers);
}
