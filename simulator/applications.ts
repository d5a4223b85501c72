import { randomBytes, randomUUID } from "node:crypto";
import { clientRequestIdOf, graphHeaders, sendGraphError } from "./errors";
import { faultMatches } from "./faults";
import { readBody, send, sendJson, type RequestContext } from "./http";
import { builtInPolicies, GRAPH_DELEGATED_SCOPES } from "./consent-policy";
import type { JwtPayload } from "./jwt";
import type { Fault, ScenarioApp, ScenarioTenant, ScenarioUser } from "./scenario";
import { derivedGuid, GRAPH_APP_ID, servicePrincipalId } from "./state";
import { keyCredentialView, patchApplicationKeyCredentials } from "./application-keys";

/**
 * Microsoft Graph's application-management API, as far as registering an app for the console needs
 * it: applications, service principals, app-role assignments (admin consent), the caller's directory
 * roles, the tenant policies that govern app registration, and deleted items. Error bodies follow
 * simulator/recorded/application-errors.json, which names the public report each one was copied from.
 */

const ODATA_JSON = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/** Directory role template ids (identical in every tenant). */
export const ROLE_TEMPLATES = {
  globalAdministrator: "62e90394-69f5-4237-9190-012177145e10",
  privilegedRoleAdministrator: "e8611ab8-c189-46e8-94e1-60213ab1f814",
  applicationAdministrator: "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
  cloudApplicationAdministrator: "158c047a-c907-4556-b7ef-446551a6b5f7",
} as const;

const ROLE_NAMES: Record<string, string> = {
  [ROLE_TEMPLATES.globalAdministrator]: "Global Administrator",
  [ROLE_TEMPLATES.privilegedRoleAdministrator]: "Privileged Role Administrator",
  [ROLE_TEMPLATES.applicationAdministrator]: "Application Administrator",
  [ROLE_TEMPLATES.cloudApplicationAdministrator]: "Cloud Application Administrator",
};

/** A few of Microsoft Graph's application roles, with their real ids. */
export const GRAPH_APP_ROLES: readonly { id: string; value: string; displayName: string }[] = [
  { id: "ef54d2bf-783f-4e0f-bca1-3210c0444d99", value: "Calendars.ReadWrite", displayName: "Read and write calendars in all mailboxes" },
  { id: "798ee544-9d2d-430c-a058-570e29e34338", value: "Calendars.Read", displayName: "Read calendars in all mailboxes" },
  { id: "df021288-bdef-4463-88db-98f22de89214", value: "User.Read.All", displayName: "Read all users' full profiles" },
  { id: "97235f07-e226-4f63-ace3-39588e11d3a1", value: "User.ReadBasic.All", displayName: "Read all users' basic profiles" },
  { id: "7ab1d382-f21e-4acd-a863-ba3e13f7da61", value: "Directory.Read.All", displayName: "Read directory data" },
  { id: "498476ce-e0fe-48b0-b801-37ba7e2685c6", value: "Organization.Read.All", displayName: "Read organization information" },
];

const SCOPES = {
  readApps: ["Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"],
  writeApps: ["Application.ReadWrite.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"],
  grant: ["AppRoleAssignment.ReadWrite.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"],
  // Directory.AccessAsUser.All does not reach /policies, even for a Global Administrator.
  readPolicies: ["Policy.Read.All", "Policy.ReadWrite.ApplicationConfiguration", "Policy.ReadWrite.Authorization"],
  readGrantPolicies: ["Policy.Read.All", "Policy.Read.PermissionGrant", "Policy.ReadWrite.PermissionGrant"],
  readGrants: ["DelegatedPermissionGrant.Read.All", "DelegatedPermissionGrant.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"],
  writeGrants: ["DelegatedPermissionGrant.ReadWrite.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"],
  readOwnMemberships: ["User.Read", "User.Read.All", "Directory.Read.All", "Directory.AccessAsUser.All", "GroupMember.Read.All"],
  roleNames: ["RoleManagement.Read.Directory", "RoleManagement.Read.All", "Directory.Read.All", "Directory.ReadWrite.All"],
} as const;

const INSUFFICIENT = "Insufficient privileges to complete the operation.";

/** The caller as the Graph router authenticated it. */
export interface DirectoryCaller {
  tenant: ScenarioTenant;
  payload: JwtPayload;
  kind: "app" | "delegated";
  permissions: Set<string>;
  me: ScenarioUser | undefined;
}

/** A user's directory roles; `isAdmin` scenario users count as Global Administrators. */
export function directoryRolesOf(user: ScenarioUser): string[] {
  const roles = new Set(user.directoryRoles);
  if (user.isAdmin) roles.add(ROLE_TEMPLATES.globalAdministrator);
  return [...roles];
}

function graphServicePrincipalId(tenant: ScenarioTenant): string {
  return derivedGuid(`graph-sp:${tenant.id}`);
}

export function applicationObjectId(tenant: ScenarioTenant, app: ScenarioApp): string {
  return app.objectId ?? derivedGuid(`app:${tenant.id}:${app.clientId}`);
}

function assignmentId(spId: string, role: string): string {
  // Graph's assignment ids are base64url strings, not GUIDs.
  return Buffer.from(derivedGuid(`ara:${spId}:${role}`).replace(/-/g, ""), "hex").toString("base64url") + "AAAAAAAAAAA";
}

function ok(ctx: RequestContext, status: number, body: unknown): void {
  const requestId = randomUUID();
  sendJson(ctx, status, body, { ...graphHeaders(requestId, clientRequestIdOf(ctx) ?? requestId), "content-type": ODATA_JSON });
}

function noContent(ctx: RequestContext): void {
  const requestId = randomUUID();
  send(ctx, 204, "", graphHeaders(requestId, clientRequestIdOf(ctx) ?? requestId));
}

function denied(ctx: RequestContext): void {
  sendGraphError(ctx, 403, "Authorization_RequestDenied", INSUFFICIENT);
}

function notFound(ctx: RequestContext, id: string): void {
  sendGraphError(ctx, 404, "Request_ResourceNotFound", `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
}

function badRequest(ctx: RequestContext, message: string, details?: { code: string; message: string; target?: string }[]): void {
  sendGraphError(ctx, 400, "Request_BadRequest", message, details ? { details } : {});
}

function has(caller: DirectoryCaller, wanted: readonly string[]): boolean {
  return wanted.some((permission) => caller.permissions.has(permission));
}

function callerRoles(caller: DirectoryCaller): string[] {
  return caller.me ? directoryRolesOf(caller.me) : [];
}

function canManageApps(caller: DirectoryCaller): boolean {
  if (caller.kind === "app") return true;
  const roles = callerRoles(caller);
  return [ROLE_TEMPLATES.globalAdministrator, ROLE_TEMPLATES.applicationAdministrator, ROLE_TEMPLATES.cloudApplicationAdministrator].some((r) => roles.includes(r));
}

function canGrantGraphRoles(caller: DirectoryCaller): boolean {
  if (caller.kind === "app") return true;
  const roles = callerRoles(caller);
  return roles.includes(ROLE_TEMPLATES.globalAdministrator) || roles.includes(ROLE_TEMPLATES.privilegedRoleAdministrator);
}

// ---------------------------------------------------------------------------------------------
// Replication delay

const replicationHits = new WeakMap<Fault, Map<string, number>>();

/**
 * Whether a recently created object is still invisible to this request. Each matching replication
 * fault hides it for its first `requests` lookups on that endpoint or `seconds` after its creation.
 */
export function stillReplicating(ctx: RequestContext, objectId: string, createdAt: string | undefined): boolean {
  if (!createdAt) return false;
  const { method, path } = ctx.record;
  let hidden = false;
  for (const fault of ctx.state.scenario.faults) {
    if (fault.kind !== "replication" || !faultMatches(fault, method, path)) continue;
    const hits = replicationHits.get(fault) ?? new Map<string, number>();
    replicationHits.set(fault, hits);
    const seen = hits.get(objectId) ?? 0;
    const young = Date.now() - Date.parse(createdAt) < fault.seconds * 1000;
    if (seen < fault.requests || young) {
      hits.set(objectId, seen + 1);
      hidden = true;
    }
  }
  if (hidden) ctx.record.fault = "replication";
  return hidden;
}

/** The token endpoint asks this before it finds an app that Graph created a moment ago (AADSTS700016). */
export function appHiddenFromTokenEndpoint(ctx: RequestContext, app: ScenarioApp): boolean {
  const newest = [app.createdAt, ...app.secrets.map((secret) => secretCreatedAt.get(secret.id))].filter((v): v is string => typeof v === "string").sort().at(-1);
  return stillReplicating(ctx, app.clientId, newest);
}

const secretCreatedAt = new Map<string, string>();

// ---------------------------------------------------------------------------------------------
// Resources

function passwordCredential(secret: ScenarioApp["secrets"][number]): Record<string, unknown> {
  return {
    customKeyIdentifier: null,
    displayName: secret.displayName ?? null,
    endDateTime: secret.expiresAt,
    hint: secret.value.slice(0, 3),
    keyId: secret.id,
    secretText: null,
    startDateTime: secretCreatedAt.get(secret.id) ?? null,
  };
}

function applicationResource(tenant: ScenarioTenant, app: ScenarioApp): Record<string, unknown> {
  const roles = app.requestedRoles.map((value) => GRAPH_APP_ROLES.find((role) => role.value === value)).filter((role) => role !== undefined);
  return {
    id: applicationObjectId(tenant, app),
    deletedDateTime: app.deletedAt ?? null,
    appId: app.clientId,
    createdDateTime: app.createdAt ?? null,
    displayName: app.displayName,
    notes: app.notes,
    signInAudience: app.signInAudience,
    tags: app.tags,
    requiredResourceAccess: roles.length > 0 ? [{ resourceAppId: GRAPH_APP_ID, resourceAccess: roles.map((role) => ({ id: role.id, type: "Role" })) }] : [],
    web: { redirectUris: app.redirectUris, implicitGrantSettings: { enableAccessTokenIssuance: false, enableIdTokenIssuance: false } },
    passwordCredentials: app.secrets.map(passwordCredential),
    keyCredentials: app.certificates.filter((certificate) => certificate.pem).map((certificate) => keyCredentialView(certificate)),
  };
}

function graphServicePrincipal(tenant: ScenarioTenant): Record<string, unknown> {
  return {
    id: graphServicePrincipalId(tenant),
    appId: GRAPH_APP_ID,
    appDisplayName: "Microsoft Graph",
    displayName: "Microsoft Graph",
    servicePrincipalType: "Application",
    appRoles: GRAPH_APP_ROLES.map((role) => ({
      allowedMemberTypes: ["Application"],
      description: role.displayName,
      displayName: role.displayName,
      id: role.id,
      isEnabled: true,
      origin: "Application",
      value: role.value,
    })),
    oauth2PermissionScopes: GRAPH_DELEGATED_SCOPES.map((scope) => ({ id: scope.id, value: scope.value, type: scope.type, isEnabled: true })),
  };
}

function servicePrincipalResource(tenant: ScenarioTenant, app: ScenarioApp): Record<string, unknown> {
  return {
    id: servicePrincipalId(tenant, app),
    appId: app.clientId,
    appDisplayName: app.displayName,
    displayName: app.displayName,
    accountEnabled: !app.disabled,
    servicePrincipalType: "Application",
    tags: app.tags,
    appRoles: [],
    appRoleAssignmentRequired: app.appRoleAssignmentRequired,
    appOwnerOrganizationId: app.homeTenantId ?? tenant.id,
    verifiedPublisher: { displayName: app.verifiedPublisherId ? `Publisher ${app.verifiedPublisherId}` : null, verifiedPublisherId: app.verifiedPublisherId ?? null, addedDateTime: null },
  };
}

function assignmentResource(tenant: ScenarioTenant, app: ScenarioApp, role: string): Record<string, unknown> {
  const spId = servicePrincipalId(tenant, app);
  return {
    id: assignmentId(spId, role),
    appRoleId: GRAPH_APP_ROLES.find((candidate) => candidate.value === role)?.id ?? derivedGuid(`role:${role}`),
    createdDateTime: app.servicePrincipalCreatedAt ?? null,
    principalDisplayName: app.displayName,
    principalId: spId,
    principalType: "ServicePrincipal",
    resourceDisplayName: "Microsoft Graph",
    resourceId: graphServicePrincipalId(tenant),
  };
}

function findAppByObjectId(tenant: ScenarioTenant, id: string): ScenarioApp | undefined {
  const needle = id.toLowerCase();
  return tenant.apps.find((app) => applicationObjectId(tenant, app) === needle);
}

function findAppByServicePrincipal(tenant: ScenarioTenant, id: string): ScenarioApp | undefined {
  const needle = id.toLowerCase();
  return tenant.apps.find((app) => app.hasServicePrincipal && servicePrincipalId(tenant, app) === needle);
}

/** `appId eq 'x'`, `displayName eq 'x'`, `tags/any(t:t eq 'x')`; null for anything else. */
function filterApps(raw: string | null): ((resource: Record<string, unknown>) => boolean) | null {
  if (raw === null) return () => true;
  const eq = /^\s*(appId|displayName|id)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(raw);
  if (eq) {
    const [, prop = "", value = ""] = eq;
    const expected = value.replace(/''/g, "'").toLowerCase();
    const key = prop.toLowerCase() === "appid" ? "appId" : prop.toLowerCase() === "id" ? "id" : "displayName";
    return (resource) => String(resource[key] ?? "").toLowerCase() === expected;
  }
  const tag = /^\s*tags\/any\(\s*(\w+)\s*:\s*\1\s+eq\s+'((?:[^']|'')*)'\s*\)\s*$/i.exec(raw);
  if (tag) {
    const expected = (tag[2] ?? "").replace(/''/g, "'");
    return (resource) => Array.isArray(resource.tags) && resource.tags.includes(expected);
  }
  return null;
}

async function jsonBody(ctx: RequestContext): Promise<Record<string, unknown> | null> {
  const raw = await readBody(ctx.req);
  try {
    const parsed: unknown = raw.trim() === "" ? {} : JSON.parse(raw);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // answered below
  }
  badRequest(ctx, "Invalid JSON in the request body.");
  return null;
}

function appIdFromKey(segment: string): string | undefined {
  return /^(?:applications|servicePrincipals)?\(appId='([^']+)'\)$/i.exec(segment)?.[1]?.toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// /applications

async function createApplication(ctx: RequestContext, caller: DirectoryCaller): Promise<void> {
  if (!has(caller, SCOPES.writeApps)) return denied(ctx);
  const { tenant } = caller;
  if (!canManageApps(caller) && !tenant.usersCanRegisterApps) return denied(ctx);
  const body = await jsonBody(ctx);
  if (!body) return;
  const displayName = typeof body.displayName === "string" ? body.displayName.trim() : "";
  if (!displayName) return badRequest(ctx, "Property 'displayName' is required.");
  if (tenant.appQuota !== undefined && tenant.appQuota <= 0) {
    return sendGraphError(
      ctx,
      400,
      "Directory_QuotaExceeded",
      "The directory object quota limit for the Tenant has been exceeded. Please ask your administrator to increase the quota limit or delete objects to reduce the used quota.",
    );
  }
  const roleIds = Array.isArray(body.requiredResourceAccess)
    ? (body.requiredResourceAccess as { resourceAppId?: unknown; resourceAccess?: { id?: unknown; type?: unknown }[] }[])
        .filter((entry) => entry.resourceAppId === GRAPH_APP_ID)
        .flatMap((entry) => (Array.isArray(entry.resourceAccess) ? entry.resourceAccess : []))
        .filter((access) => access.type === "Role")
        .map((access) => String(access.id).toLowerCase())
    : [];
  const web = body.web && typeof body.web === "object" ? (body.web as { redirectUris?: unknown }) : {};
  const app: ScenarioApp = {
    clientId: randomUUID(),
    objectId: randomUUID(),
    displayName,
    secrets: [],
    certificates: [],
    grantedRoles: [],
    grantedScopes: [],
    requestedRoles: roleIds.map((id) => GRAPH_APP_ROLES.find((role) => role.id === id)?.value).filter((value): value is string => value !== undefined),
    requestedScopes: [],
    redirectUris: Array.isArray(web.redirectUris) ? web.redirectUris.filter((uri): uri is string => typeof uri === "string") : [],
    signInAudience: body.signInAudience === "AzureADMultipleOrgs" ? "AzureADMultipleOrgs" : "AzureADMyOrg",
    disabled: false,
    userConsentAllowed: false,
    consentBlockCode: 90094,
    conditionalAccessBlocked: false,
    tags: Array.isArray(body.tags) ? body.tags.filter((tag): tag is string => typeof tag === "string") : [],
    notes: typeof body.notes === "string" ? body.notes : null,
    hasServicePrincipal: false,
    groupMembershipClaims: "None",
    appRoleAssignmentRequired: false,
    createdAt: new Date().toISOString(),
    ownerIds: caller.me ? [caller.me.id] : [],
    federatedIdentityCredentials: [],
  };
  tenant.apps.push(app);
  if (tenant.appQuota !== undefined) tenant.appQuota -= 1;
  ok(ctx, 201, { "@odata.context": `${ctx.origin}/v1.0/$metadata#applications/$entity`, ...applicationResource(tenant, app) });
}

function listApplications(ctx: RequestContext, caller: DirectoryCaller): void {
  if (!has(caller, SCOPES.readApps)) return denied(ctx);
  const filter = filterApps(ctx.url.searchParams.get("$filter"));
  if (!filter) return sendGraphError(ctx, 400, "Request_UnsupportedQuery", "Unsupported Query.");
  const value = caller.tenant.apps
    .filter((app) => !stillReplicating(ctx, app.clientId, app.createdAt))
    .map((app) => applicationResource(caller.tenant, app))
    .filter(filter);
  ok(ctx, 200, { "@odata.context": `${ctx.origin}/v1.0/$metadata#applications`, value });
}

async function addPassword(ctx: RequestContext, caller: DirectoryCaller, app: ScenarioApp): Promise<void> {
  const { tenant } = caller;
  const body = await jsonBody(ctx);
  if (!body) return;
  const credential = (body.passwordCredential ?? {}) as { displayName?: unknown; endDateTime?: unknown };
  const policy = tenant.appManagementPolicy;
  if (!policy.passwordCredentialsAllowed) {
    return badRequest(ctx, `Password credentials are not allowed as per assigned policy '${policy.id}'.`, [
      { code: "CredentialTypeNotAllowedAsPerAppPolicy", message: `Password credentials are not allowed as per assigned policy '${policy.id}'.`, target: "passwordCredentials" },
    ]);
  }
  const start = new Date();
  const end = typeof credential.endDateTime === "string" ? new Date(credential.endDateTime) : new Date(start.getTime() + 2 * 365 * 86_400_000);
  if (Number.isNaN(end.getTime())) return badRequest(ctx, "Invalid value specified for property 'endDateTime' of resource 'PasswordCredential'.");
  if (policy.maxPasswordLifetimeDays !== undefined && end.getTime() - start.getTime() > policy.maxPasswordLifetimeDays * 86_400_000) {
    const message = `Credential lifetime exceeds the max value allowed as per assigned policy '${policy.id}'.`;
    return badRequest(ctx, message, [{ code: "CredentialInvalidLifetimeAsPerAppPolicy", message, target: "passwordCredentials" }]);
  }
  const keyId = randomUUID();
  const value = `${randomBytes(2).toString("hex").slice(0, 3)}8Q~${randomBytes(27).toString("base64url").replace(/[-_]/g, "x")}`;
  const displayName = typeof credential.displayName === "string" ? credential.displayName : undefined;
  app.secrets.push({ id: keyId, value, expiresAt: end.toISOString(), displayName });
  secretCreatedAt.set(keyId, start.toISOString());
  ok(ctx, 200, {
    "@odata.context": `${ctx.origin}/v1.0/$metadata#microsoft.graph.passwordCredential`,
    customKeyIdentifier: null,
    displayName: displayName ?? null,
    endDateTime: end.toISOString(),
    hint: value.slice(0, 3),
    keyId,
    secretText: value,
    startDateTime: start.toISOString(),
  });
}

async function removePassword(ctx: RequestContext, app: ScenarioApp): Promise<void> {
  const body = await jsonBody(ctx);
  if (!body) return;
  const keyId = typeof body.keyId === "string" ? body.keyId.toLowerCase() : "";
  const index = app.secrets.findIndex((secret) => secret.id === keyId);
  if (index < 0) return badRequest(ctx, `No password credential found with keyId '${keyId}'.`);
  app.secrets.splice(index, 1);
  noContent(ctx);
}

/**
 * GET /applications/{id}/owners: directory objects, here the scenario's users (learn.microsoft.com/graph/api/application-list-owners).
 * Whoever registers an app becomes its owner ("Object ownership" in learn.microsoft.com/entra/fundamentals/users-default-permissions),
 * which `createApplication` records.
 */
function listOwners(ctx: RequestContext, tenant: ScenarioTenant, app: ScenarioApp): void {
  const value = app.ownerIds.map((id) => {
    const user = tenant.users.find((candidate) => candidate.id === id);
    return { "@odata.type": "#microsoft.graph.user", id, displayName: user?.displayName ?? null, userPrincipalName: user?.upn ?? null };
  });
  ok(ctx, 200, { "@odata.context": `${ctx.origin}/v1.0/$metadata#directoryObjects`, value });
}

async function handleApplications(ctx: RequestContext, caller: DirectoryCaller, rest: string[]): Promise<void> {
  const method = ctx.record.method;
  const { tenant } = caller;
  if (rest.length === 0) {
    if (method === "POST") return createApplication(ctx, caller);
    if (method === "GET") return listApplications(ctx, caller);
    return sendGraphError(ctx, 405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.");
  }
  const [key = "", action] = rest;
  const byAppId = appIdFromKey(key);
  const app = byAppId ? tenant.apps.find((candidate) => candidate.clientId === byAppId) : findAppByObjectId(tenant, key);
  const write = method !== "GET";
  if (!has(caller, write ? SCOPES.writeApps : SCOPES.readApps)) return denied(ctx);
  if (!app || stillReplicating(ctx, app.clientId, app.createdAt)) return notFound(ctx, byAppId ?? key);
  // Whoever registered an app owns it and may manage it without an admin role.
  if (write && !canManageApps(caller) && !(caller.me && app.ownerIds.includes(caller.me.id))) return denied(ctx);
  if (action === undefined && method === "GET") {
    const resource = applicationResource(tenant, app);
    // Graph returns a certificate's key only when one application is read with $select=keyCredentials.
    if (/keyCredentials/.test(ctx.url.searchParams.get("$select") ?? "")) resource.keyCredentials = app.certificates.filter((certificate) => certificate.pem).map((certificate) => keyCredentialView(certificate, true));
    return ok(ctx, 200, { "@odata.context": `${ctx.origin}/v1.0/$metadata#applications/$entity`, ...resource });
  }
  if (action === undefined && method === "PATCH") return patchApplicationKeyCredentials(ctx, tenant, app);
  if (action === undefined && method === "DELETE") {
    tenant.apps.splice(tenant.apps.indexOf(app), 1);
    tenant.deletedApps.push({ ...app, objectId: applicationObjectId(tenant, app), deletedAt: new Date().toISOString(), hasServicePrincipal: false, grantedRoles: [] });
    return noContent(ctx);
  }
  if (action === "owners" && method === "GET") return listOwners(ctx, tenant, app);
  // learn.microsoft.com/graph/api/application-list-federatedidentitycredentials
  if (action === "federatedIdentityCredentials" && method === "GET") {
    return ok(ctx, 200, { "@odata.context": `${ctx.origin}/v1.0/$metadata#applications('${applicationObjectId(tenant, app)}')/federatedIdentityCredentials`, value: app.federatedIdentityCredentials });
  }
  if (action === "addPassword" && method === "POST") return addPassword(ctx, caller, app);
  if (action === "removePassword" && method === "POST") return removePassword(ctx, app);
  sendGraphError(ctx, 400, "BadRequest", `Resource not found for the segment '${action ?? key}'.`);
}

// ---------------------------------------------------------------------------------------------
// /servicePrincipals

async function createServicePrincipal(ctx: RequestContext, caller: DirectoryCaller): Promise<void> {
  if (!has(caller, SCOPES.writeApps)) return denied(ctx);
  const { tenant } = caller;
  const body = await jsonBody(ctx);
  if (!body) return;
  const appId = typeof body.appId === "string" ? body.appId.toLowerCase() : "";
  const app = tenant.apps.find((candidate) => candidate.clientId === appId);
  if (!app || stillReplicating(ctx, app.clientId, app.createdAt)) {
    const message = `The appId '${appId}' of the service principal does not reference a valid application object.`;
    return badRequest(ctx, message, [{ code: "NoBackingApplicationObject", message, target: "appId" }]);
  }
  if (!canManageApps(caller) && !tenant.usersCanRegisterApps) return denied(ctx);
  if (app.hasServicePrincipal) {
    return badRequest(ctx, "Another object with the same value for property servicePrincipalNames already exists.", [
      { code: "ObjectConflict", message: "Another object with the same value for property servicePrincipalNames already exists.", target: "servicePrincipalNames" },
    ]);
  }
  app.hasServicePrincipal = true;
  app.servicePrincipalCreatedAt = new Date().toISOString();
  ok(ctx, 201, { "@odata.context": `${ctx.origin}/v1.0/$metadata#servicePrincipals/$entity`, ...servicePrincipalResource(tenant, app) });
}

function listServicePrincipals(ctx: RequestContext, caller: DirectoryCaller): void {
  if (!has(caller, SCOPES.readApps)) return denied(ctx);
  const filter = filterApps(ctx.url.searchParams.get("$filter"));
  if (!filter) return sendGraphError(ctx, 400, "Request_UnsupportedQuery", "Unsupported Query.");
  const own = caller.tenant.apps
    .filter((app) => app.hasServicePrincipal && !stillReplicating(ctx, servicePrincipalId(caller.tenant, app), app.servicePrincipalCreatedAt))
    .map((app) => servicePrincipalResource(caller.tenant, app));
  const value = [graphServicePrincipal(caller.tenant), ...own].filter(filter);
  ok(ctx, 200, { "@odata.context": `${ctx.origin}/v1.0/$metadata#servicePrincipals`, value });
}

async function assignAppRole(ctx: RequestContext, caller: DirectoryCaller, resourceId: string): Promise<void> {
  const { tenant } = caller;
  if (!has(caller, SCOPES.grant)) return denied(ctx);
  const body = await jsonBody(ctx);
  if (!body) return;
  if (resourceId !== graphServicePrincipalId(tenant)) return notFound(ctx, resourceId);
  if (!canGrantGraphRoles(caller)) return denied(ctx);
  const principalId = typeof body.principalId === "string" ? body.principalId.toLowerCase() : "";
  const principal = findAppByServicePrincipal(tenant, principalId);
  if (!principal || stillReplicating(ctx, principalId, principal.servicePrincipalCreatedAt)) return badRequest(ctx, "Not a valid reference update.");
  if (String(body.resourceId ?? "").toLowerCase() !== resourceId) return badRequest(ctx, "Not a valid reference update.");
  const role = GRAPH_APP_ROLES.find((candidate) => candidate.id === String(body.appRoleId ?? "").toLowerCase());
  if (!role) return badRequest(ctx, "Permission being assigned was not found on application '00000003-0000-0000-c000-000000000000'.");
  if (principal.grantedRoles.includes(role.value)) return badRequest(ctx, "Permission being assigned already exists on the object");
  principal.grantedRoles.push(role.value);
  ok(ctx, 201, { "@odata.context": `${ctx.origin}/v1.0/$metadata#servicePrincipals('${resourceId}')/appRoleAssignedTo/$entity`, ...assignmentResource(tenant, principal, role.value) });
}

async function handleServicePrincipals(ctx: RequestContext, caller: DirectoryCaller, rest: string[]): Promise<void> {
  const method = ctx.record.method;
  const { tenant } = caller;
  if (rest.length === 0) {
    if (method === "POST") return createServicePrincipal(ctx, caller);
    if (method === "GET") return listServicePrincipals(ctx, caller);
    return sendGraphError(ctx, 405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.");
  }
  const [key = "", relation] = rest;
  const id = key.toLowerCase();
  if (relation === "appRoleAssignedTo" && method === "POST") return assignAppRole(ctx, caller, id);
  if (!has(caller, SCOPES.readApps)) return denied(ctx);
  if (id === graphServicePrincipalId(tenant) || appIdFromKey(key) === GRAPH_APP_ID) {
    if (relation === "delegatedPermissionClassifications" && method === "GET") {
      const value = tenant.consent.lowClassifiedPermissions.flatMap((name) => {
        const scope = GRAPH_DELEGATED_SCOPES.find((candidate) => candidate.value.toLowerCase() === name.toLowerCase());
        return scope ? [{ id: derivedGuid(`classification:${tenant.id}:${scope.id}`), permissionId: scope.id, permissionName: scope.value, classification: "low" }] : [];
      });
      return ok(ctx, 200, { "@odata.context": `${ctx.origin}/v1.0/$metadata#servicePrincipals('${graphServicePrincipalId(tenant)}')/delegatedPermissionClassifications`, value });
    }
    if (relation === undefined) return ok(ctx, 200, { "@odata.context": `${ctx.origin}/v1.0/$metadata#servicePrincipals/$entity`, ...graphServicePrincipal(tenant) });
    if (relation === "appRoleAssignedTo") {
      const value = tenant.apps.filter((app) => app.hasServicePrincipal).flatMap((app) => app.grantedRoles.map((role) => assignmentResource(tenant, app, role)));
      return ok(ctx, 200, { "@odata.context": `${ctx.origin}/v1.0/$metadata#appRoleAssignments`, value });
    }
  }
  const byAppId = appIdFromKey(key);
  const app = byAppId ? tenant.apps.find((candidate) => candidate.clientId === byAppId && candidate.hasServicePrincipal) : findAppByServicePrincipal(tenant, id);
  if (!app || stillReplicating(ctx, servicePrincipalId(tenant, app), app.servicePrincipalCreatedAt)) return notFound(ctx, byAppId ?? key);
  if (relation === undefined && method === "GET") {
    return ok(ctx, 200, { "@odata.context": `${ctx.origin}/v1.0/$metadata#servicePrincipals/$entity`, ...servicePrincipalResource(tenant, app) });
  }
  if (relation === "appRoleAssignments" && method === "GET") {
    return ok(ctx, 200, { "@odata.context": `${ctx.origin}/v1.0/$metadata#appRoleAssignments`, value: app.grantedRoles.map((role) => assignmentResource(tenant, app, role)) });
  }
  sendGraphError(ctx, 400, "BadRequest", `Resource not found for the segment '${relation ?? key}'.`);
}

// ---------------------------------------------------------------------------------------------
// /me/transitiveMemberOf, /policies, /directory/deletedItems

function transitiveMemberOf(ctx: RequestContext, caller: DirectoryCaller, cast: string | undefined): void {
  if (!caller.me) return sendGraphError(ctx, 400, "BadRequest", "/me request is only valid with delegated authentication flow.", { innerError: "none" });
  if (!has(caller, SCOPES.readOwnMemberships)) return denied(ctx);
  if (cast !== undefined) {
    if (cast !== "microsoft.graph.directoryRole") return sendGraphError(ctx, 400, "BadRequest", `Resource not found for the segment '${cast}'.`);
    // Casting a directory-object collection is an advanced query: it needs eventual consistency and $count.
    const eventual = String(ctx.req.headers.consistencylevel ?? "").toLowerCase() === "eventual";
    if (!eventual || ctx.url.searchParams.get("$count") !== "true") {
      return sendGraphError(ctx, 400, "Request_UnsupportedQuery", "The requested type cast requires the ConsistencyLevel header set to 'eventual' and $count=true.");
    }
  }
  const named = has(caller, SCOPES.roleNames);
  const value = directoryRolesOf(caller.me).map((roleTemplateId) => ({
    "@odata.type": "#microsoft.graph.directoryRole",
    id: derivedGuid(`role:${caller.tenant.id}:${roleTemplateId}`),
    // Without a role-management scope the role comes back with its ids only.
    displayName: named ? (ROLE_NAMES[roleTemplateId] ?? null) : null,
    description: null,
    roleTemplateId,
  }));
  ok(ctx, 200, { "@odata.context": `${ctx.origin}/v1.0/$metadata#directoryObjects`, "@odata.count": value.length, value });
}

function policies(ctx: RequestContext, caller: DirectoryCaller, name: string | undefined): void {
  if (!has(caller, SCOPES.readPolicies)) return denied(ctx);
  const { tenant } = caller;
  const policy = tenant.appManagementPolicy;
  if (name === "defaultAppManagementPolicy") {
    const passwordCredentials: Record<string, unknown>[] = [];
    if (!policy.passwordCredentialsAllowed) passwordCredentials.push({ restrictionType: "passwordAddition", state: "enabled", maxLifetime: null, restrictForAppsCreatedAfterDateTime: "2019-01-01T00:00:00Z" });
    if (policy.maxPasswordLifetimeDays !== undefined) {
      passwordCredentials.push({ restrictionType: "passwordLifetime", state: "enabled", maxLifetime: `P${policy.maxPasswordLifetimeDays}D`, restrictForAppsCreatedAfterDateTime: "2019-01-01T00:00:00Z" });
    }
    return ok(ctx, 200, {
      "@odata.context": `${ctx.origin}/v1.0/$metadata#policies/defaultAppManagementPolicy/$entity`,
      id: policy.id,
      displayName: "Default app management tenant policy",
      isEnabled: passwordCredentials.length > 0 || policy.maxCertificateLifetimeDays !== undefined,
      applicationRestrictions: {
        passwordCredentials,
        keyCredentials:
          policy.maxCertificateLifetimeDays === undefined
            ? []
            : [{ restrictionType: "asymmetricKeyLifetime", state: "enabled", maxLifetime: `P${policy.maxCertificateLifetimeDays}D`, restrictForAppsCreatedAfterDateTime: "2019-01-01T00:00:00Z" }],
      },
      servicePrincipalRestrictions: { passwordCredentials: [], keyCredentials: [] },
    });
  }
  if (name === "appManagementPolicies") return ok(ctx, 200, { "@odata.context": `${ctx.origin}/v1.0/$metadata#policies/appManagementPolicies`, value: [] });
  if (name === "authorizationPolicy") {
    return ok(ctx, 200, {
      "@odata.context": `${ctx.origin}/v1.0/$metadata#policies/authorizationPolicy/$entity`,
      id: "authorizationPolicy",
      displayName: "Authorization Policy",
      defaultUserRolePermissions: {
        allowedToCreateApps: tenant.usersCanRegisterApps,
        allowedToCreateSecurityGroups: true,
        allowedToReadOtherUsers: true,
        permissionGrantPoliciesAssigned: tenant.consent.permissionGrantPoliciesAssigned,
      },
    });
  }
  if (name === "adminConsentRequestPolicy") {
    const workflow = tenant.consent.adminConsentWorkflow;
    return ok(ctx, 200, {
      "@odata.context": `${ctx.origin}/v1.0/$metadata#policies/adminConsentRequestPolicy/$entity`,
      isEnabled: workflow.enabled,
      notifyReviewers: workflow.enabled,
      remindersEnabled: workflow.enabled,
      requestDurationInDays: workflow.enabled ? 30 : 0,
      // Reviewers are access-review scopes; a user reviewer is the query /users/{id}.
      reviewers: workflow.reviewerIds.map((id) => ({ query: `/users/${id}`, queryType: "MicrosoftGraph", queryRoot: null })),
      version: 0,
    });
  }
  sendGraphError(ctx, 400, "BadRequest", `Resource not found for the segment '${name ?? "policies"}'.`);
}

/** GET /policies/permissionGrantPolicies/{id}: the built-in policies, ids compared without regard to case. */
function permissionGrantPolicy(ctx: RequestContext, caller: DirectoryCaller, id: string): void {
  if (!has(caller, SCOPES.readGrantPolicies)) return denied(ctx);
  const policy = builtInPolicies(caller.tenant.id).find((candidate) => candidate.id.toLowerCase() === id.toLowerCase());
  if (!policy) return notFound(ctx, id);
  ok(ctx, 200, { "@odata.context": `${ctx.origin}/v1.0/$metadata#policies/permissionGrantPolicies/$entity`, ...policy });
}

// ---------------------------------------------------------------------------------------------
// /oauth2PermissionGrants (delegated grants). The simulator keeps one tenant-wide grant per app, its
// `grantedScopes`; offline_access comes with any grant, as its scenarios predate the permission.

function grantResource(tenant: ScenarioTenant, app: ScenarioApp): Record<string, unknown> {
  const scopes = [...new Set([...app.grantedScopes, "offline_access"])];
  return {
    id: Buffer.from(derivedGuid(`grant:${tenant.id}:${app.clientId}`).replace(/-/g, ""), "hex").toString("base64url"),
    clientId: servicePrincipalId(tenant, app),
    consentType: "AllPrincipals",
    principalId: null,
    resourceId: graphServicePrincipalId(tenant),
    scope: scopes.join(" "),
  };
}

async function permissionGrants(ctx: RequestContext, caller: DirectoryCaller): Promise<void> {
  const { tenant } = caller;
  if (ctx.record.method === "GET") {
    if (!has(caller, SCOPES.readGrants)) return denied(ctx);
    const filter = /^\s*clientId\s+eq\s+'([^']*)'\s*$/i.exec(ctx.url.searchParams.get("$filter") ?? "clientId eq ''");
    if (ctx.url.searchParams.get("$filter") !== null && !filter) return sendGraphError(ctx, 400, "Request_UnsupportedQuery", "Unsupported Query.");
    const clientId = filter?.[1]?.toLowerCase() ?? "";
    const value = tenant.apps
      .filter((app) => app.hasServicePrincipal && app.grantedScopes.length > 0 && (clientId === "" || servicePrincipalId(tenant, app) === clientId))
      .map((app) => grantResource(tenant, app));
    return ok(ctx, 200, { "@odata.context": `${ctx.origin}/v1.0/$metadata#oauth2PermissionGrants`, value });
  }
  if (ctx.record.method !== "POST") return sendGraphError(ctx, 405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.");
  if (!has(caller, SCOPES.writeGrants)) return denied(ctx);
  const body = await jsonBody(ctx);
  if (!body) return;
  // Granting delegated permissions tenant-wide is for the admin roles (microsoft-application-admin covers delegated permissions).
  if (!canManageApps(caller)) return denied(ctx);
  const client = findAppByServicePrincipal(tenant, String(body.clientId ?? ""));
  if (!client || String(body.resourceId ?? "").toLowerCase() !== graphServicePrincipalId(tenant)) return badRequest(ctx, "Invalid value specified for property 'clientId' or 'resourceId' of resource 'OAuth2PermissionGrant'.");
  if (body.consentType !== "AllPrincipals" && body.consentType !== "Principal") return badRequest(ctx, "Invalid value specified for property 'consentType' of resource 'OAuth2PermissionGrant'.");
  if (body.consentType === "Principal") return badRequest(ctx, "The simulator keeps tenant-wide grants only; use consentType AllPrincipals.");
  const scopes = String(body.scope ?? "").split(" ").filter(Boolean);
  if (scopes.length === 0) return badRequest(ctx, "Invalid value specified for property 'scope' of resource 'OAuth2PermissionGrant'.");
  if (client.grantedScopes.length > 0) {
    return sendGraphError(ctx, 409, "Request_MultipleObjectsWithSameKeyValue", "Permission entry already exists.");
  }
  client.grantedScopes = [...new Set(scopes.filter((scope) => scope.toLowerCase() !== "offline_access"))];
  ok(ctx, 201, { "@odata.context": `${ctx.origin}/v1.0/$metadata#oauth2PermissionGrants/$entity`, ...grantResource(tenant, client) });
}

/** PATCH /oauth2PermissionGrants/{id} with a new `scope`: replaces the grant's scopes. */
async function updatePermissionGrant(ctx: RequestContext, caller: DirectoryCaller, id: string): Promise<void> {
  const { tenant } = caller;
  if (!has(caller, SCOPES.writeGrants)) return denied(ctx);
  const body = await jsonBody(ctx);
  if (!body) return;
  if (!canManageApps(caller)) return denied(ctx);
  const app = tenant.apps.find((candidate) => candidate.hasServicePrincipal && candidate.grantedScopes.length > 0 && grantResource(tenant, candidate).id === id);
  if (!app) return notFound(ctx, id);
  const scopes = String(body.scope ?? "").split(" ").filter(Boolean);
  app.grantedScopes = [...new Set(scopes.filter((scope) => scope.toLowerCase() !== "offline_access"))];
  noContent(ctx);
}

function deletedItems(ctx: RequestContext, caller: DirectoryCaller, rest: string[]): void {
  const { tenant } = caller;
  const method = ctx.record.method;
  const [key] = rest;
  if (key === "microsoft.graph.application" && method === "GET") {
    if (!has(caller, SCOPES.readApps)) return denied(ctx);
    return ok(ctx, 200, { "@odata.context": `${ctx.origin}/v1.0/$metadata#directoryObjects`, value: tenant.deletedApps.map((app) => applicationResource(tenant, app)) });
  }
  if (key !== undefined && rest.length === 1 && method === "DELETE") {
    if (!has(caller, SCOPES.writeApps)) return denied(ctx);
    if (!canManageApps(caller)) return denied(ctx);
    const index = tenant.deletedApps.findIndex((app) => applicationObjectId(tenant, app) === key.toLowerCase());
    if (index < 0) return notFound(ctx, key);
    tenant.deletedApps.splice(index, 1);
    if (tenant.appQuota !== undefined) tenant.appQuota += 1;
    return noContent(ctx);
  }
  sendGraphError(ctx, 400, "BadRequest", `Resource not found for the segment '${key ?? "deletedItems"}'.`);
}

/**
 * Routes the application-management paths; false when the path is not one of them. `segments` are
 * the path after the version.
 */
export async function handleApplicationManagement(ctx: RequestContext, caller: DirectoryCaller, segments: string[]): Promise<boolean> {
  const [root = "", ...rest] = segments;
  const appKey = /^applications\(appId='[^']+'\)$/i.test(root);
  const spKey = /^servicePrincipals\(appId='[^']+'\)$/i.test(root);
  if (root === "applications" || appKey) {
    await handleApplications(ctx, caller, appKey ? [root, ...rest] : rest);
    return true;
  }
  if (root === "servicePrincipals" || spKey) {
    await handleServicePrincipals(ctx, caller, spKey ? [root, ...rest] : rest);
    return true;
  }
  if (root === "me" && rest[0] === "transitiveMemberOf" && ctx.record.method === "GET") {
    transitiveMemberOf(ctx, caller, rest[1]);
    return true;
  }
  if (root === "policies" && ctx.record.method === "GET" && rest.length === 1) {
    policies(ctx, caller, rest[0]);
    return true;
  }
  if (root === "policies" && ctx.record.method === "GET" && rest.length === 2 && rest[0] === "permissionGrantPolicies") {
    permissionGrantPolicy(ctx, caller, decodeURIComponent(rest[1] ?? ""));
    return true;
  }
  if (root === "oauth2PermissionGrants" && rest.length === 0) {
    await permissionGrants(ctx, caller);
    return true;
  }
  if (root === "oauth2PermissionGrants" && rest.length === 1 && ctx.record.method === "PATCH") {
    await updatePermissionGrant(ctx, caller, rest[0] ?? "");
    return true;
  }
  if (root === "directory" && rest[0] === "deletedItems") {
    deletedItems(ctx, caller, rest.slice(1));
    return true;
  }
  return false;
}
