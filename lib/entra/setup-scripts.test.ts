import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { customCloud, knownClouds, type Cloud } from "@/lib/entra/clouds";
import { graphPermissions, graphResourceAppId } from "@/lib/entra/permissions";
import { parseScriptOutput, scriptOutputLabels } from "@/lib/entra/script-output";
import {
  azureCliScript,
  powerShellScript,
  requiredResourceAccessJson,
  setupScriptFileNames,
  signInAudienceSchema,
  type SetupScriptOptions,
} from "@/lib/entra/setup-scripts";
import { runShellcheck } from "@/test-support/system-tools";
import { commandUses, parsePowerShell, syntaxProblems } from "@/test-support/powershell-grammar";
import { fixtureKeys, fixtureText, pemBody } from "@/test-support/certificate-fixtures";
import { isListedSetupCmdlet, setupScriptAzCommands } from "@/lib/entra/setup-script-commands";
import { scriptCertificate } from "@/lib/wizard/draft-certificate";

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
      certificate: "calsync-certificate.pem",
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
      for (const field of ["tenant", "clientId", "clientSecret", "secretExpiresAt"] as const) expect(script).toContain(`${scriptOutputLabels[field]}:`);
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
    objectId: "5d6e7f80-91a2-4b3c-8d4e-5f60718293a4",
    keyId: "0f4e6d7c-1b2a-4c3d-8e9f-0a1b2c3d4e5f",
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
    if [[ "$*" == *"--cert"* ]]; then
      # The certificate variant: the upload is kept, and listed from then on under its key id.
      if [ "$4" = "reset" ]; then
        for arg in "$@"; do if [[ "$arg" == @* ]]; then cp "\${arg#@}" "$AZ_LOG.uploaded"; fi; done
      elif [ -f "$AZ_LOG.uploaded" ]; then echo "${ids.keyId}"; fi
    elif [ "$4" = "reset" ]; then echo "s3cr3t~Value"; else echo "2027-11-24T01:00:00Z"; fi ;;
  "ad app show") echo "${ids.objectId}" ;;
  *) echo "unexpected az call: $*" >&2; exit 9 ;;
esac
`;

  function runInFolder(name: string, script: string) {
    const dir = join(work, name);
    mkdirSync(join(dir, "bin"), { recursive: true });
    writeFileSync(join(dir, "bin", "az"), fakeAz);
    chmodSync(join(dir, "bin", "az"), 0o755);
    const log = join(dir, "az.log");
    writeFileSync(join(dir, setupScriptFileNames.azureCli), script);
    const run = spawnSync("bash", [setupScriptFileNames.azureCli], {
      cwd: dir,
      encoding: "utf8",
      // Only PATH is inherited, behind the stand-in az, so that a real az or a variable of the caller cannot change the run.
      env: { NODE_ENV: "test", PATH: [join(dir, "bin"), process.env.PATH ?? ""].join(delimiter), AZ_LOG: log, HOME: dir },
    });
    const calls = readFileSync(log, "utf8").split("---\n").filter(Boolean).map((call) => call.trimEnd().split("\n"));
    return { run, calls, log };
  }

  it("uploads the public certificate once and prints the Object ID and Certificate ID to paste back", () => {
    const { run, calls, log } = runInFolder("run-certificate", azureCliScript({ cloud: knownClouds.global, appName, redirectUri, certificate: scriptCertificate(fixtureText("cert-a.pem")) }));
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(parseScriptOutput(run.stdout)).toEqual({ tenant: ids.tenant, clientId: ids.app, applicationObjectId: ids.objectId, certificateKeyId: ids.keyId });
    // What reached Microsoft is exactly the public certificate.
    expect(pemBody(readFileSync(`${log}.uploaded`, "utf8"))).toBe(pemBody(fixtureText("cert-a.pem")));
    const resets = calls.filter((args) => args.includes("reset"));
    expect(resets).toEqual([["ad", "app", "credential", "reset", "--id", ids.app, "--cert", "@calsync-certificate.pem", "--append", "--output", "none"]]);
    expect(run.stdout).not.toContain("secret");

    // A second run finds the certificate listed and uploads nothing more.
    const again = runInFolder("run-certificate", azureCliScript({ cloud: knownClouds.global, appName, redirectUri, certificate: scriptCertificate(fixtureText("cert-a.pem")) }));
    expect(again.run.status).toBe(0);
    expect(parseScriptOutput(again.run.stdout).certificateKeyId).toBe(ids.keyId);
    expect(again.calls.filter((args) => args.includes("reset"))).toHaveLength(1);
  });

  it("creates, consents, adds a secret and prints the values, with the app name taken literally", () => {
    const dir = join(work, "run");
    const { run, calls } = runInFolder("run", azureCliScript({ cloud: knownClouds.usgov, appName, redirectUri, secretYears: 2 }));
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

const certificatePem = fixtureText("cert-a.pem");
const certificate = scriptCertificate(certificatePem);

describe("the scripts with a certificate instead of a secret", () => {
  it("describes only the public certificate, from the console's own parsing", () => {
    expect(certificate.base64Der).toBe(pemBody(certificatePem));
    expect(certificate.thumbprint).toMatch(/^[0-9A-F]{40}$/);
    expect(certificate.expiresAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it.each(clouds)("uploads the public certificate with the Azure CLI and passes bash -n and ShellCheck ($id)", (cloud) => {
    const script = azureCliScript({ cloud, redirectUri, certificate });
    const file = writeScript(script);
    expect(spawnSync("bash", ["-n", file], { encoding: "utf8" }).status).toBe(0);
    const lint = runShellcheck(file);
    expect(lint.stdout).toBe("");
    expect(lint.status).toBe(0);
    expect(script).toContain(`cat > calsync-certificate.pem <<'CALSYNC-PEM-END'\n-----BEGIN CERTIFICATE-----\n`);
    expect(script.replace(/\s+/g, "")).toContain(certificate.base64Der);
    expect(script).toContain('az ad app credential reset --id "$APP_ID" --cert @calsync-certificate.pem --append');
    expect(script).toContain('az ad app credential list --id "$APP_ID" --cert');
    expect(script).toContain('az ad app show --id "$APP_ID" --query id -o tsv');
    expect(script).not.toMatch(/PRIVATE KEY|--years|--query password|CLIENT_SECRET/);
    expect(script).not.toContain(pemBody(fixtureKeys.a).slice(0, 64));
    expect(script).toContain(certificate.thumbprint);
    for (const label of [scriptOutputLabels.tenant, scriptOutputLabels.clientId, scriptOutputLabels.applicationObjectId, scriptOutputLabels.certificateKeyId]) {
      expect(script).toContain(`${label}:`);
    }
    expect(script).not.toContain(`${scriptOutputLabels.clientSecret}:`);
  });

  it.each(clouds)("updates keyCredentials with Microsoft Graph PowerShell, keeping the app's other certificates ($id)", async (cloud) => {
    const script = powerShellScript({ cloud, redirectUri, certificate: { ...certificate, subject: "CN=Bob's ‘Sync’ $(Stop-Computer)" } });
    expect(syntaxProblems(await parsePowerShell(script), script)).toEqual([]);
    expect(structureProblems(script)).toEqual([]);
    expect(script).toContain("$keyCredentials = @((Get-MgApplication -ApplicationId $app.Id -Property keyCredentials).KeyCredentials)");
    expect(script).toContain("Update-MgApplication -ApplicationId $app.Id -KeyCredentials (@($keyCredentials) + $certificate)");
    expect(script).toContain(`Key         = [System.Convert]::FromBase64String('${certificate.base64Der}')`);
    expect(script).toContain("DisplayName = 'CN=Bob''s ‘‘Sync’’ $(Stop-Computer)'");
    expect(script).toContain(`$CertificateThumbprint = '${certificate.thumbprint}'`);
    expect(script).not.toMatch(/PRIVATE KEY|Add-MgApplicationPassword|SecretText|Add-MgApplicationKey/);
    expect(script).toContain(`${scriptOutputLabels.applicationObjectId}:`);
    expect(script).toContain("$($app.Id)");
    expect(script).toContain(`${scriptOutputLabels.certificateKeyId}:`);
  });

  it("refuses anything but a described public certificate", () => {
    const cloud = knownClouds.global;
    expect(() => azureCliScript({ cloud, certificate: { ...certificate, base64Der: "MIIB'; rm -rf ~; '" } })).toThrow();
    expect(() => azureCliScript({ cloud, certificate: { ...certificate, base64Der: `-----BEGIN PRIVATE KEY-----\n${pemBody(fixtureKeys.a)}` } })).toThrow();
    // Base64 that is not whole (length not a multiple of 4) could end in a line that closes the heredoc.
    expect(() => azureCliScript({ cloud, certificate: { ...certificate, base64Der: `${"A".repeat(64)}PEM` } })).toThrow();
    expect(() => powerShellScript({ cloud, certificate: { ...certificate, thumbprint: "ab'cd" } })).toThrow();
    expect(() => powerShellScript({ cloud, certificate: { ...certificate, expiresAt: "soon" } })).toThrow();
  });

  it("reads the Object ID and Certificate ID back from the output", () => {
    const pasted = ["Done. Paste these four lines into Calsync:", "  Object ID:                aae51288-adf1-490e-a469-8ef6662d5173", "  Certificate ID:           0f4e6d7c-1b2a-4c3d-8e9f-0a1b2c3d4e5f"].join("\n");
    expect(parseScriptOutput(pasted)).toEqual({ applicationObjectId: "aae51288-adf1-490e-a469-8ef6662d5173", certificateKeyId: "0f4e6d7c-1b2a-4c3d-8e9f-0a1b2c3d4e5f" });
  });
});

describe("the checked-in command list", () => {
  const functionsOf = (script: string) => new Set([...script.matchAll(/^function ([\w-]+)/gm)].map((match) => match[1]!.toLowerCase()));

  it("lists every cmdlet and parameter of every PowerShell variant, each with its Microsoft page", async () => {
    const variants = clouds.flatMap((cloud) => [powerShellScript({ cloud, redirectUri }), powerShellScript({ cloud, certificate })]);
    for (const script of variants) {
      const own = functionsOf(script);
      for (const use of commandUses(await parsePowerShell(script))) {
        // The script's own functions, and a script block it invokes (`& $Action`).
        if (own.has(use.name.toLowerCase()) || use.name.startsWith("$")) continue;
        expect(isListedSetupCmdlet(use.name), `line ${use.line}: ${use.name} is not in setup-script-commands.ts`).toBe(true);
        for (const parameter of use.parameters) {
          expect(isListedSetupCmdlet(use.name, parameter), `line ${use.line}: ${use.name} -${parameter} is not in setup-script-commands.ts`).toBe(true);
        }
      }
    }
    expect(isListedSetupCmdlet("Add-MgApplicationKey")).toBe(false);
    expect(isListedSetupCmdlet("Update-MgApplication", "KeyCredential")).toBe(false);
  });

  it("lists every Azure CLI command and option of every Bash variant", () => {
    const variants = clouds.flatMap((cloud) => [azureCliScript({ cloud, redirectUri }), azureCliScript({ cloud, certificate })]);
    for (const script of variants) {
      for (const use of azCommandUses(script)) {
        const entry = setupScriptAzCommands[use.command];
        expect(entry, `az ${use.command} is not in setup-script-commands.ts`).toBeDefined();
        for (const option of use.options) expect(entry!.parameters, `az ${use.command} --${option}`).toContain(option);
        expect(entry!.docs).toMatch(/^https:\/\/learn\.microsoft\.com\/cli\/azure\//);
      }
    }
    expect(azCommandUses('retry az ad app credential reset --id "$APP_ID" --cert @c.pem --append --output none')).toEqual([
      { command: "ad app credential reset", options: ["id", "cert", "append", "output"] },
    ]);
  });
});

/** Each `az` call of a Bash script (continued lines joined, comments and echoed text skipped), with its options. */
function azCommandUses(script: string): { command: string; options: string[] }[] {
  const code = script
    .replaceAll("\\\n", " ")
    .split("\n")
    .filter((line) => !/^\s*(#|echo\b)/.test(line));
  return code.flatMap((line) =>
    [...line.matchAll(/(?:^|[\s"(])az\s+([^\n]*)/g)].map((match) => {
      const tokens = match[1]!.split(/\s+/);
      const words = tokens.slice(0, tokens.findIndex((token) => !/^[a-z]+$/.test(token)) >>> 0);
      return { command: words.join(" "), options: tokens.filter((token) => /^--?[a-z]/.test(token)).map((token) => token.replace(/^--?/, "")) };
    }),
  );
}
