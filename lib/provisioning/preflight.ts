import "server-only";
import { graphPermissions, graphResourceAppId } from "@/lib/entra/permissions";
import type { AdminGraph, AdminGraphResult } from "@/lib/provisioning/admin-graph";
import { hasCode } from "@/lib/provisioning/explain";
import { roleNames, roleTemplates, type SetupTokenFacts } from "@/lib/provisioning/setup-token";

/**
 * The pre-flight: every read the provisioning depends on, in one parallel round trip, before anything
 * is written. Each becomes a checklist item; the plan says whether to create, grant or hand the grant
 * off, and which credential to add.
 */

export type ChecklistStatus = "pending" | "running" | "waiting" | "pass" | "warn" | "fail" | "unknown" | "handoff" | "skip";
export type ChecklistItem = { id: string; title: string; status: ChecklistStatus; detail: string; who?: string };

/**
 * The credential to add: a client secret, or a certificate the console generates (chosen, or because
 * the tenant's policy forbids or caps secrets). `maxDays` is the policy's cap when it could be read.
 */
export type CredentialPlan = { kind: "secret"; maxDays?: number } | { kind: "certificate"; maxDays?: number; because: "chosen" | "policy" };

export type PreflightPlan = {
  /** False: stop before any write; `stopReason` says why. */
  proceed: boolean;
  stopReason?: string;
  grant: "grant" | "handoff";
  credential: CredentialPlan;
  graphServicePrincipalId: string;
  /** The Graph application roles to grant, resolved by value from the Graph service principal. */
  roles: { value: string; id: string }[];
  /** Apps already named so: reuse one by object id, or choose another name. */
  collisions: { objectId: string; appId: string }[];
  /**
   * Every app carrying this provisioning's tag: a run whose answer was lost created one. Only
   * candidates: anyone who may register apps can put the tag on theirs (see `adoptTaggedApp`).
   */
  tagged: TaggedApp[];
};

export type PreflightResult = {
  items: ChecklistItem[];
  plan: PreflightPlan;
  /** What Microsoft calls the tenant, read in the same round trip, for the status board. */
  tenant?: { id: string; displayName: string | null };
};

const wantedRoles: string[] = [graphPermissions.calendarsReadWriteApp.value, graphPermissions.userReadAllApp.value];
const grantingRoles: string[] = [roleTemplates.globalAdministrator, roleTemplates.privilegedRoleAdministrator];
const creatingRoles: string[] = [roleTemplates.globalAdministrator, roleTemplates.applicationAdministrator, roleTemplates.cloudApplicationAdministrator];

type DirectoryRole = { roleTemplateId?: string | null };
type PasswordRestriction = { restrictionType?: string; state?: string; maxLifetime?: string | null };
type AppManagementPolicy = { applicationRestrictions?: { passwordCredentials?: PasswordRestriction[]; keyCredentials?: PasswordRestriction[] } };
type AuthorizationPolicy = { defaultUserRolePermissions?: { allowedToCreateApps?: boolean } };
type ServicePrincipal = { id: string; appRoles?: { id: string; value: string }[] };
type AppSummary = { id: string; appId: string };
export type TaggedApp = { id: string; appId: string; createdDateTime?: string | null };

/** `P90D`, `P1Y`, `P6M`, `PT720H` → days (months count 30, years 365). */
export function isoDurationDays(value: string): number | undefined {
  const match = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?)?$/i.exec(value);
  if (!match) return undefined;
  const [, years = "0", months = "0", days = "0", hours = "0"] = match;
  return Number(years) * 365 + Number(months) * 30 + Number(days) + Math.floor(Number(hours) / 24);
}

export function odataLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export async function runPreflight(
  graph: AdminGraph,
  facts: SetupTokenFacts,
  input: {
    displayName: string;
    reuseObjectId?: string;
    ownApplicationObjectId?: string;
    credentialKind?: "secret" | "certificate";
    /** Looked for across the tenant, whatever the app's name: given while this provisioning's app is not recorded. */
    tag?: string;
  },
): Promise<PreflightResult> {
  const noTagSearch: AdminGraphResult<{ value: TaggedApp[] }> = { ok: true, status: 200, value: { value: [] } };
  const [roles, policy, authorization, named, graphSp, organization, taggedSearch] = await Promise.all([
    facts.roleTemplateIds
      ? Promise.resolve<AdminGraphResult<{ value: DirectoryRole[] }>>({ ok: true, status: 200, value: { value: facts.roleTemplateIds.map((roleTemplateId) => ({ roleTemplateId })) } })
      : graph.request<{ value: DirectoryRole[] }>("GET", "/me/transitiveMemberOf/microsoft.graph.directoryRole?$count=true&$select=id,roleTemplateId,displayName", {
          headers: { ConsistencyLevel: "eventual" },
        }),
    graph.request<AppManagementPolicy>("GET", "/policies/defaultAppManagementPolicy"),
    graph.request<AuthorizationPolicy>("GET", "/policies/authorizationPolicy"),
    graph.request<{ value: AppSummary[] }>("GET", `/applications?$filter=${encodeURIComponent(`displayName eq ${odataLiteral(input.displayName)}`)}&$select=id,appId,displayName`),
    graph.request<{ value: ServicePrincipal[] }>("GET", `/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${graphResourceAppId}'`)}&$select=id,appRoles`),
    graph.request<{ value: { id: string; displayName?: string | null }[] }>("GET", "/organization?$select=id,displayName"),
    // `tags` supports $filter with any() (the application resource's documentation).
    input.tag === undefined
      ? Promise.resolve(noTagSearch)
      : graph.request<{ value: TaggedApp[] }>("GET", `/applications?$filter=${encodeURIComponent(`tags/any(t:t eq ${odataLiteral(input.tag)})`)}&$select=id,appId,createdDateTime`),
  ]);
  const tagged = taggedSearch.ok ? taggedSearch.value.value : [];
  const organizationRow = organization.ok ? organization.value.value[0] : undefined;
  const items: ChecklistItem[] = [];
  const stops: string[] = [];

  // Roles: what the signed-in person may do, whatever the token's scopes.
  const roleIds = roles.ok ? roles.value.value.map((role) => (role.roleTemplateId ?? "").toLowerCase()).filter(Boolean) : [];
  const heldNames = roleIds.map((id) => roleNames[id]).filter((name): name is string => name !== undefined);
  const mayGrant = roleIds.some((id) => grantingRoles.includes(id));
  const mayCreateByRole = roleIds.some((id) => creatingRoles.includes(id));
  const usersMayRegister = authorization.ok ? authorization.value.defaultUserRolePermissions?.allowedToCreateApps : undefined;
  const grant: PreflightPlan["grant"] = mayGrant && facts.can.grant ? "grant" : "handoff";
  if (!roles.ok) {
    items.push({ id: "roles", title: "Your administrator roles", status: "fail", detail: "Microsoft did not list your directory roles, so the console cannot tell what you may do. Sign in again and retry." });
    stops.push("roles");
  } else if (mayGrant) {
    items.push({
      id: "roles",
      title: "Your administrator roles",
      status: facts.can.grant ? "pass" : "warn",
      detail: facts.can.grant
        ? `${heldNames.join(", ")}: you can create the app and grant its permissions.`
        : `${heldNames.join(", ")}, but this token lacks AppRoleAssignment.ReadWrite.All: the grant will be handed to someone else.`,
    });
  } else if (mayCreateByRole) {
    items.push({
      id: "roles",
      title: "Your administrator roles",
      status: "handoff",
      detail: `${heldNames.join(", ")}: you can create the app but not grant Microsoft Graph application permissions. The console will give you a link and a message for a Privileged Role Administrator or Global Administrator.`,
      who: "a Privileged Role Administrator or Global Administrator",
    });
  } else if (usersMayRegister === true) {
    items.push({
      id: "roles",
      title: "Your administrator roles",
      status: "handoff",
      detail: "You hold no administrator role, but this tenant lets users register apps: the console will create the app and hand the grant to a Privileged Role Administrator or Global Administrator.",
      who: "a Privileged Role Administrator or Global Administrator",
    });
  } else {
    items.push({
      id: "roles",
      title: "Your administrator roles",
      status: "fail",
      detail:
        usersMayRegister === false
          ? "You hold none of the roles that may register apps (Application Administrator, Cloud Application Administrator, Global Administrator), and this tenant does not let users register apps. Nothing was changed. Ask one of those administrators to run this."
          : "You hold none of the roles that may register apps (Application Administrator, Cloud Application Administrator, Global Administrator), and this token cannot read whether the tenant lets users register apps. Nothing was changed. Ask one of those administrators to run this.",
      who: "an Application Administrator, Cloud Application Administrator or Global Administrator",
    });
    stops.push("roles");
  }

  // App-management policy: may the app get a client secret, and for how long? A certificate otherwise.
  const chosen = input.credentialKind ?? "secret";
  let credential: CredentialPlan = chosen === "certificate" ? { kind: "certificate", because: "chosen" } : { kind: "secret" };
  if (!policy.ok) {
    const refused = policy.failure.status === 403 || hasCode(policy.failure, "Authorization_RequestDenied");
    items.push({
      id: "policy",
      title: "App-management policy",
      status: "unknown",
      detail: refused
        ? "Unknown (this token cannot read tenant policies). The console goes ahead; if the policy refuses a client secret, it adds a certificate instead. A token from the setup app sign-in, or from Microsoft Graph PowerShell connected with -Scopes Policy.Read.All, would read it."
        : `Unknown: Microsoft did not answer the policy read (${policy.failure.code}). The console goes ahead; if the policy refuses a client secret, it adds a certificate instead.`,
    });
  } else {
    const active = (list: PasswordRestriction[] | undefined) => (list ?? []).filter((restriction) => restriction.state !== "disabled");
    const restrictions = active(policy.value.applicationRestrictions?.passwordCredentials);
    const forbidden = restrictions.some((restriction) => restriction.restrictionType === "passwordAddition");
    const lifetime = restrictions.find((restriction) => restriction.restrictionType === "passwordLifetime" && restriction.maxLifetime);
    const maxDays = lifetime?.maxLifetime ? isoDurationDays(lifetime.maxLifetime) : undefined;
    const keyLifetime = active(policy.value.applicationRestrictions?.keyCredentials).find((restriction) => restriction.restrictionType === "asymmetricKeyLifetime" && restriction.maxLifetime);
    const keyMaxDays = keyLifetime?.maxLifetime ? isoDurationDays(keyLifetime.maxLifetime) : undefined;
    const certificate = (because: "chosen" | "policy"): CredentialPlan => ({ kind: "certificate", because, ...(keyMaxDays !== undefined ? { maxDays: keyMaxDays } : {}) });
    const capNote = keyMaxDays !== undefined ? ` The policy caps certificates at ${keyMaxDays} days; the certificate will last no longer.` : "";
    if (chosen === "certificate") {
      credential = certificate("chosen");
      items.push({ id: "policy", title: "App-management policy", status: "pass", detail: `The console will generate a certificate and upload it to the app.${capNote}` });
    } else if (forbidden || maxDays !== undefined) {
      credential = certificate("policy");
      items.push({
        id: "policy",
        title: "App-management policy",
        status: "pass",
        detail: `${forbidden ? "The tenant's app-management policy does not allow client secrets" : `The tenant's app-management policy caps client secrets at ${maxDays} days`}, so the console will generate a certificate and upload it instead. It never creates an exemption policy.${capNote}`,
      });
    } else {
      items.push({ id: "policy", title: "App-management policy", status: "pass", detail: "Client secrets are allowed." });
    }
  }

  // The token itself.
  items.push({
    id: "token",
    title: "What this token can do",
    status: facts.can.createApps ? "pass" : "fail",
    detail: facts.can.createApps
      ? `Signed in as ${facts.account}. It can create the app${facts.can.grant ? " and grant permissions" : ""}${facts.can.readPolicies ? " and read tenant policies" : "; it cannot read tenant policies"}.`
      : `Signed in as ${facts.account}, but this token lacks Application.ReadWrite.All (or Directory.AccessAsUser.All), so it cannot create apps. Nothing was changed.`,
  });
  if (!facts.can.createApps) stops.push("token");

  // Without the tag search a resume cannot tell whether an earlier attempt already created the app:
  // creating another would leave a duplicate, and the name search alone would offer ours for reuse.
  if (!taggedSearch.ok) {
    items.push({
      id: "earlier-app",
      title: "An earlier attempt's app",
      status: "fail",
      detail: `The console could not look for an app an earlier attempt may have created (${taggedSearch.failure.code}), so it creates none now. Nothing was changed; try again.`,
    });
    stops.push("earlier-app");
  }

  // Name collision: reuse by object id, never by name alone.
  // A tagged app is judged by the create step, which adopts it or stops; it is no name collision.
  const ours = (app: AppSummary) => app.id === input.ownApplicationObjectId || tagged.some((candidate) => candidate.id === app.id);
  const collisions = named.ok ? named.value.value.filter((app) => !ours(app)).map((app) => ({ objectId: app.id, appId: app.appId })) : [];
  const reusing = input.reuseObjectId !== undefined && collisions.some((app) => app.objectId === input.reuseObjectId);
  if (!named.ok) {
    items.push({ id: "name", title: "App name", status: "unknown", detail: `The console could not look for apps with this name (${named.failure.code}).` });
  } else if (collisions.length > 0 && !reusing) {
    items.push({
      id: "name",
      title: "App name",
      status: "warn",
      detail: `An app named “${input.displayName}” already exists (application (client) ID ${collisions.map((app) => app.appId).join(", ")}). Reuse it, or choose another name.`,
    });
    stops.push("name");
  } else {
    items.push({ id: "name", title: "App name", status: "pass", detail: reusing ? `Reusing the existing app “${input.displayName}”.` : `No app is named “${input.displayName}” yet.` });
  }

  // Microsoft Graph's own service principal: the app-role ids, resolved by value.
  const graphPrincipal = graphSp.ok ? graphSp.value.value[0] : undefined;
  const resolved = wantedRoles.map((value) => ({ value, id: graphPrincipal?.appRoles?.find((role) => role.value === value)?.id }));
  const roleIdsResolved = resolved.filter((role): role is { value: string; id: string } => role.id !== undefined);
  if (!graphPrincipal || roleIdsResolved.length !== wantedRoles.length) {
    items.push({ id: "graph", title: "Microsoft Graph in this tenant", status: "fail", detail: "The console could not read Microsoft Graph's permissions in this tenant, so it cannot ask for them. Nothing was changed." });
    stops.push("graph");
  }

  const proceed = stops.length === 0;
  return {
    items,
    ...(organizationRow ? { tenant: { id: organizationRow.id, displayName: organizationRow.displayName ?? null } } : {}),
    plan: {
      proceed,
      ...(proceed ? {} : { stopReason: items.filter((item) => stops.includes(item.id)).map((item) => item.detail).join(" ") }),
      grant,
      credential,
      graphServicePrincipalId: graphPrincipal?.id ?? "",
      roles: roleIdsResolved,
      collisions,
      tagged,
    },
  };
}
