import { randomBytes } from "node:crypto";
import { directoryRolesOf } from "./applications";
import { signJwt, type SigningKey } from "./jwt";
import type { ScenarioApp, ScenarioTenant, ScenarioUser } from "./scenario";
import { CLOUDS, GRAPH_APP_ID, isGuid, opaqueToken, servicePrincipalId, type SimulatorState } from "./state";

/** OIDC scopes ESTS handles itself; they never reach a resource's `scp`. */
export const OIDC_SCOPES = new Set(["openid", "profile", "email", "offline_access"]);

export interface MintContext {
  state: SimulatorState;
  signingKey: SigningKey;
  origin: string;
}

/** Resources (as origins or the Graph app id) that exist in a tenant: its cloud's Graph and the simulator itself. */
export function knownResources(tenant: ScenarioTenant, origin: string): string[] {
  return [CLOUDS[tenant.cloud].graphOrigin, origin, GRAPH_APP_ID];
}

/** Normalises a resource identifier (`https://graph.microsoft.com/`, GUID) for comparison; null when unknown. */
export function matchResource(tenant: ScenarioTenant, origin: string, resource: string): string | null {
  const normalized = resource.replace(/\/+$/, "").toLowerCase();
  const hit = knownResources(tenant, origin).find((known) => known.toLowerCase() === normalized);
  if (!hit) return null;
  // A token requested by Graph's app id still carries the Graph URL as audience.
  return hit === GRAPH_APP_ID ? CLOUDS[tenant.cloud].graphOrigin : hit;
}

export function looksLikeResource(value: string): boolean {
  return /^https?:\/\//i.test(value) || isGuid(value) || value.startsWith("api://");
}

export interface ParsedScopes {
  /** Resource the delegated scopes belong to (unqualified names mean the cloud's Graph). */
  resource: string;
  /** Short permission names such as `Calendars.ReadWrite` (empty with `/.default`). */
  permissions: string[];
  oidc: string[];
  usesDefault: boolean;
}

export type ScopeParse = { ok: true; value: ParsedScopes } | { ok: false; kind: "invalid" | "unknown-resource"; scope: string };

/** Splits a delegated scope string into OIDC scopes and one resource's permissions. */
export function parseDelegatedScopes(tenant: ScenarioTenant, origin: string, scopes: string[]): ScopeParse {
  const oidc: string[] = [];
  const permissions: string[] = [];
  let resource: string | undefined;
  let usesDefault = false;
  for (const raw of scopes) {
    const scope = raw.trim();
    if (!scope) continue;
    if (OIDC_SCOPES.has(scope.toLowerCase())) {
      oidc.push(scope.toLowerCase());
      continue;
    }
    let scopeResource = CLOUDS[tenant.cloud].graphOrigin;
    let name = scope;
    const slash = scope.lastIndexOf("/");
    if (looksLikeResource(scope) && slash > "https://".length) {
      const matched = matchResource(tenant, origin, scope.slice(0, slash));
      if (!matched) return { ok: false, kind: "unknown-resource", scope: scope.slice(0, slash) };
      scopeResource = matched;
      name = scope.slice(slash + 1);
    } else if (scope.includes("/")) {
      return { ok: false, kind: "invalid", scope };
    }
    if (resource !== undefined && resource !== scopeResource) return { ok: false, kind: "invalid", scope };
    resource = scopeResource;
    if (name === ".default") usesDefault = true;
    else if (!permissions.some((p) => p.toLowerCase() === name.toLowerCase())) permissions.push(name);
  }
  return { ok: true, value: { resource: resource ?? CLOUDS[tenant.cloud].graphOrigin, permissions, oidc, usesDefault } };
}

/** Permissions a delegated request needs consent for: the named ones, or everything configured for `/.default`. */
export function neededPermissions(app: ScenarioApp, parsed: ParsedScopes): string[] {
  if (parsed.usesDefault) return app.requestedScopes.length > 0 ? app.requestedScopes : app.grantedScopes;
  return parsed.permissions;
}

export function missingConsent(app: ScenarioApp, parsed: ParsedScopes): string[] {
  const granted = new Set(app.grantedScopes.map((s) => s.toLowerCase()));
  return neededPermissions(app, parsed).filter((p) => !granted.has(p.toLowerCase()));
}

export function lifetimeOf(state: SimulatorState, app: ScenarioApp | undefined): number {
  return app?.accessTokenLifetimeSeconds ?? state.scenario.settings.accessTokenLifetimeSeconds;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function uti(): string {
  return randomBytes(16).toString("base64url").slice(0, 22);
}

/** App-only Graph token (v1.0 format, as Graph gets it). `roles` is omitted entirely when nothing is granted. */
export function signAppToken(
  ctx: MintContext,
  options: { tenant: ScenarioTenant; app: ScenarioApp; audience: string; lifetime: number; viaCertificate: boolean; roles?: string[] },
): string {
  const { tenant, app } = options;
  const iat = nowSeconds();
  const roles = options.roles ?? app.grantedRoles;
  const sp = servicePrincipalId(tenant, app);
  const issuer = `${CLOUDS[tenant.cloud].stsIssuerOrigin}/${tenant.id}/`;
  const payload: Record<string, unknown> = {
    aud: options.audience,
    iss: issuer,
    iat,
    nbf: iat,
    exp: iat + options.lifetime,
    aio: randomBytes(24).toString("base64url"),
    app_displayname: app.displayName,
    appid: app.clientId,
    appidacr: options.viaCertificate ? "2" : "1",
    idp: issuer,
    idtyp: "app",
    oid: sp,
    rh: "0.AAAA-sim.",
    sub: sp,
    tenant_region_scope: CLOUDS[tenant.cloud].tenantRegionScope,
    tid: tenant.id,
    uti: uti(),
    ver: "1.0",
    xms_tcdt: iat - 86400 * 365,
  };
  if (roles.length > 0) payload.roles = [...roles];
  return signJwt(ctx.signingKey, payload);
}

/** Delegated Graph token: `scp` (space-separated) plus the user's claims. */
export function signDelegatedToken(
  ctx: MintContext,
  options: {
    tenant: ScenarioTenant;
    app: ScenarioApp;
    user: ScenarioUser;
    audience: string;
    scopes: string[];
    lifetime: number;
    mfaDone: boolean;
  },
): string {
  const { tenant, app, user } = options;
  const iat = nowSeconds();
  const issuer = `${CLOUDS[tenant.cloud].stsIssuerOrigin}/${tenant.id}/`;
  const payload: Record<string, unknown> = {
    aud: options.audience,
    iss: issuer,
    iat,
    nbf: iat,
    exp: iat + options.lifetime,
    acct: user.guest ? 1 : 0,
    acr: "1",
    aio: randomBytes(24).toString("base64url"),
    amr: options.mfaDone ? ["pwd", "mfa"] : ["pwd"],
    app_displayname: app.displayName,
    appid: app.clientId,
    appidacr: "1",
    family_name: user.surname ?? undefined,
    given_name: user.givenName ?? undefined,
    idtyp: "user",
    ipaddr: "127.0.0.1",
    name: user.displayName,
    oid: user.id,
    platf: "14",
    rh: "0.AAAA-sim.",
    scp: options.scopes.join(" "),
    sub: randomBytes(32).toString("base64url").slice(0, 43),
    tenant_region_scope: CLOUDS[tenant.cloud].tenantRegionScope,
    tid: tenant.id,
    unique_name: user.upn,
    upn: user.upn,
    uti: uti(),
    ver: "1.0",
    wids: user.omitWids || directoryRolesOf(user).length === 0 ? undefined : directoryRolesOf(user),
  };
  return signJwt(ctx.signingKey, JSON.parse(JSON.stringify(payload)) as Record<string, unknown>);
}

/** v2.0 id_token for the client: issuer on the simulator origin, matching the OpenID metadata. */
export function signIdToken(
  ctx: MintContext,
  options: { tenant: ScenarioTenant; app: ScenarioApp; user: ScenarioUser; nonce?: string; lifetime: number },
): string {
  const { tenant, app, user } = options;
  const iat = nowSeconds();
  const payload: Record<string, unknown> = {
    aud: app.clientId,
    iss: `${ctx.origin}/${tenant.id}/v2.0`,
    iat,
    nbf: iat,
    exp: iat + options.lifetime,
    name: user.displayName,
    oid: user.id,
    preferred_username: user.upn,
    rh: "0.AAAA-sim.",
    sub: randomBytes(32).toString("base64url").slice(0, 43),
    tid: tenant.id,
    uti: uti(),
    ver: "2.0",
  };
  if (user.mail) payload.email = user.mail;
  if (options.nonce) payload.nonce = options.nonce;
  return signJwt(ctx.signingKey, payload);
}

export function clientInfo(tenant: ScenarioTenant, user: ScenarioUser): string {
  return Buffer.from(JSON.stringify({ uid: user.id, utid: tenant.id })).toString("base64url");
}

export interface IssueAuthCodeOptions {
  /** Tenant GUID or domain. */
  tenant: string;
  clientId: string;
  /** User object id or UPN. */
  user: string;
  redirectUri: string;
  scopes: string[];
  codeChallenge?: string;
  codeChallengeMethod?: "S256" | "plain";
  nonce?: string;
  mfaDone?: boolean;
}

const CODE_LIFETIME_MS = 10 * 60 * 1000;

export function issueAuthCode(state: SimulatorState, options: IssueAuthCodeOptions): string {
  const tenant = state.findTenant(options.tenant);
  if (!tenant) throw new Error(`issueAuthCode: unknown tenant ${options.tenant}`);
  const user = state.findUser(tenant, options.user);
  if (!user) throw new Error(`issueAuthCode: unknown user ${options.user}`);
  const code = opaqueToken("1.AAAA-simcode.");
  state.authCodes.set(code, {
    code,
    tenantId: tenant.id,
    clientId: options.clientId.toLowerCase(),
    redirectUri: options.redirectUri,
    scopes: options.scopes,
    codeChallenge: options.codeChallenge,
    codeChallengeMethod: options.codeChallenge ? (options.codeChallengeMethod ?? "plain") : undefined,
    nonce: options.nonce,
    userId: user.id,
    mfaDone: options.mfaDone ?? false,
    expiresAt: Date.now() + CODE_LIFETIME_MS,
    used: false,
  });
  return code;
}

export interface MintAccessTokenOptions {
  /** Tenant GUID or domain. */
  tenant: string;
  clientId: string;
  /** Delegated token for this user (id or UPN); app-only token when omitted. */
  user?: string;
  /** App-only: roles to put in the token (default: the app's granted roles; [] omits the claim). */
  roles?: string[];
  /** Delegated: `scp` values (default: the app's granted scopes). */
  scopes?: string[];
  /** Default: the tenant cloud's Graph origin. */
  audience?: string;
  /** Default: scenario lifetime. Negative values mint an already expired token. */
  expiresInSeconds?: number;
}

export function mintAccessToken(ctx: MintContext, options: MintAccessTokenOptions): string {
  const tenant = ctx.state.findTenant(options.tenant);
  if (!tenant) throw new Error(`mintAccessToken: unknown tenant ${options.tenant}`);
  const app = ctx.state.findApp(tenant, options.clientId);
  if (!app) throw new Error(`mintAccessToken: unknown app ${options.clientId}`);
  const audience = options.audience ?? CLOUDS[tenant.cloud].graphOrigin;
  const lifetime = options.expiresInSeconds ?? lifetimeOf(ctx.state, app);
  if (options.user === undefined) {
    return signAppToken(ctx, { tenant, app, audience, lifetime, viaCertificate: false, roles: options.roles });
  }
  const user = ctx.state.findUser(tenant, options.user);
  if (!user) throw new Error(`mintAccessToken: unknown user ${options.user}`);
  return signDelegatedToken(ctx, {
    tenant,
    app,
    user,
    audience,
    scopes: options.scopes ?? app.grantedScopes,
    lifetime,
    mfaDone: true,
  });
}

export function newRefreshToken(
  state: SimulatorState,
  record: { tenantId: string; clientId: string; userId: string; scopes: string[]; mfaDone: boolean },
): string {
  const token = opaqueToken("1.AAAA-simrt.");
  state.refreshTokens.set(token, { ...record, issuedAt: Date.now(), revoked: false });
  return token;
}
