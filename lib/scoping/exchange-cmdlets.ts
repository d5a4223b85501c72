/**
 * Every cmdlet the mailbox scope script may use, with the parameters it may pass and the Microsoft
 * page that documents them. PowerShell cannot run in the console's tests, so this list is the
 * contract: each entry was checked against the linked page, and a unit test fails when the generated
 * script uses a cmdlet or parameter that is not listed here.
 */

export type CmdletEntry = {
  /** The PowerShell module that ships the cmdlet. */
  module: string;
  /** Parameter names without the dash, as Microsoft's page spells them. */
  parameters: readonly string[];
  docs: string;
};

const exchangeDocs = (cmdlet: string) => `https://learn.microsoft.com/powershell/module/exchangepowershell/${cmdlet.toLowerCase()}`;
const exchangeModule = "ExchangeOnlineManagement";

export const exchangeScriptCmdlets = {
  "Connect-ExchangeOnline": { module: exchangeModule, parameters: ["ExchangeEnvironmentName", "ShowBanner"], docs: exchangeDocs("Connect-ExchangeOnline") },
  "Get-ApplicationAccessPolicy": { module: exchangeModule, parameters: [], docs: exchangeDocs("Get-ApplicationAccessPolicy") },
  "Remove-ApplicationAccessPolicy": { module: exchangeModule, parameters: ["Identity", "Confirm"], docs: exchangeDocs("Remove-ApplicationAccessPolicy") },
  "Get-ServicePrincipal": { module: exchangeModule, parameters: ["Identity"], docs: exchangeDocs("Get-ServicePrincipal") },
  "New-ServicePrincipal": { module: exchangeModule, parameters: ["AppId", "ObjectId", "DisplayName"], docs: exchangeDocs("New-ServicePrincipal") },
  "Get-Group": { module: exchangeModule, parameters: ["Identity"], docs: exchangeDocs("Get-Group") },
  "Get-AdministrativeUnit": { module: exchangeModule, parameters: ["Identity"], docs: exchangeDocs("Get-AdministrativeUnit") },
  "New-ManagementScope": { module: exchangeModule, parameters: ["Name", "RecipientRestrictionFilter"], docs: exchangeDocs("New-ManagementScope") },
  "New-ManagementRoleAssignment": {
    module: exchangeModule,
    parameters: ["Name", "App", "Role", "CustomResourceScope", "RecipientAdministrativeUnitScope"],
    docs: exchangeDocs("New-ManagementRoleAssignment"),
  },
  "Test-ServicePrincipalAuthorization": { module: exchangeModule, parameters: ["Identity", "Resource"], docs: exchangeDocs("Test-ServicePrincipalAuthorization") },
  "Connect-MgGraph": {
    module: "Microsoft.Graph.Authentication",
    parameters: ["Scopes", "Environment", "NoWelcome"],
    docs: "https://learn.microsoft.com/powershell/module/microsoft.graph.authentication/connect-mggraph",
  },
  "Get-MgServicePrincipalAppRoleAssignment": {
    module: "Microsoft.Graph.Applications",
    parameters: ["ServicePrincipalId", "All"],
    docs: "https://learn.microsoft.com/powershell/module/microsoft.graph.applications/get-mgserviceprincipalapproleassignment",
  },
  "Remove-MgServicePrincipalAppRoleAssignment": {
    module: "Microsoft.Graph.Applications",
    parameters: ["ServicePrincipalId", "AppRoleAssignmentId"],
    docs: "https://learn.microsoft.com/powershell/module/microsoft.graph.applications/remove-mgserviceprincipalapproleassignment",
  },
  "Where-Object": { module: "Microsoft.PowerShell.Core", parameters: [], docs: "https://learn.microsoft.com/powershell/module/microsoft.powershell.core/where-object" },
  "Format-Table": { module: "Microsoft.PowerShell.Utility", parameters: ["Property"], docs: "https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/format-table" },
  "Write-Host": { module: "Microsoft.PowerShell.Utility", parameters: [], docs: "https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/write-host" },
  "Write-Warning": { module: "Microsoft.PowerShell.Utility", parameters: [], docs: "https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/write-warning" },
} as const satisfies Record<string, CmdletEntry>;

export type ExchangeScriptCmdlet = keyof typeof exchangeScriptCmdlets;

/** Accepted by every cmdlet (about_CommonParameters); the script uses only ErrorAction. */
export const commonParameters = {
  parameters: ["ErrorAction"],
  docs: "https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_commonparameters",
} as const;

/** Whether `-parameter` is allowed on `cmdlet` (PowerShell compares both without regard to case). */
export function isListedParameter(cmdlet: string, parameter: string): boolean {
  const entry = Object.entries(exchangeScriptCmdlets).find(([name]) => name.toLowerCase() === cmdlet.toLowerCase())?.[1];
  if (!entry) return false;
  const wanted = parameter.toLowerCase();
  return [...entry.parameters, ...commonParameters.parameters].some((name) => name.toLowerCase() === wanted);
}

export function isListedCmdlet(cmdlet: string): boolean {
  return Object.keys(exchangeScriptCmdlets).some((name) => name.toLowerCase() === cmdlet.toLowerCase());
}
