import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveCloud } from "@/lib/entra/cloud-config";
import { customCloud } from "@/lib/entra/clouds";
import { isListedSetupCmdlet } from "@/lib/entra/setup-script-commands";
import { setupAppAzureCliScript, setupAppPowerShellScript, setupAppScriptFileNames } from "@/lib/entra/setup-scripts";
import { setupAppScopes } from "@/lib/provisioning/setup-token";
import { commandUses, parsePowerShell, syntaxProblems } from "@/test-support/powershell-grammar";
import { runShellcheck } from "@/test-support/system-tools";

const work = mkdtempSync(join(tmpdir(), "calsync-setup-app-script-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

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

  it("keeps a hostile app name inside its quotes, and passes bash -n and ShellCheck", () => {
    const script = setupAppAzureCliScript({ cloud, appName: "Setup'; rm -rf / #", redirectUri: "https://calsync.example.com/cb", signInAudience: "AzureADMultipleOrgs", scopes: ["User.Read"] });
    expect(script).toContain(`APP_NAME='Setup'\\''; rm -rf / #'`);
    const file = join(work, setupAppScriptFileNames.azureCli);
    writeFileSync(file, script);
    expect(spawnSync("bash", ["-n", file], { encoding: "utf8" }).status).toBe(0);
    const lint = runShellcheck(file);
    expect(lint.stdout).toBe("");
    expect(lint.status).toBe(0);
  });
});

describe("the setup app's PowerShell script", () => {
  const clouds = [resolveCloud("global")!, resolveCloud("usgov-dod")!, customCloud({ authorityHost: "https://login.sim.test:8443", graphHost: "https://graph.sim.test:8443" })];
  const redirectUri = "https://calsync.example.com/connections/new/automatic/callback";

  it.each(clouds)("parses with the PowerShell grammar and uses only listed cmdlets and parameters ($id)", async (cloud) => {
    const script = setupAppPowerShellScript({ cloud, appName: "Bob's ‘Setup’ $(Stop-Computer)", redirectUri, signInAudience: "AzureADMultipleOrgs", scopes: setupAppScopes });
    const tree = await parsePowerShell(script);
    expect(syntaxProblems(tree, script)).toEqual([]);
    const uses = commandUses(tree);
    expect(uses.map((use) => use.name)).toEqual(expect.arrayContaining(["Connect-MgGraph", "Get-MgServicePrincipal", "New-MgApplication", "Add-MgApplicationPassword"]));
    for (const use of uses) {
      expect(isListedSetupCmdlet(use.name), `line ${use.line}: ${use.name}`).toBe(true);
      for (const parameter of use.parameters) expect(isListedSetupCmdlet(use.name, parameter), `line ${use.line}: ${use.name} -${parameter}`).toBe(true);
    }
    expect(script).toContain("$AppName = 'Bob''s ‘‘Setup’’ $(Stop-Computer)'");
  });

  it("resolves each delegated permission by value from Graph's oauth2PermissionScopes, as the Azure CLI one does", () => {
    const cloud = clouds[0]!;
    const script = setupAppPowerShellScript({ cloud, redirectUri, signInAudience: "AzureADMyOrg", scopes: setupAppScopes });
    expect(script).toContain(`$Scopes = @(${setupAppScopes.map((scope) => `'${scope}'`).join(", ")})`);
    expect(script).toContain(`Get-MgServicePrincipal -Filter "appId eq '00000003-0000-0000-c000-000000000000'" -Property 'id','oauth2PermissionScopes'`);
    expect(script).toContain("$graphSp.Oauth2PermissionScopes | Where-Object { $_.Value -eq $scope }");
    expect(script).toContain("@{ Id = $id; Type = 'Scope' }");
    expect(script).toContain("-Web @{ RedirectUris = @($RedirectUri) }");
    expect(script).toContain(`$RedirectUri = '${redirectUri}'`);
    expect(script).toContain('Connect-MgGraph -Environment Global -Scopes "Application.ReadWrite.All" -NoWelcome');
    // No ids are hard-coded: none of the delegated permissions' GUIDs, and no consent of its own.
    expect(script).not.toMatch(/e1fe6dd8-ba31-4d61-89e7-88639da4683d|New-MgServicePrincipalAppRoleAssignment|New-MgOauth2PermissionGrant/);
    // The same closing block as the Azure CLI script, so the same values go into the settings form.
    const closing = (text: string) => [...text.matchAll(/(Directory \(tenant\) ID|Application \(client\) ID|Client secret \(Value\)):\s+/g)].map((match) => match[0]);
    expect(closing(script)).toEqual(closing(setupAppAzureCliScript({ cloud, redirectUri, signInAudience: "AzureADMyOrg", scopes: setupAppScopes })));
    expect(closing(script)).toHaveLength(3);
  });

  it("refuses a scope that is not a plain permission name, and an odd redirect URI", () => {
    const cloud = clouds[0]!;
    expect(() => setupAppPowerShellScript({ cloud, redirectUri, signInAudience: "AzureADMyOrg", scopes: ["User.Read'); Remove-Item C:\\"] })).toThrow();
    expect(() => setupAppPowerShellScript({ cloud, redirectUri: "javascript:alert(1)", signInAudience: "AzureADMyOrg", scopes: ["User.Read"] })).toThrow();
  });
});
