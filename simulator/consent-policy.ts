import type { ScenarioApp, ScenarioTenant, ScenarioUser } from "./scenario";
import { GRAPH_APP_ID } from "./state";

/**
 * Who may consent to what, as Entra decides it when someone signs in to an app that asks for delegated
 * permissions nobody has granted yet. Written from Microsoft's documentation, and on purpose without
 * looking at (or sharing code with) the console's prediction in lib/consent: a test compares the two.
 *
 * Sources:
 * - [POLICIES] https://learn.microsoft.com/entra/identity/enterprise-apps/manage-app-consent-policies
 *   (built-in policies; include/exclude semantics; each assigned policy is evaluated on its own and one
 *   passing policy is enough; the Microsoft-managed policy's excluded permissions).
 * - [LOW] https://learn.microsoft.com/graph/api/permissiongrantpolicy-get (microsoft-user-default-low:
 *   low-classified delegated permissions, for apps registered in this tenant or from a verified publisher).
 * - [CONDITIONS] https://learn.microsoft.com/graph/api/resources/permissiongrantconditionset
 * - [USER] https://learn.microsoft.com/entra/identity/enterprise-apps/configure-user-consent
 *   (legacy = "any permission that doesn't require admin consent, for any application"; no
 *   ManagePermissionGrantsForSelf policy assigned = user consent off; apps that require assignment
 *   need admin consent even where the policy would let users consent).
 * - [WORKFLOW] https://learn.microsoft.com/entra/identity/enterprise-apps/configure-admin-consent-workflow
 *   (with the workflow on, users request approval instead of meeting a dead end).
 */

/** Delegated Microsoft Graph permissions the simulator knows: id as Graph publishes it, and whether only an admin may grant it. */
export const GRAPH_DELEGATED_SCOPES: readonly { id: string; value: string; type: "User" | "Admin" }[] = [
  { id: "e1fe6dd8-ba31-4d61-89e7-88639da4683d", value: "User.Read", type: "User" },
  { id: "1ec239c2-d7c9-4623-a91a-a9775856bb36", value: "Calendars.ReadWrite", type: "User" },
  { id: "465a38f9-76ea-45b9-9f34-9e8b0d4b0b42", value: "Calendars.Read", type: "User" },
  { id: "662d75ba-a364-42ad-adee-f5f880ea4878", value: "Calendars.ReadBasic", type: "User" },
  { id: "2b9c4092-424d-4249-948d-b43879977640", value: "Calendars.Read.Shared", type: "User" },
  { id: "12466101-c9b8-439a-8589-dd09ee67e8e9", value: "Calendars.ReadWrite.Shared", type: "User" },
  { id: "570282fd-fa5c-430d-a7fd-fc8dc98a9dca", value: "Mail.Read", type: "User" },
  { id: "024d486e-b451-40bb-833d-3e66d98c5c73", value: "Mail.ReadWrite", type: "User" },
  { id: "a4b8392a-d8d1-4954-a029-8e668a39a170", value: "Mail.ReadBasic", type: "User" },
  { id: "df85f4d6-205c-4ac5-a5ea-6bf408dba283", value: "Files.Read.All", type: "User" },
  { id: "863451e7-0667-486c-a5d6-d135439485f0", value: "Files.ReadWrite.All", type: "User" },
  { id: "7427e0e9-2fba-42fe-b0c0-848c9e6a8182", value: "offline_access", type: "User" },
  { id: "37f7f235-527c-4136-accd-4a02d197296e", value: "openid", type: "User" },
  { id: "14dad69e-099b-42c9-810b-d002981feec1", value: "profile", type: "User" },
  { id: "64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0", value: "email", type: "User" },
  { id: "a154be20-db9c-4678-8ab7-66f6cc099a59", value: "User.Read.All", type: "Admin" },
  { id: "06da0dbc-49e2-44d2-8312-53f166ab848a", value: "Directory.Read.All", type: "Admin" },
  { id: "572fea84-0151-49b2-9301-11cb16974376", value: "Policy.Read.All", type: "Admin" },
];

export type ConditionSet = {
  id: string;
  permissionClassification: string;
  permissionType: string;
  resourceApplication: string;
  permissions: string[];
  clientApplicationIds: string[];
  clientApplicationTenantIds: string[];
  clientApplicationPublisherIds: string[];
  clientApplicationsFromVerifiedPublisherOnly: boolean;
  certifiedClientApplicationsOnly: boolean;
};

export type PermissionGrantPolicy = { id: string; displayName: string; description: string; includes: ConditionSet[]; excludes: ConditionSet[] };

function conditionSet(id: string, overrides: Partial<ConditionSet>): ConditionSet {
  return {
    id,
    permissionClassification: "all",
    permissionType: "delegated",
    resourceApplication: "any",
    permissions: ["all"],
    clientApplicationIds: ["all"],
    clientApplicationTenantIds: ["all"],
    clientApplicationPublisherIds: ["all"],
    clientApplicationsFromVerifiedPublisherOnly: false,
    certifiedClientApplicationsOnly: false,
    ...overrides,
  };
}

const scopeId = (value: string) => GRAPH_DELEGATED_SCOPES.find((scope) => scope.value === value)?.id ?? value;

/** [POLICIES] "Microsoft recommended user consent policy": the Microsoft Graph permissions it keeps from users (those the simulator knows ids for). */
const RECOMMENDED_EXCLUDED = ["Files.Read.All", "Files.ReadWrite.All", "Mail.Read", "Mail.ReadWrite", "Mail.ReadBasic", "Calendars.Read", "Calendars.ReadBasic", "Calendars.ReadWrite", "Calendars.Read.Shared", "Calendars.ReadWrite.Shared"];

/** The built-in user consent policies, as `GET /policies/permissionGrantPolicies/{id}` returns them in the tenant `tenantId`. */
export function builtInPolicies(tenantId: string): PermissionGrantPolicy[] {
  return [
    {
      id: "microsoft-user-default-legacy",
      displayName: "Default User Legacy Policy",
      description: "All delegated permissions are consentable by member type users by default.",
      includes: [conditionSet("b8d2ff1c-0000-4000-8000-00000000000a", {})],
      excludes: [],
    },
    {
      id: "microsoft-user-default-low",
      displayName: "Default User Low Risk Policy",
      description: "All low risk permissions are consentable by member type users by default.",
      includes: [
        conditionSet("cb0c20dd-919d-40c5-ba6d-7ffb233b4b0b", { permissionClassification: "low", clientApplicationTenantIds: [tenantId] }),
        conditionSet("8ce99f96-730c-4ebd-8397-07ee65942b97", { permissionClassification: "low", clientApplicationsFromVerifiedPublisherOnly: true }),
      ],
      excludes: [],
    },
    {
      id: "microsoft-user-default-recommended",
      displayName: "Microsoft User Default Recommended Policy",
      description: "Permissions consentable based on Microsoft's current recommendations.",
      includes: [conditionSet("d5d8d6e1-0000-4000-8000-00000000000b", {})],
      excludes: [conditionSet("d5d8d6e1-0000-4000-8000-00000000000c", { resourceApplication: GRAPH_APP_ID, permissions: RECOMMENDED_EXCLUDED.map(scopeId) })],
    },
  ];
}

const SELF_PREFIX = "managepermissiongrantsforself.";

/** The user consent policies the tenant assigned to its users, by id; prefixes and ids compare without regard to case, as both spellings occur. */
export function assignedSelfConsentPolicies(tenant: ScenarioTenant): PermissionGrantPolicy[] {
  const all = builtInPolicies(tenant.id);
  return tenant.consent.permissionGrantPoliciesAssigned
    .filter((entry) => entry.toLowerCase().startsWith(SELF_PREFIX))
    .map((entry) => all.find((policy) => policy.id.toLowerCase() === entry.slice(SELF_PREFIX.length).toLowerCase()))
    .filter((policy): policy is PermissionGrantPolicy => policy !== undefined);
}

function listMatches(list: readonly string[], value: string | undefined): boolean {
  return list.some((entry) => entry.toLowerCase() === "all") || (value !== undefined && list.some((entry) => entry.toLowerCase() === value.toLowerCase()));
}

/** [CONDITIONS] every condition of the set holds for this one permission requested by this app. */
function matches(set: ConditionSet, tenant: ScenarioTenant, app: ScenarioApp, permission: string): boolean {
  if (set.permissionType !== "delegated") return false;
  const known = GRAPH_DELEGATED_SCOPES.find((scope) => scope.value.toLowerCase() === permission.toLowerCase());
  const classification = tenant.consent.lowClassifiedPermissions.some((low) => low.toLowerCase() === permission.toLowerCase()) ? "low" : undefined;
  if (set.permissionClassification !== "all" && set.permissionClassification !== classification) return false;
  if (set.resourceApplication !== "any" && set.resourceApplication.toLowerCase() !== GRAPH_APP_ID) return false;
  if (!listMatches(set.permissions, known?.id)) return false;
  if (!listMatches(set.clientApplicationIds, app.clientId)) return false;
  if (!listMatches(set.clientApplicationTenantIds, app.homeTenantId ?? tenant.id)) return false;
  if (!listMatches(set.clientApplicationPublisherIds, app.verifiedPublisherId)) return false;
  if (set.clientApplicationsFromVerifiedPublisherOnly && !app.verifiedPublisherId) return false;
  // The simulator's apps are never Microsoft 365 certified.
  if (set.certifiedClientApplicationsOnly) return false;
  return true;
}

function policyAllows(policy: PermissionGrantPolicy, tenant: ScenarioTenant, app: ScenarioApp, permission: string): boolean {
  return policy.includes.some((set) => matches(set, tenant, app, permission)) && !policy.excludes.some((set) => matches(set, tenant, app, permission));
}

const ADMIN_ROLE_TEMPLATES = new Set([
  "62e90394-69f5-4237-9190-012177145e10", // Global Administrator (microsoft-company-admin)
  "e8611ab8-c189-46e8-94e1-60213ab1f814", // Privileged Role Administrator
  "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", // Application Administrator (microsoft-application-admin: delegated permissions too)
  "158c047a-c907-4556-b7ef-446551a6b5f7", // Cloud Application Administrator
]);

export type ConsentDecision =
  | { kind: "consent" }
  /** Only an administrator can grant; `request` when the admin consent workflow lets the user ask. */
  | { kind: "admin-approval"; request: boolean }
  /** Assignment required and the user is not assigned: AADSTS50105, whatever the consent. */
  | { kind: "not-assigned" };

export function isAssigned(app: ScenarioApp, user: ScenarioUser): boolean {
  return user.appRoleAssignments.some((assignment) => assignment.clientId === app.clientId);
}

/**
 * What Entra does when `user` must consent to `permissions` for `app` in `tenant` (the user's own
 * tenant, whichever tenant registered the app).
 */
export function consentDecision(tenant: ScenarioTenant, app: ScenarioApp, user: ScenarioUser, permissions: readonly string[]): ConsentDecision {
  const isAdmin = user.isAdmin || user.directoryRoles.some((role) => ADMIN_ROLE_TEMPLATES.has(role));
  if (isAdmin) return { kind: "consent" };
  const adminApproval = { kind: "admin-approval", request: tenant.consent.adminConsentWorkflow.enabled } as const;
  // [USER] "Applications that require users to be assigned ... must have their permissions consented by an administrator".
  if (app.appRoleAssignmentRequired) return adminApproval;
  // The scenario's per-app switch, from before the simulator knew consent policies.
  if (!app.userConsentAllowed) return adminApproval;
  const policies = assignedSelfConsentPolicies(tenant);
  const consentable = permissions.every((permission) => {
    const known = GRAPH_DELEGATED_SCOPES.find((scope) => scope.value.toLowerCase() === permission.toLowerCase());
    if (known?.type === "Admin") return false;
    return policies.some((policy) => policyAllows(policy, tenant, app, permission));
  });
  return consentable ? { kind: "consent" } : adminApproval;
}
