import { commonParameters } from "@/lib/scoping/exchange-cmdlets";

/**
 * Every cmdlet and Azure CLI command the app registration scripts (setup-scripts.ts) may use, with
 * the parameters they may pass and the Microsoft page that documents them. Neither tool can run in the
 * console's tests, so this list is the contract: each entry was checked against the linked page, and
 * a unit test fails when a generated script uses a command or parameter that is not listed here.
 */

export type SetupCmdletEntry = {
  /** The PowerShell module that ships the cmdlet. */
  module: string;
  /** Parameter names without the dash, as Microsoft's page spells them. */
  parameters: readonly string[];
  docs: string;
};

const graphDocs = (module: string, cmdlet: string) => `https://learn.microsoft.com/powershell/module/${module.toLowerCase()}/${cmdlet.toLowerCase()}`;
const applications = "Microsoft.Graph.Applications";
const authentication = "Microsoft.Graph.Authentication";
const utility = "Microsoft.PowerShell.Utility";
const core = "Microsoft.PowerShell.Core";

function cmdlet(module: string, name: string, parameters: readonly string[]): [string, SetupCmdletEntry] {
  return [name, { module, parameters, docs: graphDocs(module, name) }];
}

export const setupScriptCmdlets: Readonly<Record<string, SetupCmdletEntry>> = Object.fromEntries([
  cmdlet(authentication, "Connect-MgGraph", ["Environment", "Scopes", "NoWelcome"]),
  cmdlet(authentication, "Get-MgContext", []),
  cmdlet(authentication, "Get-MgEnvironment", ["Name"]),
  cmdlet(authentication, "Add-MgEnvironment", ["Name", "AzureADEndpoint", "GraphEndpoint"]),
  cmdlet(applications, "Get-MgApplication", ["ApplicationId", "Filter", "Property"]),
  cmdlet(applications, "New-MgApplication", ["DisplayName", "SignInAudience", "RequiredResourceAccess", "Web"]),
  // KeyCredentials replaces the app's whole collection; the first certificate cannot use addKey.
  cmdlet(applications, "Update-MgApplication", ["ApplicationId", "SignInAudience", "RequiredResourceAccess", "Web", "KeyCredentials"]),
  cmdlet(applications, "Add-MgApplicationPassword", ["ApplicationId", "PasswordCredential"]),
  cmdlet(applications, "Get-MgServicePrincipal", ["Filter", "Property"]),
  cmdlet(applications, "New-MgServicePrincipal", ["AppId"]),
  cmdlet(applications, "Get-MgServicePrincipalAppRoleAssignment", ["ServicePrincipalId", "All"]),
  cmdlet(applications, "New-MgServicePrincipalAppRoleAssignment", ["ServicePrincipalId", "PrincipalId", "ResourceId", "AppRoleId"]),
  cmdlet(utility, "Write-Host", []),
  cmdlet(utility, "Write-Warning", []),
  cmdlet(utility, "Get-Date", []),
  cmdlet(utility, "Start-Sleep", ["Seconds"]),
  cmdlet(core, "Where-Object", []),
  cmdlet(core, "ForEach-Object", []),
  cmdlet(core, "Out-Null", []),
]);

export type AzCommandEntry = { parameters: readonly string[]; docs: string };

// Commands outside a group (az rest) are documented on the reference index.
function az(group: string, command: string, parameters: readonly string[]): [string, AzCommandEntry] {
  const name = group ? `${group} ${command}` : command;
  const page = group ? group.replaceAll(" ", "/") : "reference-index";
  return [name, { parameters, docs: `https://learn.microsoft.com/cli/azure/${page}#az-${name.replaceAll(" ", "-")}` }];
}

/** Azure CLI commands by their words after `az`; parameters without the dashes. */
export const setupScriptAzCommands: Readonly<Record<string, AzCommandEntry>> = Object.fromEntries([
  az("cloud", "set", ["name"]),
  az("account", "show", ["query", "output", "o"]),
  az("ad app", "create", ["display-name", "sign-in-audience", "required-resource-accesses", "web-redirect-uris", "query", "o"]),
  az("ad app", "show", ["id", "query", "o"]),
  // --cert takes a PEM or DER public certificate, or @file; --append keeps the app's other credentials.
  az("ad app credential", "reset", ["id", "append", "display-name", "years", "cert", "query", "output", "o"]),
  az("ad app credential", "list", ["id", "cert", "query", "o"]),
  az("ad sp", "show", ["id", "query", "o"]),
  az("ad sp", "create", ["id", "query", "o"]),
  az("", "rest", ["method", "uri", "resource", "headers", "body"]),
]);

/** Whether `-parameter` is listed for `name` (PowerShell compares both without regard to case). */
export function isListedSetupCmdlet(name: string, parameter?: string): boolean {
  const entry = Object.entries(setupScriptCmdlets).find(([listed]) => listed.toLowerCase() === name.toLowerCase())?.[1];
  if (!entry || parameter === undefined) return Boolean(entry);
  return [...entry.parameters, ...commonParameters.parameters].some((listed) => listed.toLowerCase() === parameter.toLowerCase());
}
