import { createHash, randomBytes } from "node:crypto";
import type { Cloud, Fault, Scenario, ScenarioApp, ScenarioTenant, ScenarioUser } from "./scenario";

/** What Entra reports for each cloud on its OpenID metadata, and where that cloud's Graph lives. */
export interface CloudInfo {
  cloudInstanceName: string;
  tenantRegionScope: string;
  msgraphHost: string;
  graphOrigin: string;
  cloudGraphHostName: string;
  stsIssuerOrigin: string;
  /** Entra authority host of the cloud (for messages only; the simulator answers on its own origin). */
  authorityHost: string;
}

export const CLOUDS: Record<Cloud, CloudInfo> = {
  global: {
    cloudInstanceName: "microsoftonline.com",
    tenantRegionScope: "NA",
    msgraphHost: "graph.microsoft.com",
    graphOrigin: "https://graph.microsoft.com",
    cloudGraphHostName: "graph.windows.net",
    stsIssuerOrigin: "https://sts.windows.net",
    authorityHost: "login.microsoftonline.com",
  },
  usgov: {
    cloudInstanceName: "microsoftonline.us",
    tenantRegionScope: "USGov",
    msgraphHost: "graph.microsoft.us",
    graphOrigin: "https://graph.microsoft.us",
    cloudGraphHostName: "graph.windows.net",
    stsIssuerOrigin: "https://login.microsoftonline.us",
    authorityHost: "login.microsoftonline.us",
  },
  "usgov-dod": {
    cloudInstanceName: "microsoftonline.us",
    tenantRegionScope: "USGov",
    msgraphHost: "dod-graph.microsoft.us",
    graphOrigin: "https://dod-graph.microsoft.us",
    cloudGraphHostName: "graph.windows.net",
    stsIssuerOrigin: "https://login.microsoftonline.us",
    authorityHost: "login.microsoftonline.us",
  },
  china: {
    cloudInstanceName: "partner.microsoftonline.cn",
    tenantRegionScope: "AS",
    msgraphHost: "microsoftgraph.chinacloudapi.cn",
    graphOrigin: "https://microsoftgraph.chinacloudapi.cn",
    cloudGraphHostName: "graph.chinacloudapi.cn",
    stsIssuerOrigin: "https://sts.chinacloudapi.cn",
    authorityHost: "login.partner.microsoftonline.cn",
  },
};

/** Microsoft Graph's well-known application id, also accepted as a resource identifier. */
export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// ESTS accepts a GUID or a DNS name; anything else (underscores, spaces, "undefined" is a valid DNS label) is 900023.
const DNS_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

export function isGuid(value: string): boolean {
  return GUID_RE.test(value);
}

export function isValidTenantIdentifier(value: string): boolean {
  return isGuid(value) || DNS_RE.test(value);
}

/** Stable GUID derived from a seed, used for ids the scenario leaves out (service principals, events). */
export function derivedGuid(seed: string): string {
  const hex = createHash("sha256").update(seed).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function servicePrincipalId(tenant: ScenarioTenant, app: ScenarioApp): string {
  return app.servicePrincipalId ?? derivedGuid(`sp:${tenant.id}:${app.clientId}`);
}

export function opaqueToken(prefix: string): string {
  return `${prefix}${randomBytes(32).toString("base64url")}`;
}

export interface AuthCodeRecord {
  code: string;
  tenantId: string;
  clientId: string;
  redirectUri: string;
  /** Requested scopes exactly as sent (resource-less Graph names and OIDC scopes). */
  scopes: string[];
  codeChallenge?: string;
  codeChallengeMethod?: "S256" | "plain";
  nonce?: string;
  userId: string;
  mfaDone: boolean;
  expiresAt: number;
  used: boolean;
}

export interface RefreshTokenRecord {
  tenantId: string;
  clientId: string;
  userId: string;
  scopes: string[];
  mfaDone: boolean;
  issuedAt: number;
  revoked: boolean;
}

/** A sign-in in progress between the form steps (password → MFA → consent). */
export interface SignInFlow {
  tenantId: string;
  userId: string;
  mfaDone: boolean;
  expiresAt: number;
}

/**
 * Mutable simulator state: the live scenario, pending auth codes, refresh tokens and fault counters.
 * Codes and refresh tokens are opaque random strings; only their records carry meaning.
 */
export class SimulatorState {
  scenario: Scenario;
  readonly authCodes = new Map<string, AuthCodeRecord>();
  readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  readonly flows = new Map<string, SignInFlow>();
  /** Browser sessions (cookie value → signed-in user) so prompt=none can succeed after a sign-in. */
  readonly sessions = new Map<string, { tenantId: string; userId: string; mfaDone: boolean }>();
  /** How many requests each counted fault has already answered (reset by setFaults/setScenario). */
  faultHits = new Map<Fault, number>();
  /** The clock that decides when pending Exchange scoping changes apply; tests replace it. */
  now: () => Date = () => new Date();

  constructor(scenario: Scenario) {
    this.scenario = scenario;
  }

  replaceScenario(scenario: Scenario): void {
    this.scenario = scenario;
    this.faultHits = new Map();
    this.authCodes.clear();
    this.refreshTokens.clear();
    this.flows.clear();
    this.sessions.clear();
  }

  replaceFaults(faults: Fault[]): void {
    this.scenario.faults = faults;
    this.faultHits = new Map();
  }

  /** Tenant by GUID or by any of its domains (case-insensitive), as ESTS resolves the path segment. */
  findTenant(identifier: string): ScenarioTenant | undefined {
    const needle = identifier.toLowerCase();
    return this.scenario.tenants.find((tenant) => tenant.id === needle || tenant.domains.includes(needle));
  }

  findApp(tenant: ScenarioTenant, clientId: string): ScenarioApp | undefined {
    const needle = clientId.toLowerCase();
    return tenant.apps.find((app) => app.clientId === needle);
  }

  /** User by object id or UPN (case-insensitive), like Graph's /users/{id|userPrincipalName}. */
  findUser(tenant: ScenarioTenant, idOrUpn: string): ScenarioUser | undefined {
    const needle = idOrUpn.toLowerCase();
    return tenant.users.find((user) => user.id === needle || user.upn.toLowerCase() === needle);
  }

  /** Invalidates every refresh token and browser session of a user, as revoking sign-in sessions does. */
  revokeUserSessions(userId: string): void {
    for (const record of this.refreshTokens.values()) {
      if (record.userId === userId) record.revoked = true;
    }
    for (const [id, session] of this.sessions) {
      if (session.userId === userId) this.sessions.delete(id);
    }
  }

  /** For the multi-tenant authorities (/common, /organizations) a user is located by UPN across tenants. */
  findUserAnywhere(upn: string): { tenant: ScenarioTenant; user: ScenarioUser } | undefined {
    for (const tenant of this.scenario.tenants) {
      const user = this.findUser(tenant, upn);
      if (user) return { tenant, user };
    }
    return undefined;
  }
}
