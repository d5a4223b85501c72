/**
 * Every cmdlet the mailbox scope script may use, with each parameter it may pass and the Microsoft
 * page that documents them. PowerShell cannot run in the console's tests, so this list is the
 * contract: a unit test fails when the generated script uses a cmdlet or parameter that is not here.
 *
 * Each entry was re-read against its reference page (the MicrosoftDocs office-docs-powershell and
 * microsoftgraph-docs-powershell sources of learn.microsoft.com) on 2026-12-02. A parameter's `type`
 * is the one the page gives; its `note` is the value form the script passes and, where the page
 * states a constraint the script relies on, that constraint in a line.
 */

export type ParameterEntry = {
  /** The parameter's type as the reference page gives it. */
  type: string;
  note: string;
};

export type CmdletEntry = {
  /** The PowerShell module that ships the cmdlet. */
  module: string;
  docs: string;
  /** Parameter names without the dash, as Microsoft's page spells them. */
  parameters: Readonly<Record<string, ParameterEntry>>;
  /** What the page says about the cmdlet itself that the script relies on. */
  note?: string;
};

const exchangeDocs = (cmdlet: string) => `https://learn.microsoft.com/powershell/module/exchangepowershell/${cmdlet.toLowerCase()}`;
const moduleDocs = (module: string, cmdlet: string) => `https://learn.microsoft.com/powershell/module/${module.toLowerCase()}/${cmdlet.toLowerCase()}`;
const exchangeModule = "ExchangeOnlineManagement";

export const exchangeScriptCmdlets = {
  "Connect-ExchangeOnline": {
    module: exchangeModule,
    docs: exchangeDocs("Connect-ExchangeOnline"),
    parameters: {
      ExchangeEnvironmentName: {
        type: "ExchangeEnvironment",
        note: "O365USGovGCCHigh, O365USGovDoD or O365China; the page says to leave it out for Microsoft 365 (its default, O365Default).",
      },
      ShowBanner: { type: "SwitchParameter", note: 'Passed as -ShowBanner:$false: "To hide the banner, use this exact syntax".' },
    },
  },
  "Get-ApplicationAccessPolicy": {
    module: exchangeModule,
    docs: exchangeDocs("Get-ApplicationAccessPolicy"),
    parameters: {},
    note: "Run without -Identity, so it lists every policy; the page names the properties Identity, Description, ScopeName, AccessRight and AppID that the script filters and prints.",
  },
  "Remove-ApplicationAccessPolicy": {
    module: exchangeModule,
    docs: exchangeDocs("Remove-ApplicationAccessPolicy"),
    parameters: {
      Identity: { type: "ApplicationAccessPolicyIdParameter", note: "The Identity property of a policy that Get-ApplicationAccessPolicy returned, as the page says to find it." },
      Confirm: { type: "SwitchParameter", note: 'Passed as -Confirm:$false: Remove-* cmdlets pause unless given "this exact syntax".' },
    },
    note: 'The page: "These changes may take up to 30 minutes to go live."',
  },
  "Get-ServicePrincipal": {
    module: exchangeModule,
    docs: exchangeDocs("Get-ServicePrincipal"),
    parameters: {
      Identity: {
        type: "ServicePrincipalIdParameter",
        note: 'The enterprise application\'s Object ID (the page lists ObjectId). Its caution: "a non-existent value for the Identity parameter returns all objects", so the script keeps only the answer whose AppId is the app\'s client ID.',
      },
    },
  },
  "New-ServicePrincipal": {
    module: exchangeModule,
    docs: exchangeDocs("New-ServicePrincipal"),
    parameters: {
      AppId: { type: "String", note: "The Application (client) ID: the AppId property of Get-MgServicePrincipal." },
      ObjectId: {
        type: "String",
        note: 'The enterprise application\'s Object ID: "The Id property in the output of the Get-MgServicePrincipal cmdlet" or "The Object ID property from Enterprise applications", not the app registration\'s. (ServiceId, also marked required on the page, "is being deprecated. Use the ObjectId parameter instead"; its example passes only AppId and ObjectId.)',
      },
      DisplayName: { type: "String", note: "The app's name, a single-quoted literal." },
    },
  },
  "Get-DistributionGroup": {
    module: exchangeModule,
    docs: exchangeDocs("Get-DistributionGroup"),
    parameters: {
      Identity: {
        type: "DistributionGroupIdParameter",
        note: "What the admin typed: the page accepts a name, alias, DN, canonical DN, email address or GUID of a distribution group or mail-enabled security group. (Get-Group's page lists no email address, so it is not used.)",
      },
    },
    note: "Its DistinguishedName is what New-ManagementScope's MemberOfGroup filter compares with.",
  },
  "Get-AdministrativeUnit": {
    module: exchangeModule,
    docs: exchangeDocs("Get-AdministrativeUnit"),
    parameters: {
      Identity: {
        type: "AdministrativeUnitIdParameter",
        note: "What the admin typed: the page accepts the display name or the ExternalDirectoryObjectId (the Object ID in Microsoft Graph), among others.",
      },
    },
  },
  "New-ManagementScope": {
    module: exchangeModule,
    docs: exchangeDocs("New-ManagementScope"),
    parameters: {
      Name: { type: "String", note: '"The name can be up to 64 characters": the script\'s names are 26.' },
      RecipientRestrictionFilter: {
        type: "String",
        note: "\"MemberOfGroup -eq '<DN>'\": an OPATH filter in double quotes with the value in single quotes, and a ' inside the value doubled, as the page describes. MemberOfGroup is a filterable recipient property (recipientfilter-properties).",
      },
    },
  },
  "New-ManagementRoleAssignment": {
    module: exchangeModule,
    docs: exchangeDocs("New-ManagementRoleAssignment"),
    parameters: {
      Name: { type: "String", note: '"The maximum length of the name is 64 characters": the script\'s names are 36.' },
      App: {
        type: "ServicePrincipalIdParameter",
        note: '"Specifically, the ObjectId GUID value from the output of the Get-ServicePrincipal cmdlet": the enterprise application\'s Object ID.',
      },
      Role: { type: "RoleIdParameter", note: '"If you use the App parameter ... you can only specify application roles": Application Calendars.ReadWrite.' },
      CustomResourceScope: { type: "ManagementScopeIdParameter", note: "The name of the management scope the script created; App parameter set only." },
      RecipientAdministrativeUnitScope: {
        type: "AdministrativeUnitIdParameter",
        note: "What the admin typed, the same type Get-AdministrativeUnit -Identity takes (display name or Object ID); available in the App parameter set.",
      },
    },
  },
  "Get-Mailbox": {
    module: exchangeModule,
    docs: exchangeDocs("Get-Mailbox"),
    parameters: {
      Identity: { type: "MailboxIdParameter", note: "The mailbox address the console reads: the page accepts an email address or UPN." },
    },
    note: "Its DistinguishedName is passed to Test-ServicePrincipalAuthorization -Resource, whose page lists no email address.",
  },
  "Test-ServicePrincipalAuthorization": {
    module: exchangeModule,
    docs: exchangeDocs("Test-ServicePrincipalAuthorization"),
    parameters: {
      Identity: { type: "ServicePrincipalIdParameter", note: "The app's client ID: the page lists Name, DN, GUID, AppId and ServiceId." },
      Resource: { type: "UserIdParameter", note: "The mailbox's distinguished name from Get-Mailbox: the page lists Name, DN, canonical DN and GUID." },
    },
    note: 'The page shows the columns RoleName, AllowedResourceScope and InScope, and InScope "Not Run" without -Resource, so the script compares InScope as text with \'True\'.',
  },
  "Connect-MgGraph": {
    module: "Microsoft.Graph.Authentication",
    docs: moduleDocs("Microsoft.Graph.Authentication", "Connect-MgGraph"),
    parameters: {
      Scopes: {
        type: "String[]",
        note: "Application.Read.All to list the app role assignments (serviceprincipal-list-approleassignments: least privileged) and AppRoleAssignment.ReadWrite.All to delete one (serviceprincipal-delete-approleassignments); the second alone does not list.",
      },
      Environment: { type: "String", note: "Global, USGov, USGovDoD or China: the names Get-MgEnvironment lists on the page." },
      NoWelcome: { type: "SwitchParameter", note: "Hides the welcome message." },
    },
    note: "-TenantId is optional and not passed: like Connect-ExchangeOnline, it signs in to the admin's own organization.",
  },
  "Get-MgServicePrincipalAppRoleAssignment": {
    module: "Microsoft.Graph.Applications",
    docs: moduleDocs("Microsoft.Graph.Applications", "Get-MgServicePrincipalAppRoleAssignment"),
    parameters: {
      ServicePrincipalId: { type: "String", note: "The enterprise application's Object ID (\"The unique identifier of servicePrincipal\")." },
      All: { type: "SwitchParameter", note: '"List all pages."' },
    },
    note: "The page's output shows the AppRoleId and Id properties the script reads.",
  },
  "Remove-MgServicePrincipalAppRoleAssignment": {
    module: "Microsoft.Graph.Applications",
    docs: moduleDocs("Microsoft.Graph.Applications", "Remove-MgServicePrincipalAppRoleAssignment"),
    parameters: {
      ServicePrincipalId: { type: "String", note: "The enterprise application's Object ID." },
      AppRoleAssignmentId: { type: "String", note: "The Id of an assignment Get-MgServicePrincipalAppRoleAssignment returned." },
    },
    note: '"Deleting an app role assignment for a service principal is equivalent to revoking the app-only permission grant."',
  },
  "Where-Object": {
    module: "Microsoft.PowerShell.Core",
    docs: moduleDocs("Microsoft.PowerShell.Core", "Where-Object"),
    parameters: {},
    note: "Given a script block by position (FilterScript).",
  },
  "Format-Table": {
    module: "Microsoft.PowerShell.Utility",
    docs: moduleDocs("Microsoft.PowerShell.Utility", "Format-Table"),
    parameters: { Property: { type: "Object[]", note: "An array of property names." } },
  },
  "Write-Host": { module: "Microsoft.PowerShell.Utility", docs: moduleDocs("Microsoft.PowerShell.Utility", "Write-Host"), parameters: {}, note: "Given one string by position (Object)." },
  "Write-Warning": { module: "Microsoft.PowerShell.Utility", docs: moduleDocs("Microsoft.PowerShell.Utility", "Write-Warning"), parameters: {}, note: "Given one string by position (Message)." },
} as const satisfies Record<string, CmdletEntry>;

export type ExchangeScriptCmdlet = keyof typeof exchangeScriptCmdlets;

/** Accepted by every cmdlet (about_CommonParameters); the script uses only ErrorAction. */
export const commonParameters = {
  parameters: ["ErrorAction"],
  docs: "https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_commonparameters",
} as const;

function entryOf(cmdlet: string): CmdletEntry | undefined {
  return Object.entries(exchangeScriptCmdlets).find(([name]) => name.toLowerCase() === cmdlet.toLowerCase())?.[1];
}

/** Whether `-parameter` is allowed on `cmdlet` (PowerShell compares both without regard to case). */
export function isListedParameter(cmdlet: string, parameter: string): boolean {
  const entry = entryOf(cmdlet);
  if (!entry) return false;
  const wanted = parameter.toLowerCase();
  return [...Object.keys(entry.parameters), ...commonParameters.parameters].some((name) => name.toLowerCase() === wanted);
}

export function isListedCmdlet(cmdlet: string): boolean {
  return entryOf(cmdlet) !== undefined;
}

