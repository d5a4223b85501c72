import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { commandUses, parsePowerShell, syntaxProblems } from "@/test-support/powershell-grammar";
import { commonParameters, exchangeScriptCmdlets, isListedCmdlet, isListedParameter } from "@/lib/scoping/exchange-cmdlets";
import { exchangeScopeScript, servicePrincipalObjectIdProblem, type ExchangeScriptInput } from "@/lib/scoping/exchange-script";

const base: ExchangeScriptInput = {
  cloud: "global",
  clientId: "71487acd-ec93-476d-bd0e-6c8b31831053",
  servicePrincipalObjectId: "6233fba6-0198-4277-892f-9275bf728bcc",
  displayName: "Calsync",
  scopeKind: "group",
  scopeIdentity: "calendar-sync@contoso.com",
  inScopeMailbox: "adele@contoso.com",
  outOfScopeMailbox: "ceo@contoso.com",
};

// Every shape the assistant can produce: each scope target, with and without the legacy conversion,
// in each cloud, and with values that test the quoting.
const variants: Array<[string, ExchangeScriptInput]> = [
  ["group", base],
  ["administrative unit", { ...base, scopeKind: "administrative-unit", scopeIdentity: "West Coast" }],
  ["group, converting a legacy policy", { ...base, convertLegacyPolicy: true }],
  ["administrative unit, converting a legacy policy", { ...base, scopeKind: "administrative-unit", scopeIdentity: "2a1b6c39-0b5f-4a1e-8d57-3a9f0e4f6c11", convertLegacyPolicy: true }],
  ["quotes and PowerShell syntax in every typed value", { ...base, displayName: "O'Brien's $(Remove-Item C:\\) `\"app\"", scopeIdentity: "Sales ‘EMEA’ ’; Remove-Mailbox x; '", inScopeMailbox: "o'neil@contoso.com" }],
  ["US Government", { ...base, cloud: "usgov" }],
  ["US Government DoD", { ...base, cloud: "usgov-dod", scopeKind: "administrative-unit", scopeIdentity: "DoD unit" }],
  ["China", { ...base, cloud: "china" }],
  ["custom endpoints", { ...base, cloud: "custom" }],
];

describe("exchangeScopeScript", () => {
  it.each(variants)("parses without a syntax error (%s)", async (_name, input) => {
    const script = exchangeScopeScript(input);
    const tree = await parsePowerShell(script);
    expect(syntaxProblems(tree, script)).toEqual([]);
  });

  it.each(variants)("uses only listed cmdlets and parameters (%s)", async (_name, input) => {
    const script = exchangeScopeScript(input);
    const uses = commandUses(await parsePowerShell(script));
    expect(uses.length).toBeGreaterThan(5);
    for (const use of uses) {
      expect(isListedCmdlet(use.name), `line ${use.line}: ${use.name} is not in exchange-cmdlets.ts`).toBe(true);
      for (const parameter of use.parameters) {
        expect(isListedParameter(use.name, parameter), `line ${use.line}: ${use.name} -${parameter} is not in exchange-cmdlets.ts`).toBe(true);
      }
    }
  });

  it("runs the steps the issue asks for, in order, for a group", () => {
    const script = exchangeScopeScript(base);
    const order = [
      "Connect-ExchangeOnline",
      "New-ServicePrincipal -AppId $AppId -ObjectId $ServicePrincipalObjectId -DisplayName $DisplayName",
      "New-ManagementScope -Name $ScopeName -RecipientRestrictionFilter $memberFilter",
      "New-ManagementRoleAssignment -Name $AssignmentName -App $ServicePrincipalObjectId -Role $Role -CustomResourceScope $ScopeName",
      "Remove-MgServicePrincipalAppRoleAssignment",
      "Test-ServicePrincipalAuthorization -Identity $AppId -Resource $insideMailbox",
      "Test-ServicePrincipalAuthorization -Identity $AppId -Resource $outsideMailbox",
    ];
    const positions = order.map((text) => script.indexOf(text));
    expect(positions.every((position) => position >= 0), JSON.stringify(positions)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(script).toContain("$memberFilter = \"MemberOfGroup -eq '$groupDn'\"");
    expect(script).toContain("$Role = 'Application Calendars.ReadWrite'");
    expect(script).toContain("$AppId = '71487acd-ec93-476d-bd0e-6c8b31831053'");
    expect(script).toContain("$ServicePrincipalObjectId = '6233fba6-0198-4277-892f-9275bf728bcc'");
    expect(script).not.toContain("RecipientAdministrativeUnitScope");
    expect(script).not.toContain("ApplicationAccessPolicy");
  });

  it("scopes an administrative unit on the role assignment, without a management scope", () => {
    const script = exchangeScopeScript({ ...base, scopeKind: "administrative-unit", scopeIdentity: "West Coast" });
    expect(script).toContain("-RecipientAdministrativeUnitScope $ScopeIdentity");
    expect(script).toContain("$ScopeIdentity = 'West Coast'");
    expect(script).not.toContain("New-ManagementScope");
    expect(script).not.toContain("CustomResourceScope");
  });

  it("removes the tenant-wide Calendars.ReadWrite grant by its app role id (the union trap)", () => {
    const script = exchangeScopeScript(base);
    expect(script).toContain("Connect-MgGraph -Environment Global -Scopes @('Application.Read.All', 'AppRoleAssignment.ReadWrite.All') -NoWelcome");
    expect(script).toContain("$_.AppRoleId -eq 'ef54d2bf-783f-4e0f-bca1-3210c0444d99'");
    expect(script).toMatch(/adds to the app's Microsoft Entra\s+# permissions|adds to the app's Microsoft Entra permissions/);
    expect(script).toContain("Exchange applies scope changes within 2 hours");
  });

  it("converts a legacy application access policy only when asked, removing it after RBAC is in place", () => {
    const script = exchangeScopeScript({ ...base, convertLegacyPolicy: true });
    const find = script.indexOf("Get-ApplicationAccessPolicy");
    const assign = script.indexOf("New-ManagementRoleAssignment");
    const remove = script.indexOf("Remove-ApplicationAccessPolicy");
    expect(find).toBeGreaterThan(0);
    expect(find).toBeLessThan(assign);
    expect(remove).toBeGreaterThan(assign);
    expect(script).toContain("Microsoft no longer recommends new application access policies");
  });

  it("names the Exchange and Graph environment of each cloud", () => {
    expect(exchangeScopeScript(base)).toContain("Connect-ExchangeOnline -ShowBanner:$false");
    expect(exchangeScopeScript({ ...base, cloud: "usgov" })).toContain("Connect-ExchangeOnline -ExchangeEnvironmentName O365USGovGCCHigh -ShowBanner:$false");
    expect(exchangeScopeScript({ ...base, cloud: "usgov-dod" })).toContain("-ExchangeEnvironmentName O365USGovDoD");
    expect(exchangeScopeScript({ ...base, cloud: "china" })).toContain("-ExchangeEnvironmentName O365China");
    expect(exchangeScopeScript({ ...base, cloud: "china" })).toContain("Connect-MgGraph -Environment China");
  });

  it("keeps every typed value inside one single-quoted literal, quotes doubled", () => {
    const script = exchangeScopeScript(variants[4]![1]);
    expect(script).toContain("$DisplayName = 'O''Brien''s $(Remove-Item C:\\) `\"app\"'");
    expect(script).toContain("$ScopeIdentity = 'Sales ‘‘EMEA’’ ’’; Remove-Mailbox x; '''");
    expect(script).toContain("$InScopeMailbox = 'o''neil@contoso.com'");
  });

  it("refuses values that are not what they claim to be", () => {
    const refused = (change: Partial<ExchangeScriptInput>) => expect(() => exchangeScopeScript({ ...base, ...change })).toThrow(ZodError);
    refused({ servicePrincipalObjectId: "not-a-guid" });
    refused({ clientId: "contoso" });
    refused({ inScopeMailbox: "adele" });
    refused({ outOfScopeMailbox: "ADELE@contoso.com" });
    refused({ scopeIdentity: "Sales\nRemove-Mailbox x" });
    refused({ displayName: "Cal\u202esync" });
    refused({ scopeIdentity: "  " });
  });
});

// Each of these follows from a statement on the cmdlet's reference page; exchange-cmdlets.ts quotes it.
describe("exchangeScopeScript against Microsoft's documentation", () => {
  it("creates Exchange's service principal unless Get-ServicePrincipal returns this app, since an unknown Identity returns them all", () => {
    const script = exchangeScopeScript(base);
    expect(script).toContain("$known = @(Get-ServicePrincipal -Identity $ServicePrincipalObjectId -ErrorAction SilentlyContinue | Where-Object { $_.AppId -eq $AppId })");
    expect(script).toMatch(/if \(\$known\.Count -eq 0\) \{\n {4}New-ServicePrincipal -AppId \$AppId -ObjectId \$ServicePrincipalObjectId/);
    expect(script).not.toContain("if (-not (Get-ServicePrincipal");
  });

  it("looks the group up with Get-DistributionGroup, whose Identity takes an email address as well as a name", () => {
    const script = exchangeScopeScript(base);
    expect(script).toContain("$groupDn = (Get-DistributionGroup -Identity $ScopeIdentity).DistinguishedName");
    expect(script).not.toMatch(/Get-Group\b/);
  });

  it("asks Microsoft Graph for Application.Read.All too, which listing the app role assignments needs", () => {
    expect(exchangeScopeScript(base)).toMatch(/Connect-MgGraph .*-Scopes @\('Application\.Read\.All', 'AppRoleAssignment\.ReadWrite\.All'\)/);
  });

  it("tests each mailbox by its distinguished name and the app by its client ID, as the Identity and Resource lists allow", () => {
    const script = exchangeScopeScript(base);
    expect(script).toContain("$insideMailbox = (Get-Mailbox -Identity $InScopeMailbox).DistinguishedName");
    expect(script).toContain("$outsideMailbox = (Get-Mailbox -Identity $OutOfScopeMailbox).DistinguishedName");
    expect(script).not.toMatch(/-Resource \$(InScopeMailbox|OutOfScopeMailbox)/);
    expect(script).not.toContain("Test-ServicePrincipalAuthorization -Identity $ServicePrincipalObjectId");
  });

  it("reads InScope as text, since it can be Not Run as well as True or False", () => {
    const script = exchangeScopeScript(base);
    expect(script.match(/Where-Object \{ "\$\(\$_\.InScope\)" -eq 'True' \}/g)).toHaveLength(2);
    expect(script).not.toContain("Where-Object { $_.InScope }");
  });
});

describe("servicePrincipalObjectIdProblem", () => {
  const known = { clientId: base.clientId, tenantId: "0b2f3c4d-1111-4222-8333-444455556666", applicationObjectId: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d" };

  it("accepts another GUID, in any case", () => {
    expect(servicePrincipalObjectIdProblem(" 6233FBA6-0198-4277-892F-9275BF728BCC ", known)).toBeUndefined();
  });

  it("names the ID that was pasted by mistake", () => {
    expect(servicePrincipalObjectIdProblem("", known)).toContain("Enterprise applications");
    expect(servicePrincipalObjectIdProblem("6233fba6", known)).toContain("is a GUID");
    expect(servicePrincipalObjectIdProblem(base.clientId.toUpperCase(), known)).toContain("Application (client) ID");
    expect(servicePrincipalObjectIdProblem(known.tenantId, known)).toContain("Directory (tenant) ID");
    expect(servicePrincipalObjectIdProblem(known.applicationObjectId, known)).toContain("app registration's Object ID");
  });
});

describe("the cmdlet list", () => {
  it("links every entry to Microsoft's documentation and says, for each parameter, its type and the value passed", () => {
    for (const [name, entry] of Object.entries(exchangeScriptCmdlets)) {
      expect(entry.docs, name).toMatch(/^https:\/\/learn\.microsoft\.com\/powershell\/module\/[a-z.]+\/[a-z-]+$/);
      expect(entry.docs.endsWith(name.toLowerCase()), name).toBe(true);
      for (const [parameter, about] of Object.entries<{ type: string; note: string }>(entry.parameters)) {
        expect(about.type, `${name} -${parameter}`).toMatch(/^[A-Z][A-Za-z]+(\[\])?$/);
        expect(about.note.length, `${name} -${parameter}`).toBeGreaterThan(10);
      }
    }
    expect(commonParameters.docs).toMatch(/^https:\/\/learn\.microsoft\.com\//);
  });

  it("lists only parameters the scripts pass, so each note describes a value the script really sends", async () => {
    const passed = new Set<string>();
    for (const [, input] of variants) {
      for (const use of commandUses(await parsePowerShell(exchangeScopeScript(input)))) {
        for (const parameter of use.parameters) passed.add(`${use.name} -${parameter}`);
      }
    }
    const listed = Object.entries(exchangeScriptCmdlets).flatMap(([name, entry]) => Object.keys(entry.parameters).map((parameter) => `${name} -${parameter}`));
    expect(listed.filter((use) => !passed.has(use))).toEqual([]);
  });

  it("lists only cmdlets the scripts use, so it stays the script's own contract", async () => {
    const used = new Set<string>();
    for (const [, input] of variants) {
      for (const use of commandUses(await parsePowerShell(exchangeScopeScript(input)))) used.add(use.name);
    }
    expect([...used].sort()).toEqual(Object.keys(exchangeScriptCmdlets).sort());
  });

  it("catches a cmdlet or parameter that is not listed", async () => {
    const uses = commandUses(await parsePowerShell('Set-Mailbox -Identity x\nNew-ServicePrincipal -AppId a -ServiceId b\nRemove-ApplicationAccessPolicy -Identity x -Confirm:$false\nWrite-Host "$(Get-Group -Identity g)"\n'));
    expect(uses.map((use) => use.name)).toEqual(["Set-Mailbox", "New-ServicePrincipal", "Remove-ApplicationAccessPolicy", "Write-Host", "Get-Group"]);
    expect(isListedCmdlet("Set-Mailbox")).toBe(false);
    expect(isListedCmdlet("Get-Group")).toBe(false);
    expect(isListedParameter("New-ServicePrincipal", "ServiceId")).toBe(false);
    expect(isListedParameter("Get-Mailbox", "identity")).toBe(true);
    expect(uses[2]!.parameters).toEqual(["Identity", "Confirm"]);
  });

  it("reports a syntax error in broken PowerShell", async () => {
    const broken = "if ($x -eq 'a' {\n  Write-Host 'missing parenthesis'\n";
    expect(syntaxProblems(await parsePowerShell(broken), broken).length).toBeGreaterThan(0);
  });
});
