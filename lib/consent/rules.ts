import { graphPermissions, graphResourceAppId } from "@/lib/entra/permissions";

/**
 * The consent pre-flight's rules: from what an administrator's token read in the tenant (user consent
 * policies, the admin consent workflow, the sign-in app's enterprise application and its grants),
 * whether members can connect their own mailbox through the mailbox sign-in app. The policies'
 * conditions are evaluated, not their names, because Microsoft changes the managed policy's
 * conditions over time and tenants assign custom ones. Pure.
 *
 * Microsoft's rules, as documented:
 * - a consent policy passes when the request matches at least one include condition set and no
 *   exclude set; each assigned policy counts on its own and one passing is enough
 *   (learn.microsoft.com/entra/identity/enterprise-apps/manage-app-consent-policies);
 * - no ManagePermissionGrantsForSelf policy assigned means users cannot consent; an app that requires
 *   assignment needs an administrator's consent whatever the policy
 *   (learn.microsoft.com/entra/identity/enterprise-apps/configure-user-consent);
 * - a permission whose type is "Admin" is never user-consentable;
 * - with the admin consent workflow on, people can ask for approval from the sign-in window
 *   (learn.microsoft.com/entra/identity/enterprise-apps/configure-admin-consent-workflow).
 */

/** What the mailbox sign-in app asks each member for. */
export const signInAppScopes = [graphPermissions.userReadDelegated, graphPermissions.calendarsReadWriteDelegated, graphPermissions.offlineAccessDelegated] as const;
export const signInAppScopeValues: string[] = signInAppScopes.map((permission) => permission.value);

/** A permissionGrantConditionSet as Graph returns it; absent properties mean "any". */
export type ConditionSet = {
  permissionClassification?: string | null;
  permissionType?: string | null;
  resourceApplication?: string | null;
  permissions?: string[] | null;
  clientApplicationIds?: string[] | null;
  clientApplicationTenantIds?: string[] | null;
  clientApplicationPublisherIds?: string[] | null;
  clientApplicationsFromVerifiedPublisherOnly?: boolean | null;
  certifiedClientApplicationsOnly?: boolean | null;
};

export type GrantPolicy = { id: string; displayName?: string | null; includes?: ConditionSet[] | null; excludes?: ConditionSet[] | null };

export type ConsentFacts = {
  tenantId: string;
  /** authorizationPolicy.defaultUserRolePermissions.permissionGrantPoliciesAssigned, as read. */
  assigned: string[];
  /** The assigned user consent policies that could be read. */
  policies: GrantPolicy[];
  /** Assigned user consent policies that could not be read (id). */
  unreadablePolicies: string[];
  /** Microsoft Graph's delegated permissions (its service principal's oauth2PermissionScopes). */
  graphScopes: { id: string; value: string; type?: string | null }[];
  /** Microsoft Graph delegated permissions the tenant classified, by permission id. */
  classifications: { permissionId: string; classification: string }[];
  /** The sign-in app's enterprise application in this tenant; undefined when it has none yet. */
  app: { appId: string; servicePrincipalId: string; ownerTenantId?: string | null; verifiedPublisherId?: string | null; assignmentRequired: boolean } | undefined;
  appId: string;
  /** Scopes granted to the sign-in app for everyone in the tenant (AllPrincipals grants on Microsoft Graph). */
  tenantWideScopes: string[];
  workflow: { enabled: boolean; reviewers: string[] };
  /** The sign-in app accepts people from other organisations too. */
  multiTenant: boolean;
};

export type ConsentOutcome = "connect" | "approval" | "blocked";

export type ConsentEvidence = {
  policies: string[];
  userConsent: "off" | "on";
  workflow: "on" | "off";
  reviewers: string[];
  tenantWideScopes: string[];
  assignmentRequired: boolean;
  enterpriseApp: boolean;
};

export type ConsentPrediction = {
  outcome: ConsentOutcome;
  /** The "because …" of the headline (empty when people can connect). */
  reason: string;
  /** What follows for the people who connect, and what is uncertain. */
  details: string[];
  evidence: ConsentEvidence;
};

export const outcomeHeadlines: Record<ConsentOutcome, string> = {
  connect: "People can connect without help",
  approval: "People will see “Need admin approval”",
  blocked: "People will be blocked",
};

const SELF = "managepermissiongrantsforself.";

/** The ids of the user consent policies in `permissionGrantPoliciesAssigned` (other entries govern owners of groups and teams). */
export function selfConsentPolicyIds(assigned: readonly string[]): string[] {
  return assigned.filter((entry) => entry.toLowerCase().startsWith(SELF)).map((entry) => entry.slice(SELF.length));
}

const same = (a: string | null | undefined, b: string | null | undefined) => (a ?? "").toLowerCase() === (b ?? "").toLowerCase();

function inList(list: string[] | null | undefined, value: string | null | undefined): boolean {
  if (!list || list.length === 0) return true;
  return list.some((entry) => same(entry, "all") || (value != null && same(entry, value)));
}

type Request = { permissionId: string | undefined; classification: string | undefined; facts: ConsentFacts };

/** The first condition of `set` the request fails, in words; undefined when the set matches. */
function failedCondition(set: ConditionSet, request: Request): string | undefined {
  const { facts } = request;
  if (set.permissionType && !same(set.permissionType, "delegated")) return "it covers application permissions only";
  const classification = set.permissionClassification ?? "all";
  if (!same(classification, "all") && !same(classification, request.classification)) return `it covers only permissions classified “${classification}”`;
  const resource = set.resourceApplication ?? "any";
  if (!same(resource, "any") && !same(resource, graphResourceAppId)) return "it covers another API";
  if (!inList(set.permissions, request.permissionId)) return "it covers other permissions only";
  if (!inList(set.clientApplicationIds, facts.appId)) return "it covers other apps only";
  if (!inList(set.clientApplicationTenantIds, facts.app?.ownerTenantId ?? undefined)) return "it covers only apps registered in listed tenants";
  if (!inList(set.clientApplicationPublisherIds, facts.app?.verifiedPublisherId ?? undefined)) return "it covers only apps of listed publishers";
  if (set.clientApplicationsFromVerifiedPublisherOnly && !facts.app?.verifiedPublisherId) return "it covers only apps from verified publishers";
  // The console's sign-in app is the operator's own registration, never Microsoft 365 certified.
  if (set.certifiedClientApplicationsOnly) return "it covers only Microsoft 365 certified apps";
  return undefined;
}

/** Why `policy` does not let people consent to the permission; undefined when it does. */
function policyRefusal(policy: GrantPolicy, request: Request): string | undefined {
  if ((policy.excludes ?? []).some((set) => failedCondition(set, request) === undefined)) return "it excludes it";
  const includes = policy.includes ?? [];
  if (includes.some((set) => failedCondition(set, request) === undefined)) return undefined;
  return includes.map((set) => failedCondition(set, request)).find((reason) => reason !== undefined) ?? "it includes nothing";
}

function list(values: readonly string[]): string {
  if (values.length <= 1) return values.join("");
  return `${values.slice(0, -1).join(", ")} and ${values.at(-1)}`;
}

function policyName(policy: GrantPolicy): string {
  return policy.displayName ? `“${policy.displayName}” (${policy.id})` : policy.id;
}

export function predictFromFacts(facts: ConsentFacts): ConsentPrediction {
  const granted = new Set(facts.tenantWideScopes.map((scope) => scope.toLowerCase()));
  const missing = signInAppScopeValues.filter((scope) => !granted.has(scope.toLowerCase()));
  const selfIds = selfConsentPolicyIds(facts.assigned);
  const policies = facts.policies.filter((policy) => selfIds.some((id) => same(id, policy.id)));
  const evidence: ConsentEvidence = {
    policies: selfIds,
    userConsent: selfIds.length > 0 ? "on" : "off",
    workflow: facts.workflow.enabled ? "on" : "off",
    reviewers: facts.workflow.reviewers,
    tenantWideScopes: facts.tenantWideScopes,
    assignmentRequired: facts.app?.assignmentRequired ?? false,
    enterpriseApp: facts.app !== undefined,
  };
  const details: string[] = [];
  if (facts.multiTenant) {
    details.push("This answer holds for your own organisation. People from other organisations sign in to a multi-tenant app under their own organisation's consent policy.");
  }
  const askFor = facts.workflow.enabled
    ? `They can ask for approval in Microsoft's sign-in window: the admin consent workflow is on${facts.workflow.reviewers.length > 0 ? `, and ${list(facts.workflow.reviewers)} review${facts.workflow.reviewers.length === 1 ? "s" : ""} the requests` : ""}.`
    : "The admin consent workflow is off, so Microsoft's window gives them no way to ask: they have to contact an administrator, who can grant consent here or through the admin-consent link.";

  if (facts.app?.assignmentRequired) {
    details.push(
      missing.length === 0
        ? "People you assign to the app can connect: the tenant-wide grant covers every permission."
        : `Even people you assign will see “Need admin approval”: Microsoft lets no one consent for themselves to an app that requires assignment. ${askFor}`,
    );
    return {
      outcome: "blocked",
      reason:
        "the sign-in app's enterprise application requires assignment (“Assignment required?” is Yes), so only people assigned to it can sign in; everyone else gets AADSTS50105",
      details,
      evidence,
    };
  }
  if (missing.length === 0) {
    return { outcome: "connect", reason: `an administrator granted ${list(signInAppScopeValues)} to the sign-in app for everyone in the organisation`, details, evidence };
  }

  const refusals = missing.flatMap((value) => {
    const scope = facts.graphScopes.find((candidate) => same(candidate.value, value));
    if (same(scope?.type, "Admin")) return [{ value, why: `${value} needs an administrator's consent` }];
    const permissionId = scope?.id ?? signInAppScopes.find((permission) => same(permission.value, value))?.id;
    const classification = facts.classifications.find((entry) => same(entry.permissionId, permissionId))?.classification;
    const request: Request = { permissionId, classification, facts };
    if (policies.length === 0) return [{ value, why: `no user consent policy that could be read covers ${value}` }];
    const why = policies.map((policy) => ({ policy, why: policyRefusal(policy, request) }));
    if (why.some((entry) => entry.why === undefined)) return [];
    return [{ value, why: why.map((entry) => `${policyName(entry.policy)} does not cover ${value}: ${entry.why}`).join("; ") }];
  });
  if (facts.unreadablePolicies.length > 0) {
    details.push(`The policy ${list(facts.unreadablePolicies)} could not be read, so this answer leaves it out.`);
  }
  if (refusals.length === 0) {
    details.push(`Each person approves ${list(missing)} once, on Microsoft's consent screen, when they connect.`);
    return { outcome: "connect", reason: `the user consent policy ${list(policies.map(policyName))} lets people consent to ${list(missing)} themselves`, details, evidence };
  }
  details.push(askFor);
  const reason =
    selfIds.length === 0
      ? "user consent is turned off in your organisation: no user consent policy is assigned, so only an administrator can grant the sign-in app's permissions"
      : refusals.map((refusal) => refusal.why).join("; ");
  return { outcome: "approval", reason, details, evidence };
}
