import { replicatedCertificates } from "./application-keys";
import { createHash } from "node:crypto";
import { appHiddenFromTokenEndpoint } from "./applications";
import { resolveTenant } from "./discovery";
import { ests, estsHeaders, estsTimestamp, newEstsCorrelation, clientRequestIdOf, sendEstsError, type EstsError } from "./errors";
import { readBody, sendJson, type RequestContext } from "./http";
import { verifyClientAssertion } from "./jwt";
import type { ScenarioApp, ScenarioTenant, ScenarioUser } from "./scenario";
import {
  clientInfo,
  lifetimeOf,
  looksLikeResource,
  matchResource,
  missingConsent,
  neededPermissions,
  newRefreshToken,
  parseDelegatedScopes,
  signAppToken,
  signDelegatedToken,
  signIdToken,
  type ParsedScopes,
} from "./tokens";

export { issueAuthCode, mintAccessToken, type IssueAuthCodeOptions, type MintAccessTokenOptions } from "./tokens";

const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/** Form fields safe to keep in the request log. */
const SAFE_FORM_FIELDS = new Set(["grant_type", "client_id", "scope", "redirect_uri", "client_assertion_type", "client_info", "claims"]);

class EstsFailure extends Error {
  constructor(readonly ests: EstsError) {
    super(`AADSTS${ests.code}`);
  }
}

function fail(err: EstsError): never {
  throw new EstsFailure(err);
}

function sendTokenSuccess(ctx: RequestContext, body: Record<string, unknown>): void {
  const corr = newEstsCorrelation(clientRequestIdOf(ctx));
  sendJson(ctx, 200, body, estsHeaders(corr.traceId, { "x-ms-clitelem": "1,0,0,," }));
}

interface ClientAuth {
  app: ScenarioApp;
  viaCertificate: boolean;
}

function tokenEndpoints(ctx: RequestContext, tenant: ScenarioTenant, segment: string): string[] {
  return [tenant.id, segment, ...tenant.domains].map((t) => `${ctx.origin}/${t}/oauth2/v2.0/token`.toLowerCase());
}

/** Client authentication: client_secret (post or basic) or a certificate-signed client assertion. */
function authenticateClient(ctx: RequestContext, form: URLSearchParams, tenant: ScenarioTenant, segment: string): ClientAuth {
  let clientId = form.get("client_id");
  let secret = form.get("client_secret");
  const basic = ctx.req.headers.authorization;
  if (basic?.toLowerCase().startsWith("basic ")) {
    const decoded = Buffer.from(basic.slice(6), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0) {
      clientId ??= decodeURIComponent(decoded.slice(0, colon));
      secret ??= decodeURIComponent(decoded.slice(colon + 1));
    }
  }
  if (!clientId) fail(ests.missingParameter("client_id"));
  const app = ctx.state.findApp(tenant, clientId);
  if (!app || appHiddenFromTokenEndpoint(ctx, app)) fail(ests.appNotFound(clientId, tenant.displayName));

  const assertion = form.get("client_assertion");
  let viaCertificate = false;
  if (assertion) {
    if (form.get("client_assertion_type") !== JWT_BEARER) fail(ests.missingParameter("client_assertion_type"));
    const check = verifyClientAssertion({
      assertion,
      clientId: app.clientId,
      tokenEndpoints: tokenEndpoints(ctx, tenant, segment),
      certificates: replicatedCertificates(app, Date.now()),
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    if (!check.ok) fail(ests.assertion(check.code, check.detail));
    viaCertificate = true;
  } else if (secret) {
    const match = app.secrets.find((candidate) => candidate.value === secret);
    if (!match) fail(ests.invalidSecret(app.clientId));
    if (Date.parse(match.expiresAt) <= Date.now()) fail(ests.expiredSecret(app.clientId));
  } else {
    fail(ests.missingCredential());
  }
  if (app.disabled) fail(ests.appDisabled(app.clientId, app.displayName));
  return { app, viaCertificate };
}

function clientCredentials(ctx: RequestContext, form: URLSearchParams, tenant: ScenarioTenant, auth: ClientAuth): void {
  const scope = form.get("scope");
  if (!scope) fail(ests.missingParameter("scope"));
  const scopes = scope.split(" ").filter(Boolean);
  const first = scopes[0] ?? scope;
  // ESTS wants exactly one "<resource>/.default"; anything else is a delegated-style scope (1002012).
  if (scopes.length !== 1 || !first.endsWith("/.default")) fail(ests.scopeNeedsDefault(scope));
  const resource = first.slice(0, -"/.default".length);
  if (!looksLikeResource(resource)) fail(ests.invalidScope(first));
  const audience = matchResource(tenant, ctx.origin, resource);
  if (!audience) fail(ests.resourceNotFound(resource, tenant.displayName));
  if (auth.app.conditionalAccessBlocked) fail(ests.conditionalAccess());
  const lifetime = lifetimeOf(ctx.state, auth.app);
  sendTokenSuccess(ctx, {
    token_type: "Bearer",
    expires_in: lifetime,
    ext_expires_in: lifetime,
    access_token: signAppToken(ctx, { tenant, app: auth.app, audience, lifetime, viaCertificate: auth.viaCertificate }),
  });
}

function parseScopesOrFail(ctx: RequestContext, tenant: ScenarioTenant, scopes: string[]): ParsedScopes {
  const parsed = parseDelegatedScopes(tenant, ctx.origin, scopes);
  if (!parsed.ok) {
    if (parsed.kind === "unknown-resource") fail(ests.resourceNotFound(parsed.scope, tenant.displayName));
    fail(ests.invalidScope(parsed.scope));
  }
  return parsed.value;
}

/** Token response for a user: access token, refresh token, id_token and client_info. */
function userTokens(
  ctx: RequestContext,
  options: { tenant: ScenarioTenant; app: ScenarioApp; user: ScenarioUser; parsed: ParsedScopes; nonce?: string; mfaDone: boolean; requested: string[] },
): void {
  const { tenant, app, user, parsed } = options;
  const missing = missingConsent(app, parsed);
  if (missing.length > 0) fail(ests.consentMissing(app.clientId, app.displayName));
  const permissions = parsed.usesDefault ? neededPermissions(app, parsed) : parsed.permissions;
  // scp holds every consented permission for the resource, not only the requested ones.
  const granted = [...new Set([...app.grantedScopes, ...permissions])];
  const scp = [...granted, ...parsed.oidc.filter((s) => s !== "offline_access")];
  const lifetime = lifetimeOf(ctx.state, app);
  const body: Record<string, unknown> = {
    token_type: "Bearer",
    scope: [...permissions.map((p) => `${parsed.resource}/${p}`), ...parsed.oidc.filter((s) => s !== "offline_access")].join(" "),
    expires_in: lifetime,
    ext_expires_in: lifetime,
    access_token: signDelegatedToken(ctx, { tenant, app, user, audience: parsed.resource, scopes: scp, lifetime, mfaDone: options.mfaDone }),
  };
  if (parsed.oidc.includes("offline_access")) {
    body.refresh_token = newRefreshToken(ctx.state, {
      tenantId: tenant.id,
      clientId: app.clientId,
      userId: user.id,
      scopes: options.requested,
      mfaDone: options.mfaDone,
    });
  }
  if (parsed.oidc.includes("openid")) {
    body.id_token = signIdToken(ctx, { tenant, app, user, nonce: options.nonce, lifetime: 3600 });
  }
  body.client_info = clientInfo(tenant, user);
  sendTokenSuccess(ctx, body);
}

function pkceMatches(verifier: string, challenge: string, method: "S256" | "plain"): boolean {
  if (method === "plain") return verifier === challenge;
  return createHash("sha256").update(verifier).digest("base64url") === challenge;
}

function authorizationCode(ctx: RequestContext, form: URLSearchParams, segmentTenant: ScenarioTenant | undefined, segment: string): void {
  const code = form.get("code");
  if (!code) fail(ests.missingParameter("code"));
  const record = ctx.state.authCodes.get(code);
  if (!record) fail(ests.malformedGrant());
  const tenant = ctx.state.scenario.tenants.find((t) => t.id === record.tenantId);
  if (!tenant || (segmentTenant && segmentTenant.id !== tenant.id)) fail(ests.badCode());
  const auth = authenticateClient(ctx, form, tenant, segment);
  if (record.clientId !== auth.app.clientId) fail(ests.badCode());
  if (record.used) fail(ests.codeRedeemed());
  if (record.expiresAt < Date.now()) fail(ests.codeExpired());
  const redirectUri = form.get("redirect_uri");
  if (redirectUri !== record.redirectUri) fail(ests.redirectMismatch(redirectUri ?? "", auth.app.clientId));
  if (record.codeChallenge) {
    const verifier = form.get("code_verifier");
    if (!verifier) fail(ests.pkceMissing());
    if (!pkceMatches(verifier, record.codeChallenge, record.codeChallengeMethod ?? "plain")) fail(ests.pkceMismatch());
  }
  record.used = true;
  const user = tenant.users.find((u) => u.id === record.userId);
  if (!user) fail(ests.badCode());
  const requested = (form.get("scope") ?? record.scopes.join(" ")).split(" ").filter(Boolean);
  const parsed = parseScopesOrFail(ctx, tenant, requested);
  userTokens(ctx, { tenant, app: auth.app, user, parsed, nonce: record.nonce, mfaDone: record.mfaDone, requested });
}

function refreshToken(ctx: RequestContext, form: URLSearchParams, segmentTenant: ScenarioTenant | undefined, segment: string): void {
  const token = form.get("refresh_token");
  if (!token) fail(ests.missingParameter("refresh_token"));
  const record = ctx.state.refreshTokens.get(token);
  if (!record) fail(ests.malformedGrant());
  const tenant = ctx.state.scenario.tenants.find((t) => t.id === record.tenantId);
  if (!tenant || (segmentTenant && segmentTenant.id !== tenant.id)) fail(ests.badCode());
  const auth = authenticateClient(ctx, form, tenant, segment);
  if (record.clientId !== auth.app.clientId) fail(ests.badCode());
  const user = tenant.users.find((u) => u.id === record.userId);
  if (!user) fail(ests.badCode());
  const issued = estsTimestamp(new Date(record.issuedAt)).replace(" ", "T").replace("Z", ".0000000Z");
  if (record.revoked || user.refreshTokenState === "revoked") fail(ests.refreshRevoked(issued, new Date().toISOString().replace(/\.\d+Z$/, ".0000000Z")));
  if (user.refreshTokenState === "expired") fail(ests.refreshExpired());
  if (user.refreshTokenState === "inactive") fail(ests.refreshInactive(issued));
  const requested = (form.get("scope") ?? record.scopes.join(" ")).split(" ").filter(Boolean);
  const parsed = parseScopesOrFail(ctx, tenant, requested);
  if (user.conditionalAccessBlocked) fail(ests.conditionalAccess());
  if (user.refreshMfaError === 50078) fail(ests.mfaExpired(parsed.resource));
  if (user.refreshMfaError === 50079) fail(ests.mfaEnrollment(parsed.resource));
  if (user.mfaRequired && !record.mfaDone) fail(ests.mfaRequired(parsed.resource));
  userTokens(ctx, { tenant, app: auth.app, user, parsed, mfaDone: record.mfaDone, requested });
}

/** POST /{tenant}/oauth2/v2.0/token */
export async function handleToken(ctx: RequestContext, segment: string): Promise<void> {
  const form = new URLSearchParams(await readBody(ctx.req));
  const safe: Record<string, string> = {};
  for (const [key, value] of form) safe[key] = SAFE_FORM_FIELDS.has(key) ? value : "[redacted]";
  ctx.record.form = safe;

  const resolved = resolveTenant(ctx, segment, true);
  if (resolved.kind === "error") return;
  const tenant = resolved.kind === "tenant" ? resolved.tenant : undefined;
  try {
    const grantType = form.get("grant_type");
    if (!grantType) fail(ests.missingParameter("grant_type"));
    switch (grantType) {
      case "client_credentials": {
        // App-only tokens need a concrete tenant; /common and /organizations have no directory to look in.
        if (!tenant) fail(ests.tenantNotFound(segment));
        clientCredentials(ctx, form, tenant, authenticateClient(ctx, form, tenant, segment));
        return;
      }
      case "authorization_code":
        authorizationCode(ctx, form, tenant, segment);
        return;
      case "refresh_token":
        refreshToken(ctx, form, tenant, segment);
        return;
      default:
        fail(ests.unsupportedGrant(grantType));
    }
  } catch (error) {
    if (error instanceof EstsFailure) {
      sendEstsError(ctx, error.ests);
      return;
    }
    throw error;
  }
}
