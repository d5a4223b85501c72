import { describe, expect, it } from "vitest";
import { resolveCloud } from "@/lib/entra/cloud-config";
import { setupAppAzureCliScript } from "@/lib/entra/setup-scripts";
import { setupAppScopes } from "@/lib/provisioning/setup-token";

describe("the setup app's Azure CLI script", () => {
  const cloud = resolveCloud("global")!;

  it("registers the redirect URI and each delegated permission resolved by value, with no consent of its own", () => {
    const script = setupAppAzureCliScript({ cloud, redirectUri: "https://calsync.example.com/connections/new/automatic/callback", signInAudience: "AzureADMyOrg", scopes: setupAppScopes });
    expect(script).toContain("REDIRECT_URI='https://calsync.example.com/connections/new/automatic/callback'");
    for (const scope of setupAppScopes) expect(script).toContain(`'${scope}'`);
    expect(script).toContain("oauth2PermissionScopes[?value=='$1'].id");
    expect(script).toContain('\\"type\\":\\"Scope\\"');
    expect(script).not.toContain("appRoleAssignments");
    expect(script).toContain("az cloud set --name AzureCloud");
  });

  it("keeps a hostile app name inside its quotes", () => {
    const script = setupAppAzureCliScript({ cloud, appName: "Setup'; rm -rf / #", redirectUri: "https://calsync.example.com/cb", signInAudience: "AzureADMultipleOrgs", scopes: ["User.Read"] });
    expect(script).toContain(`APP_NAME='Setup'\\''; rm -rf / #'`);
  });
});
