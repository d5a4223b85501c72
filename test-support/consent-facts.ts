import type { ConditionSet, ConsentFacts, GrantPolicy } from "@/lib/consent/rules";

/**
 * Consent pre-flight inputs as Microsoft Graph returns them: the built-in user consent policies as
 * documented (learn.microsoft.com/graph/api/permissiongrantpolicy-get for the low-risk one;
 * manage-app-consent-policies for the legacy and Microsoft-managed ones), and a tenant to vary.
 */

export const TENANT = "4b1f5c3e-9d1a-4f7e-8a2b-6c0d9e8f7a61";
export const SIGN_IN_APP = "dddddddd-dddd-4ddd-8ddd-dddddddddddd";
const GRAPH = "00000003-0000-0000-c000-000000000000";

const anything: ConditionSet = {
  permissionClassification: "all",
  permissionType: "delegated",
  resourceApplication: "any",
  permissions: ["all"],
  clientApplicationIds: ["all"],
  clientApplicationTenantIds: ["all"],
  clientApplicationPublisherIds: ["all"],
  clientApplicationsFromVerifiedPublisherOnly: false,
  certifiedClientApplicationsOnly: false,
};

export const policies: Record<"legacy" | "low" | "recommended", GrantPolicy> = {
  legacy: { id: "microsoft-user-default-legacy", displayName: "Default User Legacy Policy", includes: [anything], excludes: [] },
  low: {
    id: "microsoft-user-default-low",
    displayName: "Default User Low Risk Policy",
    includes: [
      { ...anything, permissionClassification: "low", clientApplicationTenantIds: [TENANT] },
      { ...anything, permissionClassification: "low", clientApplicationsFromVerifiedPublisherOnly: true },
    ],
    excludes: [],
  },
  recommended: {
    id: "microsoft-user-default-recommended",
    displayName: "Microsoft User Default Recommended Policy",
    includes: [anything],
    // Calendars.Read, Calendars.ReadWrite, Mail.Read (ids of Microsoft Graph's delegated permissions).
    excludes: [{ ...anything, resourceApplication: GRAPH, permissions: ["465a38f9-76ea-45b9-9f34-9e8b0d4b0b42", "1ec239c2-d7c9-4623-a91a-a9775856bb36", "570282fd-fa5c-430d-a7fd-fc8dc98a9dca"] }],
  },
};

export const graphScopes = [
  { id: "e1fe6dd8-ba31-4d61-89e7-88639da4683d", value: "User.Read", type: "User" },
  { id: "1ec239c2-d7c9-4623-a91a-a9775856bb36", value: "Calendars.ReadWrite", type: "User" },
  { id: "7427e0e9-2fba-42fe-b0c0-848c9e6a8182", value: "offline_access", type: "User" },
];

/** A tenant with the given user consent policies assigned and nothing else set; `patch` changes the rest. */
export function consentFacts(assigned: GrantPolicy[], patch: Partial<ConsentFacts> = {}): ConsentFacts {
  return {
    tenantId: TENANT,
    assigned: [...assigned.map((policy) => `ManagePermissionGrantsForSelf.${policy.id}`), "ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team"],
    policies: assigned,
    unreadablePolicies: [],
    graphScopes,
    classifications: [],
    app: { appId: SIGN_IN_APP, servicePrincipalId: "5e1f0000-0000-4000-8000-000000000001", ownerTenantId: TENANT, verifiedPublisherId: null, assignmentRequired: false },
    appId: SIGN_IN_APP,
    tenantWideScopes: [],
    workflow: { enabled: false, reviewers: [] },
    multiTenant: false,
    ...patch,
  };
}
