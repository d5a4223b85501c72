import type { Cloud } from "@/lib/entra/clouds";
import { graphResourceAppId } from "@/lib/entra/permissions";
import { decodeAccessTokenClaims } from "@/lib/graph/access-token";

/**
 * The administrator's Graph token, read without trusting it: the console only uses it to call Graph,
 * which validates it. What we read here decides what to tell the administrator before anything
 * starts (whose token, which tenant, how long it lasts, and what it can do). Pure.
 */

/** Directory role template ids: identical in every tenant, unlike the roles' object ids and names. */
export const roleTemplates = {
  globalAdministrator: "62e90394-69f5-4237-9190-012177145e10",
  privilegedRoleAdministrator: "e8611ab8-c189-46e8-94e1-60213ab1f814",
  applicationAdministrator: "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
  cloudApplicationAdministrator: "158c047a-c907-4556-b7ef-446551a6b5f7",
} as const;

export const roleNames: Readonly<Record<string, string>> = {
  [roleTemplates.globalAdministrator]: "Global Administrator",
  [roleTemplates.privilegedRoleAdministrator]: "Privileged Role Administrator",
  [roleTemplates.applicationAdministrator]: "Application Administrator",
  [roleTemplates.cloudApplicationAdministrator]: "Cloud Application Administrator",
};

/** Scopes the setup app asks for; the settings page lists them for the operator who registers it. */
export const setupAppScopes = [
  "User.Read",
  "Application.ReadWrite.All",
  "AppRoleAssignment.ReadWrite.All",
  "DelegatedPermissionGrant.ReadWrite.All",
  "Policy.Read.All",
  "RoleManagement.Read.Directory",
] as const;

const scopeSets = {
  createApps: ["Application.ReadWrite.All", "Directory.AccessAsUser.All", "Directory.ReadWrite.All"],
  grant: ["AppRoleAssignment.ReadWrite.All", "Directory.AccessAsUser.All", "Directory.ReadWrite.All"],
  // Directory.AccessAsUser.All does not reach /policies, even for a Global Administrator.
  readPolicies: ["Policy.Read.All", "Policy.ReadWrite.ApplicationConfiguration", "Policy.ReadWrite.Authorization"],
  readRoleNames: ["RoleManagement.Read.Directory", "RoleManagement.Read.All", "Directory.Read.All", "Directory.ReadWrite.All"],
} as const;

export type SetupTokenFacts = {
  tenantId: string;
  userId: string;
  /** The signed-in account as the token names it; shown to the admin, never logged with the token. */
  account: string;
  expiresAt: Date;
  scopes: string[];
  /** Role template ids from `wids`; undefined when the token carries no `wids` claim. */
  roleTemplateIds: string[] | undefined;
  can: { createApps: boolean; grant: boolean; readPolicies: boolean; readRoleNames: boolean };
};

export type SetupTokenInspection = { ok: true; facts: SetupTokenFacts } | { ok: false; problem: string };

/** How long a token must still be valid for a provisioning to start. */
const MINIMUM_REMAINING_MS = 5 * 60_000;

function audiencesOf(cloud: Cloud): string[] {
  return [cloud.graphHost, ...cloud.msgraphHosts.map((host) => `https://${host}`), graphResourceAppId].map((value) => value.replace(/\/+$/, "").toLowerCase());
}

function stringClaim(claims: Record<string, unknown>, name: string): string | undefined {
  const value = claims[name];
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

export function inspectSetupToken(raw: string, cloud: Cloud, now = new Date()): SetupTokenInspection {
  const token = raw.trim().replace(/^bearer\s+/i, "");
  const claims = decodeAccessTokenClaims(token);
  if (!claims || token.split(".").length !== 3) {
    return { ok: false, problem: "This is not an access token. Paste the whole output of the command: one long line of three parts separated by dots." };
  }
  const audience = (claims.aud ?? "").replace(/\/+$/, "").toLowerCase();
  if (!audiencesOf(cloud).includes(audience)) {
    return {
      ok: false,
      problem: `This token is for ${claims.aud ?? "no audience"}, not for Microsoft Graph in ${cloud.label}. Run the command with --resource-type ms-graph, signed in to that cloud.`,
    };
  }
  if (!claims.scp) {
    return { ok: false, problem: "This token belongs to an application, not to a signed-in administrator. Sign in as an administrator (az login) and run the command again." };
  }
  const tenantId = claims.tid;
  const userId = stringClaim(claims, "oid");
  if (!tenantId || !userId) return { ok: false, problem: "This token names no tenant or user. Get a new one with the command shown." };
  const expiresAt = new Date((claims.exp ?? 0) * 1000);
  if (expiresAt.getTime() - now.getTime() < MINIMUM_REMAINING_MS) {
    return { ok: false, problem: "This token has expired or expires within five minutes. Run the command again for a fresh one." };
  }
  const scopes = claims.scp.split(" ").filter(Boolean);
  const wids = claims.wids;
  const roleTemplateIds = Array.isArray(wids) ? wids.filter((id): id is string => typeof id === "string").map((id) => id.toLowerCase()) : undefined;
  const has = (set: readonly string[]) => set.some((scope) => scopes.includes(scope));
  return {
    ok: true,
    facts: {
      tenantId,
      userId,
      account: stringClaim(claims, "upn") ?? stringClaim(claims, "unique_name") ?? stringClaim(claims, "preferred_username") ?? userId,
      expiresAt,
      scopes,
      roleTemplateIds,
      can: { createApps: has(scopeSets.createApps), grant: has(scopeSets.grant), readPolicies: has(scopeSets.readPolicies), readRoleNames: has(scopeSets.readRoleNames) },
    },
  };
}

/** What this token can and cannot do, in sentences, before anything starts. */
export function describeTokenAbilities(facts: SetupTokenFacts): { can: string[]; cannot: string[] } {
  const can: string[] = [];
  const cannot: string[] = [];
  (facts.can.createApps ? can : cannot).push("create the app, its service principal and its credential");
  (facts.can.grant ? can : cannot).push("grant the app's Microsoft Graph permissions (when you hold a role that may)");
  if (facts.can.readPolicies) can.push("read the tenant's app-management policies");
  else cannot.push("read the tenant's policies: the setup app sign-in, or Microsoft Graph PowerShell connected with -Scopes Policy.Read.All, can");
  return { can, cannot };
}
