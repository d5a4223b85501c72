import { setupAppScopes } from "@/lib/provisioning/setup-token";
import { ROLE_TEMPLATES } from "@/simulator/applications";
import { demo } from "@/simulator/demo-ids";
import type { Scenario, ScenarioApp, ScenarioUser } from "@/simulator/scenario";
import type { MintAccessTokenOptions } from "@/simulator/server";

/** Scopes of an Azure CLI Graph token: everything the user may do, except reading /policies. */
export const CLI_SCOPES = ["Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All", "Directory.AccessAsUser.All", "User.Read"];
/** Scopes the setup app asks for. */
export const SETUP_APP_SCOPES: readonly string[] = setupAppScopes;

/** The demo users in the roles the provisioning cases need. */
export const provisioningUsers = {
  globalAdmin: demo.users.admin,
  applicationAdmin: demo.users.adele,
  noRole: demo.users.megan,
  privilegedRoleAdmin: demo.users.lynne,
} as const;

function user(scenario: Scenario, id: string): ScenarioUser {
  const found = scenario.tenants[0]!.users.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`demo scenario has no user ${id}`);
  return found;
}

/** The demo scenario with directory roles on its users; `patch` changes it further. */
export function provisioningScenario(scenario: Scenario, patch: (scenario: Scenario) => void = () => undefined): Scenario {
  user(scenario, provisioningUsers.globalAdmin.id).directoryRoles = [ROLE_TEMPLATES.globalAdministrator];
  user(scenario, provisioningUsers.applicationAdmin.id).directoryRoles = [ROLE_TEMPLATES.applicationAdministrator];
  user(scenario, provisioningUsers.privilegedRoleAdmin.id).directoryRoles = [ROLE_TEMPLATES.privilegedRoleAdministrator];
  user(scenario, provisioningUsers.noRole.id).directoryRoles = [];
  patch(scenario);
  return scenario;
}

/**
 * An administrator's delegated Graph token, as Azure CLI (default) or the setup app would hold it; a
 * simulator in another process (test-support/simulator-process.ts) answers with a promise of it.
 */
export function adminToken<Token extends string | Promise<string>>(
  sim: { mintAccessToken(options: MintAccessTokenOptions): Token },
  userId: string,
  scopes: readonly string[] = CLI_SCOPES,
  options: { expiresInSeconds?: number; audience?: string } = {},
): Token {
  return sim.mintAccessToken({ tenant: demo.contoso.id, clientId: demo.apps.identityTools.clientId, user: userId, scopes: [...scopes], ...options });
}

/** The operator's setup app: its own registration, with the setup scopes consented and nothing else. */
export const setupApp = { clientId: "f5e7a0b1-c2d3-4e4f-8a5b-6c7d8e9f0a1b", secret: "setup~secret~value~0000000000000f5e7" } as const;

/** Adds the setup app to the demo tenant, listing the console's setup callback(s) as its redirect URIs. */
export function withSetupApp(scenario: Scenario, redirectUris: string[]): Scenario {
  const tenant = scenario.tenants[0]!;
  const template = tenant.apps.find((app) => app.clientId === demo.apps.identityTools.clientId)!;
  const app: ScenarioApp = {
    ...structuredClone(template),
    clientId: setupApp.clientId,
    displayName: "Calsync Setup",
    secrets: [{ ...template.secrets[0]!, id: "f5e7a0b1-0000-4000-8000-00000000f5e7", value: setupApp.secret, displayName: "setup" }],
    grantedRoles: [],
    requestedRoles: [],
    grantedScopes: [...setupAppScopes],
    requestedScopes: [...setupAppScopes],
    redirectUris,
  };
  tenant.apps.push(app);
  return scenario;
}
