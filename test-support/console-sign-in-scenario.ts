import { demo } from "../simulator/demo-ids";
import { tenantSchema, type Scenario, type ScenarioApp } from "../simulator/scenario";

/**
 * The demo scenario as console sign-in needs it: the sign-in app's manifest sends groups, the contoso
 * admin holds the Calsync.Admin app role, Megan is in the helpdesk group, Lynne is in so many groups
 * that her token carries the overage indicator, and a second organisation (Fabrikam) has the same
 * multi-tenant app and a person with Calsync.Admin, who must still be refused as from an untrusted tenant.
 */

export const consoleGroups = {
  helpdesk: "0f2ae8e5-5e59-4f79-9d3c-6f0d3b2a1c44",
  admins: "1a3bf9f6-6f6a-4a8a-8e4d-7a1e4c3b2d55",
  unrelated: ["2b4c0a07-7a7b-4b9b-9f5e-8b2f5d4c3e66", "3c5d1b18-8b8c-4cac-8a6f-9c3a6e5d4f77", "4d6e2c29-9c9d-4dbd-9b70-ad4b7f6e5a88"],
} as const;

export const fabrikam = {
  id: "c0ffee00-1234-4abc-8def-0123456789ab",
  domain: "fabrikam.onmicrosoft.com",
  ben: { id: "c0ffee00-0000-4000-8000-000000000001", upn: "ben@fabrikam.onmicrosoft.com" },
} as const;

/** A group list past the (lowered) overage limit, with the helpdesk group among them. */
const OVERAGE_LIMIT = 3;

export function consoleSignInScenario(scenario: Scenario, options: { clientId: string; redirectUris: string[] }): Scenario {
  const contoso = scenario.tenants[0]!;
  const app = contoso.apps.find((candidate) => candidate.clientId === options.clientId)!;
  app.redirectUris.push(...options.redirectUris.filter((uri) => !app.redirectUris.includes(uri)));
  app.groupMembershipClaims = "SecurityGroup";
  app.signInAudience = "AzureADMultipleOrgs";
  app.grantedScopes = [...new Set([...app.grantedScopes, "GroupMember.Read.All"])];
  scenario.settings.groupsOverageLimit = OVERAGE_LIMIT;
  const user = (upn: string) => contoso.users.find((candidate) => candidate.upn === upn)!;
  user(demo.users.admin.upn).appRoleAssignments.push({ clientId: app.clientId, value: "Calsync.Admin" });
  user(demo.users.megan.upn).groups.push(consoleGroups.helpdesk);
  user(demo.users.lynne.upn).groups.push(consoleGroups.helpdesk, ...consoleGroups.unrelated);
  const copy: ScenarioApp = structuredClone(app);
  scenario.tenants.push(tenantSchema.parse({
    id: fabrikam.id,
    displayName: "Fabrikam",
    domains: [fabrikam.domain],
    cloud: "global",
    apps: [copy],
    users: [
      {
        id: fabrikam.ben.id,
        upn: fabrikam.ben.upn,
        displayName: "Ben Fabrikam",
        givenName: "Ben",
        surname: null,
        jobTitle: null,
        mail: fabrikam.ben.upn,
        password: demo.password,
        hasMailbox: true,
        guest: false,
        personalAccount: false,
        isAdmin: true,
        mfaRequired: false,
        conditionalAccessBlocked: false,
        refreshTokenState: "valid",
        events: [],
        appRoleAssignments: [{ clientId: app.clientId, value: "Calsync.Admin" }],
        groups: [],
      },
    ],
  }));
  return scenario;
}

/** An app registration for console sign-in alone, apart from the mailbox sign-in app. */
export const separateConsoleApp = { clientId: "f5f5f5f5-f5f5-4f5f-8f5f-f5f5f5f5f5f5", secret: "console~secret~value~000000000000f5" } as const;

/**
 * Adds the separate console sign-in app to contoso, a copy of the console sign-in app `fromClientId`
 * (its scopes and groups claim) with its own client ID, secret and redirect URIs. Nobody holds its app
 * roles yet: a test gives them, so that the role visibly comes from this app.
 */
export function addSeparateConsoleApp(scenario: Scenario, options: { fromClientId: string; redirectUris: string[] }): Scenario {
  const contoso = scenario.tenants[0]!;
  const source = contoso.apps.find((candidate) => candidate.clientId === options.fromClientId)!;
  const copy: ScenarioApp = structuredClone(source);
  contoso.apps.push({
    ...copy,
    clientId: separateConsoleApp.clientId,
    displayName: "Calsync Console Sign-in",
    servicePrincipalId: undefined,
    secrets: [{ ...copy.secrets[0]!, id: "f5f5f5f5-0000-4000-8000-0000000000f5", value: separateConsoleApp.secret, displayName: "console" }],
    redirectUris: [...options.redirectUris],
  });
  return scenario;
}
