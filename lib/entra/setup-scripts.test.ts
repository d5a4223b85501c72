import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { customCloud, knownClouds, type Cloud } from "@/lib/entra/clouds";
import { graphPermissions, graphResourceAppId } from "@/lib/entra/permissions";
import {
  azureCliScript,
  powerShellScript,
  requiredResourceAccessJson,
  parseScriptOutput,
  scriptOutputLabels,
  setupScriptFileNames,
  signInAudienceSchema,
  type SetupScriptOptions,
} from "@/lib/entra/setup-scripts";
import { runShellcheck } from "@/test-support/system-tools";
import { parsePowerShell, syntaxProblems } from "@/test-support/powershell-grammar";

const custom = customCloud({ authorityHost: "https://login.sim.test:8443", graphHost: "https://graph.sim.test:8443" });
const clouds: Cloud[] = [...(Object.values(knownClouds) as Cloud[]), custom];
const audiences = signInAudienceSchema.options;
const redirectUri = "https://calsync.example.com/connections/new/consent/callback";
const roleIds = [graphPermissions.calendarsReadWriteApp.id, graphPermissions.userReadAllApp.id];

const work = mkdtempSync(join(tmpdir(), "calsync-setup-scripts-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let fileCount = 0;
function writeScript(text: string): string {
  const file = join(work, `script-${++fileCount}.sh`);
  writeFileSync(file, text);
  return file;
}

/** Hosts of every other cloud (that this cloud does not share), which must not appear in its scripts. */
function foreignHosts(cloud: Cloud): string[] {
  const own = new Set([cloud.authorityHost, cloud.graphHost, cloud.portalOrigin]);
  return clouds
    .filter((other) => other.id !== cloud.id)
    .flatMap((other) => [other.authorityHost, other.graphHost, other.portalOrigin])
    .filter((host): host is string => Boolean(host) && !own.has(host));
}

describe("requiredResourceAccessJson", () => {
  it("is exactly the manifest array for the two Graph application permissions", () => {
    expect(requiredResourceAccessJson()).toBe(
      '[{"resourceAppId":"00000003-0000-0000-c000-000000000000","resourceAccess":[{"id":"ef54d2bf-783f-4e0f-bca1-3210c0444d99","type":"Role"},{"id":"df021288-bdef-4463-88db-98f22de89214","type":"Role"}]}]',
    );
  });

  it("names the downloads", () => {
    expect(setupScriptFileNames).toEqual({
      requiredResourceAccess: "requiredResourceAccess.json",
      azureCli: "register-calsync-app.sh",
      powerShell: "register-calsync-app.ps1",
    });
  });
});

describe.each(clouds)("Azure CLI script for $id", (cloud) => {
  const expectedCloudName = { global: "AzureCloud", usgov: "AzureUSGovernment", "usgov-dod": "AzureUSGovernment", china: "AzureChinaCloud", custom: "AzureCloud" }[
    cloud.id
  ];

  it.each(audiences)("passes bash -n and ShellCheck for %s, with and without a redirect URI", (signInAudience) => {
    for (const options of [{ cloud, signInAudience }, { cloud, signInAudience, redirectUri, secretYears: 2 }] satisfies SetupScriptOptions[]) {
      const file = writeScript(azureCliScript(options));
      const syntax = spawnSync("bash", ["-n", file], { encoding: "utf8" });
      expect(syntax.stderr).toBe("");
      expect(syntax.status).toBe(0);
      const lint = runShellcheck(file);
      expect(lint.stdout).toBe("");
      expect(lint.status).toBe(0);
    }
  });

  it("selects the cloud, uses its Graph host for consent and no other cloud's hosts", () => {
    const script = azureCliScript({ cloud, redirectUri });
    expect(script).toContain(`az cloud set --name ${expectedCloudName}\n`);
    expect(script).toContain(`--uri "${cloud.graphHost}/v1.0/servicePrincipals/$SP_ID/appRoleAssignments"`);
    expect(script).toContain(`--resource "${cloud.graphHost}"`);
    for (const host of foreignHosts(cloud)) expect(script).not.toContain(host);
  });

  it("carries the GUIDs exactly and the steps of today's CLI", () => {
    const script = azureCliScript({ cloud });
    expect(script).toContain(graphResourceAppId);
    for (const id of roleIds) expect(script).toContain(`grant_app_role '${id}'`);
    expect(script).toContain("set -euo pipefail");
    expect(script).toContain("cat > requiredResourceAccess.json <<'JSON'");
    expect(script).toContain("--required-resource-accesses @requiredResourceAccess.json");
    expect(script).toContain('az ad sp create --id "$APP_ID"');
    expect(script).toContain('az ad sp show --id "$GRAPH_APP_ID" --query id -o tsv');
    expect(script).toContain("--headers Content-Type=application/json");
    expect(script).toContain("Permission being assigned already exists");
    expect(script).toContain('az ad app credential reset --id "$APP_ID"');
    expect(script).toContain("az account show --query tenantId -o tsv");
    expect(script).not.toMatch(/--password|--end-date/);
    expect(script).not.toContain("admin-consent");
    expect(script).not.toContain("--web-redirect-uris");
    expect(azureCliScript({ cloud, redirectUri })).toContain('--web-redirect-uris "$REDIRECT_URI"');
  });

  it("starts with a header naming the cloud and the one-time secret", () => {
    const script = azureCliScript({ cloud });
    const header = script.slice(0, script.indexOf("set -euo pipefail"));
    expect(header).toContain(cloud.label);
    expect(header).toMatch(/secret is printed ONCE/);
  });
});

describe.each(clouds)("PowerShell script for $id", (cloud) => {
  const environment = { global: "Global", usgov: "USGov", "usgov-dod": "USGovDoD", china: "China", custom: "CalsyncCustom" }[cloud.id];

  it("connects to the cloud's Graph environment with the two admin scopes", () => {
    const script = powerShellScript({ cloud });
    expect(script).toContain(
      `Connect-MgGraph -Environment ${environment} -Scopes "Application.ReadWrite.All","AppRoleAssignment.ReadWrite.All"`,
    );
    for (const host of foreignHosts(cloud)) expect(script).not.toContain(host);
    if (cloud.id === "custom") {
      expect(script).toContain(`-AzureADEndpoint '${cloud.authorityHost}' -GraphEndpoint '${cloud.graphHost}'`);
    }
  });

  it("parses with the PowerShell grammar, with and without a redirect URI and with quotes in the name", async () => {
    for (const script of [powerShellScript({ cloud }), powerShellScript({ cloud, redirectUri, appName: "Bob's ‘Sync’ $(Stop-Computer)" })]) {
      expect(syntaxProblems(await parsePowerShell(script), script)).toEqual([]);
    }
  });

  it("registers, consents and adds a secret with the GUIDs from the catalog", () => {
    const script = powerShellScript({ cloud, redirectUri });
    expect(script).toContain('$ErrorActionPreference = "Stop"');
    expect(script).toContain("New-MgApplication -DisplayName $AppName -SignInAudience $SignInAudience -RequiredResourceAccess $requiredResourceAccess");
    expect(script).toContain(`ResourceAppId  = '${graphResourceAppId}'`);
    for (const id of roleIds) expect(script).toContain(`@{ Id = '${id}'; Type = 'Role' }`);
    expect(script).toContain("New-MgServicePrincipal -AppId $app.AppId");
    expect(script).toContain(`Get-MgServicePrincipal -Filter "appId eq '${graphResourceAppId}'"`);
    expect(script).toContain("New-MgServicePrincipalAppRoleAssignment");
    expect(script).toContain("Add-MgApplicationPassword -ApplicationId $app.Id -PasswordCredential @{ DisplayName = 'Calsync'; EndDateTime = (Get-Date).AddYears(1) }");
    expect(script).toContain("(Get-MgContext).TenantId");
    expect(script).toContain("$secret.SecretText");
    expect(script).toContain("-Web @{ RedirectUris = @($RedirectUri) }");
    expect(script).not.toContain("admin-consent");
    expect(script.slice(0, script.indexOf("$ErrorActionPreference"))).toMatch(new RegExp(`${cloud.label.replace(/[()]/g, "\\$&")}[\\s\\S]*secret is printed ONCE`));
  });

  it("keeps strings closed and brackets balanced (no PowerShell parser here, so at least the structure)", () => {
    const script = powerShellScript({ cloud, redirectUri, appName: "Bob's ‘Sync’ $(Stop-Computer) \"x\"" });
    expect(structureProblems(script)).toEqual([]);
  });
});

/**
 * A small PowerShell scanner: skips comment lines, single-quoted strings (any of ' ‘ ’ ‚ ‛
 * delimits, doubled means literal) and double-quoted strings ("" and backtick escapes), then checks
 * that brackets nest. Enough to catch a quote that breaks out of a literal.
 */
function structureProblems(script: string): string[] {
  const problems: string[] = [];
  const singleQuotes = "'‘’‚‛";
  const pairs: Record<string, string> = { ")": "(", "}": "{", "]": "[" };
  const stack: string[] = [];
  const code = script
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("#"))
    .join("\n");
  for (let index = 0; index < code.length; index++) {
    const char = code[index]!;
    if (singleQuotes.includes(char)) {
      index++;
      while (index < code.length) {
        if (singleQuotes.includes(code[index]!)) {
          if (singleQuotes.includes(code[index + 1] ?? "")) index += 2;
          else break;
        } else index++;
      }
      if (index >= code.length) problems.push("unclosed single-quoted string");
    } else if (char === '"') {
      index++;
      while (index < code.length) {
        if (code[index] === "`") index += 2;
        else if (code[index] === '"') {
          if (code[index + 1] === '"') index += 2;
          else break;
        } else index++;
      }
      if (index >= code.length) problems.push("unclosed double-quoted string");
    } else if ("({[".includes(char)) stack.push(char);
    else if (char in pairs) {
      if (stack.pop() !== pairs[char]) problems.push(`unbalanced ${char} at ${index}`);
    }
  }
  if (stack.length) problems.push(`unclosed ${stack.join("")}`);
  return problems;
}

describe("options", () => {
  it("respects the secret lifetime", () => {
    expect(azureCliScript({ cloud: knownClouds.global })).toContain("--years 1 ");
    expect(azureCliScript({ cloud: knownClouds.global, secretYears: 2 })).toContain("--years 2 ");
    expect(azureCliScript({ cloud: knownClouds.global, secretYears: 2 })).toContain("valid for 2 years");
    expect(powerShellScript({ cloud: knownClouds.global, secretYears: 2 })).toContain("(Get-Date).AddYears(2)");
  });

  it("defaults to CalendarSync, single tenant and one year", () => {
    const script = azureCliScript({ cloud: knownClouds.global });
    expect(script).toContain("APP_NAME='CalendarSync'");
    expect(script).toContain("SIGN_IN_AUDIENCE='AzureADMyOrg'");
    expect(script).toContain("--years 1 ");
  });

  it("refuses lifetimes over two years, control characters and odd redirect URIs", () => {
    expect(() => azureCliScript({ cloud: knownClouds.global, secretYears: 3 })).toThrow();
    expect(() => azureCliScript({ cloud: knownClouds.global, secretYears: 0 })).toThrow();
    expect(() => powerShellScript({ cloud: knownClouds.global, appName: "Calsync\nrm -rf ~" })).toThrow();
    expect(() => azureCliScript({ cloud: knownClouds.global, appName: "   " })).toThrow();
    expect(() => azureCliScript({ cloud: knownClouds.global, redirectUri: "javascript:alert(1)" })).toThrow();
  });

  it("never mentions the CLI's consent command; only a redirect URI path may contain admin-consent", () => {
    const consentRedirect = "https://calsync.example.com/connections/new/admin-consent/callback";
    for (const cloud of clouds) {
      for (const script of [azureCliScript({ cloud, redirectUri: consentRedirect }), powerShellScript({ cloud, redirectUri: consentRedirect })]) {
        expect(script.replaceAll(consentRedirect, "")).not.toContain("admin-consent");
      }
    }
  });

  it("warns in the header when the app would be for personal accounts only", () => {
    expect(azureCliScript({ cloud: knownClouds.global, signInAudience: "PersonalMicrosoftAccount" })).toMatch(/personal Microsoft accounts only cannot read/);
  });
});

describe("reading a pasted script output", () => {
  it("finds the four labelled values in PowerShell's output too, with the expiry as a date", () => {
    const pasted = [
      "Granted Calendars.ReadWrite (Read and write calendars in all mailboxes).",
      "Done. Paste these four lines into Calsync:",
      "  Directory (tenant) ID:    11111111-2222-3333-4444-555555555555",
      "  Application (client) ID:  3f2b8c1e-9d4a-4e6b-8f7c-1a2b3c4d5e6f",
      "  Client secret (Value):    abc8Q~x.y_z-0123456789",
      "  Client secret expires:    2027-11-24 01:00 UTC",
      "WARNING: The client secret is shown only this once.",
    ].join("\r\n");
    expect(parseScriptOutput(pasted)).toEqual({
      tenant: "11111111-2222-3333-4444-555555555555",
      clientId: "3f2b8c1e-9d4a-4e6b-8f7c-1a2b3c4d5e6f",
      clientSecret: "abc8Q~x.y_z-0123456789",
      secretExpiresAt: "2027-11-24",
    });
  });

  it("returns only what it finds, and nothing from unlabelled text", () => {
    expect(parseScriptOutput("application (client) id: 3f2b8c1e-9d4a-4e6b-8f7c-1a2b3c4d5e6f")).toEqual({ clientId: "3f2b8c1e-9d4a-4e6b-8f7c-1a2b3c4d5e6f" });
    expect(parseScriptOutput("Client secret expires: never")).toEqual({});
    expect(parseScriptOutput("just some text\nsecret: x")).toEqual({});
  });

  it("reads back exactly what both scripts print", () => {
    for (const script of [azureCliScript({ cloud: knownClouds.global }), powerShellScript({ cloud: knownClouds.global })]) {
      for (const label of Object.values(scriptOutputLabels)) expect(script).toContain(`${label}:`);
    }
  });
});

describe("running the Azure CLI script against a stand-in az", () => {
  const appName = `Bob's "Sync" $(touch pwned) \`touch pwned2\` $HOME`;
  const ids = {
    tenant: "11111111-2222-3333-4444-555555555555",
    app: "3f2b8c1e-9d4a-4e6b-8f7c-1a2b3c4d5e6f",
    sp: "aae51288-adf1-490e-a469-8ef6662d5173",
    graphSp: "9b0c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3",
  };
  // Answers like the real CLI does with `-o tsv`; logs every call's arguments, one per line.
  const fakeAz = `#!/usr/bin/env bash
{ printf '%s\\n' "$@"; printf -- '---\\n'; } >> "$AZ_LOG"
case "$1 $2 $3" in
  "cloud set --name") exit 0 ;;
  "account show --output") exit 0 ;;
  "account show --query") echo "${ids.tenant}" ;;
  "ad app create") echo "${ids.app}" ;;
  "ad sp show")
    if [ "$5" = "${graphResourceAppId}" ]; then echo "${ids.graphSp}"; else echo "ERROR: Resource does not exist" >&2; exit 3; fi ;;
  "ad sp create") echo "${ids.sp}" ;;
  "rest --method POST")
    if [[ "$*" == *"${graphPermissions.userReadAllApp.id}"* ]]; then
      echo "Bad Request({\\"error\\":{\\"code\\":\\"Request_BadRequest\\",\\"message\\":\\"Permission being assigned already exists on the object\\"}})" >&2; exit 1
    fi
    echo '{"id":"x"}' ;;
  "ad app credential")
    if [ "$4" = "reset" ]; then echo "s3cr3t~Value"; else echo "2027-11-24T01:00:00Z"; fi ;;
  *) echo "unexpected az call: $*" >&2; exit 9 ;;
esac
`;

  it("creates, consents, adds a secret and prints the values, with the app name taken literally", () => {
    const dir = join(work, "run");
    mkdirSync(join(dir, "bin"), { recursive: true });
    writeFileSync(join(dir, "bin", "az"), fakeAz);
    chmodSync(join(dir, "bin", "az"), 0o755);
    const log = join(dir, "az.log");
    writeFileSync(join(dir, setupScriptFileNames.azureCli), azureCliScript({ cloud: knownClouds.usgov, appName, redirectUri, secretYears: 2 }));

    const run = spawnSync("bash", [setupScriptFileNames.azureCli], {
      cwd: dir,
      encoding: "utf8",
      // Only PATH is inherited, behind the stand-in az, so that a real az or a variable of the caller cannot change the run.
      env: { NODE_ENV: "test", PATH: [join(dir, "bin"), process.env.PATH ?? ""].join(delimiter), AZ_LOG: log, HOME: dir },
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`Directory (tenant) ID:    ${ids.tenant}`);
    expect(run.stdout).toContain(`Application (client) ID:  ${ids.app}`);
    expect(run.stdout).toContain("Client secret (Value):    s3cr3t~Value");
    expect(run.stdout).toContain("Client secret expires:    2027-11-24T01:00:00Z");
    // What the admin pastes back into the wizard's script page.
    expect(parseScriptOutput(run.stdout)).toEqual({ tenant: ids.tenant, clientId: ids.app, clientSecret: "s3cr3t~Value", secretExpiresAt: "2027-11-24" });
    expect(run.stdout).toContain("Granted Calendars.ReadWrite");
    expect(run.stdout).toContain("User.Read.All (Read all users' full profiles) was already granted.");
    expect(run.stdout).toMatch(/shown only this once/);
    expect(existsSync(join(dir, "pwned"))).toBe(false);
    expect(existsSync(join(dir, "pwned2"))).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, setupScriptFileNames.requiredResourceAccess), "utf8"))).toEqual(JSON.parse(requiredResourceAccessJson()));

    const calls = readFileSync(log, "utf8").split("---\n").filter(Boolean).map((call) => call.trimEnd().split("\n"));
    const create = calls.find((args) => args[0] === "ad" && args[1] === "app" && args[2] === "create")!;
    expect(create[create.indexOf("--display-name") + 1]).toBe(appName);
    expect(create[create.indexOf("--web-redirect-uris") + 1]).toBe(redirectUri);
    const grants = calls.filter((args) => args[0] === "rest");
    expect(grants).toHaveLength(2);
    for (const [index, args] of grants.entries()) {
      expect(args[args.indexOf("--uri") + 1]).toBe(`${knownClouds.usgov.graphHost}/v1.0/servicePrincipals/${ids.sp}/appRoleAssignments`);
      expect(args[args.indexOf("--resource") + 1]).toBe(knownClouds.usgov.graphHost);
      expect(JSON.parse(args[args.indexOf("--body") + 1]!)).toEqual({ principalId: ids.sp, resourceId: ids.graphSp, appRoleId: roleIds[index] });
    }
    const reset = calls.find((args) => args.includes("reset"))!;
    expect(reset).toEqual(expect.arrayContaining(["--append", "--years", "2"]));
  });
});
