import type { ConsentFacts, GrantPolicy } from "@/lib/consent/rules";
import { builtInPolicies } from "@/simulator/consent-policy";

/**
 * Consent pre-flight inputs as Microsoft Graph returns them: the built-in user consent policies (the
 * simulator's copies of Microsoft's documented ones), and a tenant to vary.
 */

export const TENANT = "4b1f5c3e-9d1a-4f7e-8a2b-6c0d9e8f7a61";
export const SIGN_IN_APP = "dddddddd-dddd-4ddd-8ddd-dddddddddddd";

const builtIn = (id: string): GrantPolicy => builtInPolicies(TENANT).find((policy) => policy.id === id)!;

/** The built-in policies as the simulated Graph serves them (the Microsoft-managed one excludes Calendars.ReadWrite). */
export const policies: Record<"legacy" | "low" | "recommended", GrantPolicy> = {
  legacy: builtIn("microsoft-user-default-legacy"),
  low: builtIn("microsoft-user-default-low"),
  recommended: builtIn("microsoft-user-default-recommended"),
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
