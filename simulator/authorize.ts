import { randomUUID } from "node:crypto";
import { MULTI_TENANT } from "./discovery";
import { ests, estsRedirectParams, page, sendEstsErrorPage, type EstsError } from "./errors";
import { escapeHtml, readBody, redirect, sendHtml, withQuery, type RequestContext } from "./http";
import { consentDecision, isAssigned } from "./consent-policy";
import type { ScenarioApp, ScenarioTenant, ScenarioUser } from "./scenario";
import { isValidTenantIdentifier, opaqueToken } from "./state";
import { issueAuthCode, missingConsent, parseDelegatedScopes } from "./tokens";

/**
 * The interactive endpoints: /authorize (sign-in → optional MFA → optional consent → redirect with a
 * code) and /adminconsent. Failures that ESTS shows on its own pages (50011, 50020, 500200, 700016,
 * 90002, 900023) render an error page; the others go back to the redirect URI as
 * `error` / `error_description` / `error_uri` / `state`.
 */

const SESSION_COOKIE = "sim_ests_session";
const FLOW_LIFETIME_MS = 15 * 60 * 1000;

interface AppTarget {
  tenant: ScenarioTenant | undefined;
  app: ScenarioApp;
  appTenant: ScenarioTenant;
}

type Resolved = { ok: true; value: AppTarget } | { ok: false };

/** Tenant segment + client_id → app registration, or an ESTS error page already sent. */
function resolveApp(ctx: RequestContext, segment: string, clientId: string | null): Resolved {
  const lower = segment.toLowerCase();
  let tenant: ScenarioTenant | undefined;
  if (!MULTI_TENANT.has(lower)) {
    if (!isValidTenantIdentifier(segment)) {
      sendEstsErrorPage(ctx, ests.tenantMalformed(segment));
      return { ok: false };
    }
    tenant = ctx.state.findTenant(segment);
    if (!tenant) {
      sendEstsErrorPage(ctx, ests.tenantNotFound(segment));
      return { ok: false };
    }
  }
  if (!clientId) {
    sendEstsErrorPage(ctx, ests.missingParameter("client_id"));
    return { ok: false };
  }
  const candidates = tenant ? [tenant] : ctx.state.scenario.tenants;
  for (const candidate of candidates) {
    const app = ctx.state.findApp(candidate, clientId);
    if (app) return { ok: true, value: { tenant, app, appTenant: candidate } };
  }
  sendEstsErrorPage(ctx, ests.appNotFound(clientId, tenant?.displayName ?? "common"));
  return { ok: false };
}

function redirectWithError(ctx: RequestContext, redirectUri: string, err: EstsError, state: string | undefined, extra: Record<string, string> = {}): void {
  ctx.record.errorCode = `AADSTS${err.code}`;
  redirect(ctx, withQuery(redirectUri, { ...extra, ...estsRedirectParams(err, ctx.origin, state) }));
}

function cookieValue(ctx: RequestContext, name: string): string | undefined {
  const header = ctx.req.headers.cookie ?? "";
  for (const part of header.split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return undefined;
}

function findUserFor(ctx: RequestContext, tenant: ScenarioTenant | undefined, upn: string): { tenant: ScenarioTenant; user: ScenarioUser } | undefined {
  if (tenant) {
    const user = ctx.state.findUser(tenant, upn);
    return user ? { tenant, user } : undefined;
  }
  return ctx.state.findUserAnywhere(upn);
}

function allowsPersonal(app: ScenarioApp): boolean {
  return app.signInAudience === "AzureADandPersonalMicrosoftAccount" || app.signInAudience === "PersonalMicrosoftAccount";
}

// ---------------------------------------------------------------------------------------------
// Pages

/** What makes a test account special, in words (its sign-in page and the demo's start-up list say it). */
export function userTraits(user: ScenarioUser): string[] {
  const traits: string[] = [];
  if (user.isAdmin) traits.push("administrator: may grant admin consent");
  if (user.mfaRequired) traits.push("asks for MFA approval");
  if (user.guest) traits.push("guest without a mailbox");
  else if (!user.hasMailbox) traits.push("no mailbox");
  if (user.personalAccount) traits.push("personal Microsoft account");
  if (user.conditionalAccessBlocked) traits.push("blocked by Conditional Access");
  if (user.refreshTokenState !== "valid") traits.push(`refresh tokens ${user.refreshTokenState}`);
  return traits;
}

/** Demo mode: who can sign in here, so nobody has to guess simulated passwords. */
function testAccounts(ctx: RequestContext, tenant: ScenarioTenant): string {
  if (!ctx.showAccounts) return "";
  const items = tenant.users
    .map((user) => {
      const traits = userTraits(user);
      return `<li><code>${escapeHtml(user.upn)}</code>, password <code>${escapeHtml(user.password)}</code><br>${escapeHtml(user.displayName)}${traits.length ? ` (${escapeHtml(traits.join("; "))})` : ""}</li>`;
    })
    .join("\n");
  return `<aside class="accounts" aria-labelledby="test-accounts">
<h2 id="test-accounts">Test accounts of ${escapeHtml(tenant.displayName)}</h2>
<p>This is the Calsync demo's Microsoft simulator, not Microsoft: sign in with one of these simulated accounts.</p>
<ul>
${items}
</ul>
</aside>`;
}

/** The simulator's session cookie; the plain-http listener cannot set a `Secure` one. */
function sessionCookie(ctx: RequestContext, value: string, extra = ""): string {
  return `${SESSION_COOKIE}=${value}; path=/; httponly; ${ctx.plainHttp ? "samesite=lax" : "secure; samesite=none"}${extra}`;
}

function signInPage(
  action: string,
  options: { title: string; heading: string; hint?: string; loginHint?: string; error?: string; submitLabel?: string; accounts?: string },
): string {
  const errorId = "signin-error";
  const described = options.error ? ` aria-describedby="${errorId}" aria-invalid="true"` : "";
  return page(
    options.title,
    `<h1>${escapeHtml(options.heading)}</h1>
${options.hint ? `<p>${escapeHtml(options.hint)}</p>` : ""}
<!-- The primary button comes first: pressing Enter in a field submits the first submit button. -->
<form method="post" action="${escapeHtml(action)}" novalidate>
${options.error ? `<p id="${errorId}" class="error" role="alert" aria-live="assertive">${escapeHtml(options.error)}</p>` : ""}
<label for="login">Email, phone, or Skype</label>
<input id="login" name="login" type="email" autocomplete="username" required value="${escapeHtml(options.loginHint ?? "")}"${described}>
<label for="passwd">Password</label>
<input id="passwd" name="passwd" type="password" autocomplete="current-password" required${described}>
<div class="actions">
<button type="submit" name="action" value="signin" class="primary">${escapeHtml(options.submitLabel ?? "Sign in")}</button>
<button type="submit" name="action" value="cancel" formnovalidate>Cancel</button>
</div>
</form>
${options.accounts ?? ""}`,
  );
}

function choicePage(action: string, flow: string, options: { title: string; heading: string; body: string; accept: [string, string]; decline: [string, string] }): string {
  return page(
    options.title,
    `<h1>${escapeHtml(options.heading)}</h1>
${options.body}
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="flow" value="${escapeHtml(flow)}">
<div class="actions">
<button type="submit" name="action" value="${options.accept[0]}" class="primary">${escapeHtml(options.accept[1])}</button>
<button type="submit" name="action" value="${options.decline[0]}">${escapeHtml(options.decline[1])}</button>
</div>
</form>`,
  );
}

// ---------------------------------------------------------------------------------------------
// /authorize

interface AuthorizeRequest {
  target: AppTarget;
  redirectUri: string;
  state?: string;
  nonce?: string;
  scopes: string[];
  codeChallenge?: string;
  codeChallengeMethod?: "S256" | "plain";
  prompt?: string;
  loginHint?: string;
  responseMode: "query" | "fragment" | "form_post";
}

function deliverToClient(ctx: RequestContext, request: AuthorizeRequest, params: Record<string, string | undefined>): void {
  if (request.responseMode === "form_post") {
    const fields = Object.entries(params)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([key, value]) => `<input type="hidden" name="${escapeHtml(key)}" value="${escapeHtml(value)}">`)
      .join("\n");
    sendHtml(
      ctx,
      200,
      page("Working...", `<form method="post" action="${escapeHtml(request.redirectUri)}" id="form-post">${fields}<noscript><button type="submit">Continue</button></noscript></form><script>document.getElementById("form-post").submit()</script>`),
    );
    return;
  }
  if (request.responseMode === "fragment") {
    const fragment = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)).toString();
    redirect(ctx, `${request.redirectUri}#${fragment}`);
    return;
  }
  redirect(ctx, withQuery(request.redirectUri, params));
}

function sendAuthorizeError(ctx: RequestContext, request: AuthorizeRequest, err: EstsError): void {
  ctx.record.errorCode = `AADSTS${err.code}`;
  deliverToClient(ctx, request, estsRedirectParams(err, ctx.origin, request.state));
}

function parseAuthorizeRequest(ctx: RequestContext, segment: string, params: URLSearchParams): AuthorizeRequest | null {
  const resolved = resolveApp(ctx, segment, params.get("client_id"));
  if (!resolved.ok) return null;
  const { app } = resolved.value;
  const redirectUri = params.get("redirect_uri") ?? (app.redirectUris.length === 1 ? app.redirectUris[0] : undefined);
  // Exact match, as ESTS requires for /authorize; a mismatch is never redirected (open-redirect guard).
  if (!redirectUri || !app.redirectUris.includes(redirectUri)) {
    sendEstsErrorPage(ctx, ests.redirectMismatch(redirectUri ?? "", app.clientId));
    return null;
  }
  if (app.disabled) {
    sendEstsErrorPage(ctx, ests.appDisabled(app.clientId, app.displayName));
    return null;
  }
  const method = params.get("code_challenge_method");
  const mode = params.get("response_mode");
  return {
    target: resolved.value,
    redirectUri,
    state: params.get("state") ?? undefined,
    nonce: params.get("nonce") ?? undefined,
    scopes: (params.get("scope") ?? "openid profile").split(" ").filter(Boolean),
    codeChallenge: params.get("code_challenge") ?? undefined,
    codeChallengeMethod: method === "S256" || method === "plain" ? method : undefined,
    prompt: params.get("prompt") ?? undefined,
    loginHint: params.get("login_hint") ?? undefined,
    responseMode: mode === "form_post" || mode === "fragment" ? mode : "query",
  };
}

function newFlow(ctx: RequestContext, tenant: ScenarioTenant, user: ScenarioUser, mfaDone: boolean): string {
  const id = opaqueToken("flow.");
  ctx.state.flows.set(id, { tenantId: tenant.id, userId: user.id, mfaDone, expiresAt: Date.now() + FLOW_LIFETIME_MS });
  return id;
}

/** A step of the sign-in that asks the user to choose (MFA, consent, approval request), tied to a new flow. */
function askChoice(ctx: RequestContext, tenant: ScenarioTenant, user: ScenarioUser, mfaDone: boolean, options: Parameters<typeof choicePage>[2]): void {
  sendHtml(ctx, 200, choicePage(ctx.url.pathname + ctx.url.search, newFlow(ctx, tenant, user, mfaDone), options));
}

/** After password (and MFA): Conditional Access, consent, then the code. */
function continueSignIn(
  ctx: RequestContext,
  request: AuthorizeRequest,
  tenant: ScenarioTenant,
  user: ScenarioUser,
  mfaDone: boolean,
  options: { interactive: boolean; consentAccepted?: boolean },
): void {
  const app = ctx.state.findApp(tenant, request.target.app.clientId) ?? request.target.app;
  if (user.conditionalAccessBlocked) {
    sendAuthorizeError(ctx, request, ests.interactionConditionalAccess());
    return;
  }
  if (user.mfaRequired && !mfaDone) {
    if (!options.interactive) {
      sendAuthorizeError(ctx, request, ests.interactionMfa(request.target.app.displayName));
      return;
    }
    askChoice(ctx, tenant, user, false, {
      title: "Approve sign in request",
      heading: "Approve sign in request",
      body: `<p>Open your Authenticator app and approve the request to sign in as ${escapeHtml(user.upn)}.</p>`,
      accept: ["mfa-approve", "Approve"],
      decline: ["mfa-deny", "Deny"],
    });
    return;
  }
  if (app.appRoleAssignmentRequired && !isAssigned(app, user)) {
    sendAuthorizeError(ctx, request, ests.notAssigned(app.clientId, app.displayName));
    return;
  }
  const parsed = parseDelegatedScopes(tenant, ctx.origin, request.scopes);
  if (!parsed.ok) {
    sendAuthorizeError(ctx, request, parsed.kind === "unknown-resource" ? ests.resourceNotFound(parsed.scope, tenant.displayName) : ests.invalidScope(parsed.scope));
    return;
  }
  const missing = missingConsent(app, parsed.value);
  const mustAsk = missing.length > 0 || (request.prompt === "consent" && !options.consentAccepted);
  if (mustAsk && !options.consentAccepted) {
    if (!options.interactive) {
      sendAuthorizeError(ctx, request, ests.consentRequiredInteractive(app.clientId, app.displayName));
      return;
    }
    // offline_access is consented with the rest, so the policy weighs it too.
    const toConsent = [...missing, ...(missing.length > 0 && parsed.value.oidc.includes("offline_access") ? ["offline_access"] : [])];
    const decision = consentDecision(tenant, app, user, toConsent);
    if (decision.kind === "admin-approval" && decision.request) {
      askChoice(ctx, tenant, user, mfaDone, {
        title: "Approval required",
        heading: "Approval required",
        body: `<p>${escapeHtml(app.displayName)} needs permission to access resources in your organization that only an admin can grant. Request approval from an admin to use this app.</p>
<label for="justification">Justification for requesting this app</label>
<textarea id="justification" name="justification" rows="3"></textarea>`,
        accept: ["consent-request", "Request approval"],
        decline: ["consent-request-cancel", "Back to app"],
      });
      return;
    }
    if (decision.kind === "admin-approval") {
      sendAuthorizeError(ctx, request, app.consentBlockCode === 900941 ? ests.riskyAppBlocked() : ests.adminApprovalRequired());
      return;
    }
    const list = (missing.length > 0 ? missing : parsed.value.permissions).map((p) => `<li>${escapeHtml(p)}</li>`).join("");
    askChoice(ctx, tenant, user, mfaDone, {
      title: "Permissions requested",
      heading: "Permissions requested",
      body: `<p>${escapeHtml(app.displayName)} needs permission to:</p><ul>${list}</ul><p>Signed in as ${escapeHtml(user.upn)}.</p>`,
      accept: ["consent-accept", "Accept"],
      decline: ["consent-decline", "Cancel"],
    });
    return;
  }
  if (missing.length > 0) app.grantedScopes = [...new Set([...app.grantedScopes, ...missing])];

  const code = issueAuthCode(ctx.state, {
    tenant: tenant.id,
    clientId: app.clientId,
    user: user.id,
    redirectUri: request.redirectUri,
    scopes: request.scopes,
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: request.codeChallengeMethod,
    nonce: request.nonce,
    mfaDone,
  });
  const sessionId = opaqueToken("");
  ctx.state.sessions.set(sessionId, { tenantId: tenant.id, userId: user.id, mfaDone });
  ctx.res.setHeader("set-cookie", sessionCookie(ctx, sessionId));
  deliverToClient(ctx, request, { code, state: request.state, session_state: randomUUID() });
}

function takeFlow(ctx: RequestContext, id: string | null): { tenant: ScenarioTenant; user: ScenarioUser; mfaDone: boolean } | undefined {
  if (!id) return undefined;
  const flow = ctx.state.flows.get(id);
  ctx.state.flows.delete(id);
  if (!flow || flow.expiresAt < Date.now()) return undefined;
  const tenant = ctx.state.scenario.tenants.find((t) => t.id === flow.tenantId);
  const user = tenant?.users.find((u) => u.id === flow.userId);
  return tenant && user ? { tenant, user, mfaDone: flow.mfaDone } : undefined;
}

/** GET|POST /{tenant}/oauth2/v2.0/authorize */
export async function handleAuthorize(ctx: RequestContext, segment: string): Promise<void> {
  const request = parseAuthorizeRequest(ctx, segment, ctx.url.searchParams);
  if (!request) return;
  const action = ctx.url.pathname + ctx.url.search;
  const heading = `Sign in to ${request.target.app.displayName}`;
  const accounts = testAccounts(ctx, request.target.tenant ?? request.target.appTenant);

  if (ctx.record.method === "GET") {
    if (request.prompt === "none") {
      const session = ctx.state.sessions.get(cookieValue(ctx, SESSION_COOKIE) ?? "");
      const tenant = session && ctx.state.scenario.tenants.find((t) => t.id === session.tenantId);
      const user = session && tenant?.users.find((u) => u.id === session.userId);
      if (!session || !tenant || !user) {
        sendAuthorizeError(ctx, request, {
          code: 50058,
          error: "login_required",
          message: "A silent sign-in request was sent but no user is signed in.",
        });
        return;
      }
      continueSignIn(ctx, request, tenant, user, session.mfaDone, { interactive: false });
      return;
    }
    sendHtml(ctx, 200, signInPage(action, { title: "Sign in to your account", heading, loginHint: request.loginHint , accounts }));
    return;
  }

  const form = new URLSearchParams(await readBody(ctx.req));
  const choice = form.get("action");
  if (choice === "cancel") {
    // The user backed out of the sign-in page (MSAL's recorded cancel shape).
    ctx.record.errorCode = "cancel";
    deliverToClient(ctx, request, { error: "access_denied", error_subcode: "cancel", state: request.state });
    return;
  }
  if (choice === "consent-request" || choice === "consent-request-cancel") {
    const flow = takeFlow(ctx, form.get("flow"));
    if (flow && choice === "consent-request") {
      flow.tenant.consent.requests.push({ clientId: request.target.app.clientId, userId: flow.user.id, justification: form.get("justification") ?? "", createdAt: new Date().toISOString() });
    }
    sendAuthorizeError(ctx, request, choice === "consent-request" ? ests.adminConsentRequested() : ests.adminApprovalRequired());
    return;
  }
  if (choice === "mfa-approve" || choice === "mfa-deny" || choice === "consent-accept" || choice === "consent-decline") {
    const flow = takeFlow(ctx, form.get("flow"));
    if (!flow) {
      sendHtml(ctx, 200, signInPage(action, { title: "Sign in to your account", heading, error: "Your sign-in session expired. Sign in again." , accounts }));
      return;
    }
    if (choice === "mfa-deny") {
      sendAuthorizeError(ctx, request, ests.strongAuthDenied());
      return;
    }
    if (choice === "consent-decline") {
      sendAuthorizeError(ctx, request, ests.consentDeclined());
      return;
    }
    continueSignIn(ctx, request, flow.tenant, flow.user, flow.mfaDone || choice === "mfa-approve", {
      interactive: true,
      consentAccepted: choice === "consent-accept",
    });
    return;
  }

  const login = (form.get("login") ?? "").trim();
  const password = form.get("passwd") ?? "";
  const found = findUserFor(ctx, request.target.tenant, login);
  if (!found) {
    const tenantName = request.target.tenant?.displayName ?? request.target.appTenant.displayName;
    const err = ests.userNotFound(tenantName);
    ctx.record.errorCode = `AADSTS${err.code}`;
    sendHtml(ctx, 200, signInPage(action, { title: "Sign in to your account", heading, loginHint: login, error: `AADSTS${err.code}: ${err.message}`, accounts }));
    return;
  }
  if (found.user.password !== password) {
    const err = ests.badPassword();
    ctx.record.errorCode = `AADSTS${err.code}`;
    sendHtml(ctx, 200, signInPage(action, { title: "Sign in to your account", heading, loginHint: login, error: `AADSTS${err.code}: ${err.message}`, accounts }));
    return;
  }
  if (found.user.personalAccount && !allowsPersonal(request.target.app)) {
    sendEstsErrorPage(
      ctx,
      MULTI_TENANT.has(segment.toLowerCase())
        ? ests.personalAccountNotSupported(found.user.upn)
        : ests.guestFromOtherIdp(found.tenant.displayName, request.target.app.clientId, request.target.app.displayName),
    );
    return;
  }
  continueSignIn(ctx, request, found.tenant, found.user, false, { interactive: true });
}

// ---------------------------------------------------------------------------------------------
// /adminconsent

function redirectMatchesAdminConsent(registered: readonly string[], requested: string): boolean {
  // The admin consent endpoint tolerates extra path segments below a registered URI (reference §3).
  return registered.some((uri) => requested === uri || requested.startsWith(uri.endsWith("/") ? uri : `${uri}/`));
}

/** GET|POST /{tenant}/adminconsent?client_id&redirect_uri&state */
export async function handleAdminConsent(ctx: RequestContext, segment: string): Promise<void> {
  const params = ctx.url.searchParams;
  const resolved = resolveApp(ctx, segment, params.get("client_id"));
  if (!resolved.ok) return;
  const { app } = resolved.value;
  const redirectUri = params.get("redirect_uri") ?? app.redirectUris[0];
  if (!redirectUri || !redirectMatchesAdminConsent(app.redirectUris, redirectUri)) {
    sendEstsErrorPage(ctx, ests.redirectMismatch(redirectUri ?? "", app.clientId));
    return;
  }
  const state = params.get("state") ?? undefined;
  const action = ctx.url.pathname + ctx.url.search;
  const permissions = [...app.requestedRoles, ...app.requestedScopes];
  const hint = `${app.displayName} requests these permissions for your whole organization: ${permissions.join(", ") || "(none)"}. Sign in as an administrator to accept.`;
  const heading = `Grant admin consent to ${app.displayName}`;
  const accounts = testAccounts(ctx, resolved.value.tenant ?? resolved.value.appTenant);

  if (ctx.record.method === "GET") {
    sendHtml(ctx, 200, signInPage(action, { title: "Permissions requested", heading, hint, submitLabel: "Accept", accounts }));
    return;
  }
  const form = new URLSearchParams(await readBody(ctx.req));
  if (form.get("action") === "cancel") {
    // Recorded callbacks carry admin_consent=True next to the error; callers must check `error` first.
    redirectWithError(ctx, redirectUri, ests.consentDeclined(), state, { admin_consent: "True" });
    return;
  }
  const login = (form.get("login") ?? "").trim();
  const found = findUserFor(ctx, resolved.value.tenant, login);
  const tenantName = resolved.value.tenant?.displayName ?? resolved.value.appTenant.displayName;
  const formError = !found ? ests.userNotFound(tenantName) : found.user.password !== form.get("passwd") ? ests.badPassword() : undefined;
  if (!found || formError) {
    const err = formError ?? ests.badPassword();
    ctx.record.errorCode = `AADSTS${err.code}`;
    sendHtml(ctx, 200, signInPage(action, { title: "Permissions requested", heading, hint, loginHint: login, error: `AADSTS${err.code}: ${err.message}`, submitLabel: "Accept", accounts }));
    return;
  }
  const tenantApp = ctx.state.findApp(found.tenant, app.clientId);
  if (!tenantApp) {
    sendEstsErrorPage(ctx, ests.appNotFound(app.clientId, found.tenant.displayName));
    return;
  }
  if (!found.user.isAdmin) {
    redirectWithError(ctx, redirectUri, ests.notAdmin(), state);
    return;
  }
  tenantApp.grantedRoles = [...new Set([...tenantApp.grantedRoles, ...tenantApp.requestedRoles])];
  tenantApp.grantedScopes = [...new Set([...tenantApp.grantedScopes, ...tenantApp.requestedScopes])];
  redirect(ctx, withQuery(redirectUri, { tenant: found.tenant.id, state, admin_consent: "True" }));
}

// ---------------------------------------------------------------------------------------------
// /logout

/** GET /{tenant}/oauth2/v2.0/logout: ends the simulator session and returns to post_logout_redirect_uri. */
export function handleLogout(ctx: RequestContext): void {
  const session = cookieValue(ctx, SESSION_COOKIE);
  if (session) ctx.state.sessions.delete(session);
  ctx.res.setHeader("set-cookie", sessionCookie(ctx, "", "; max-age=0"));
  const target = ctx.url.searchParams.get("post_logout_redirect_uri");
  // Entra only returns to URIs registered on the app; the simulator accepts any http(s) URI, enough for tests.
  if (target && /^https?:\/\//i.test(target)) {
    redirect(ctx, withQuery(target, { state: ctx.url.searchParams.get("state") ?? undefined }));
    return;
  }
  sendHtml(ctx, 200, page("Sign out", "<h1>You signed out of your account</h1><p>It's a good idea to close all browser windows.</p>"));
}
