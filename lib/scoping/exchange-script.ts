import { z } from "zod";
import { isGuid } from "@/lib/checks/format";
import { cloudIdSchema, type CloudId, type KnownCloudId } from "@/lib/entra/clouds";
import { graphPermissions } from "@/lib/entra/permissions";
import { graphPowerShellEnvironments, powerShellQuote } from "@/lib/entra/setup-scripts";
import { plainText } from "@/lib/validation/text";
import { LEGACY_POLICY_NOTE, SCOPE_PROPAGATION_NOTE, UNION_TRAP_WARNING } from "@/lib/scoping/scope-notes";

export { LEGACY_POLICY_NOTE, SCOPE_PROPAGATION_NOTE, UNION_TRAP_WARNING };

/**
 * The Exchange Online PowerShell that limits a Calsync app to some mailboxes with RBAC for
 * Applications (Microsoft's replacement for application access policies). Pure text generation: the
 * scope assistant shows the script for copying, and the admin runs it.
 *
 * Every value a person typed reaches the script only as a single-quoted literal after zod has
 * checked it, so nothing typed into the console can become PowerShell code. The cmdlets and
 * parameters are limited to the checked list in exchange-cmdlets.ts.
 */

/** The Exchange role that RBAC for Applications grants; it mirrors Graph's Calendars.ReadWrite. */
export const exchangeCalendarRole = "Application Calendars.ReadWrite";

export const scopeKindSchema = z.enum(["group", "administrative-unit"], { message: "Choose a group or an administrative unit" });
export type ScopeKind = z.infer<typeof scopeKindSchema>;

const guid = (message: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .refine((value) => isGuid(value), { message });

const mailbox = (message: string) => z.string().trim().max(320, message).pipe(z.email({ message }));

export const exchangeScriptInputSchema = z
  .object({
    cloud: cloudIdSchema,
    clientId: guid("The Application (client) ID is a GUID"),
    servicePrincipalObjectId: guid("The enterprise application's Object ID is a GUID"),
    displayName: z.string().trim().min(1, "Enter the app's name").max(120, "App names can have at most 120 characters.").check(plainText("The app name")),
    scopeKind: scopeKindSchema,
    scopeIdentity: z.string().trim().min(1, "Enter the group or administrative unit").max(256, "At most 256 characters").check(plainText("The group or administrative unit")),
    inScopeMailbox: mailbox("Enter the email address of a mailbox inside the scope"),
    outOfScopeMailbox: mailbox("Enter the email address of a mailbox outside the scope"),
    convertLegacyPolicy: z.boolean().default(false),
  })
  .refine((input) => input.inScopeMailbox.toLowerCase() !== input.outOfScopeMailbox.toLowerCase(), {
    path: ["outOfScopeMailbox"],
    message: "Use a different mailbox from the one inside the scope: the test must show one allowed and one refused",
  });
export type ExchangeScriptInput = z.input<typeof exchangeScriptInputSchema>;

/** The Object IDs an admin is likely to paste by mistake, so the message can name which one it was. */
export type KnownIds = { clientId: string; tenantId?: string; applicationObjectId?: string | null };

/**
 * Why a pasted value is not the enterprise application's Object ID, or undefined when it may be.
 * The app registration and its enterprise application each have an Object ID, and only the second
 * one is what New-ServicePrincipal and the role assignment need.
 */
export function servicePrincipalObjectIdProblem(value: string, known: KnownIds): string | undefined {
  const id = value.trim().toLowerCase();
  if (!id) return "Paste the Object ID from Enterprise applications → the app → Overview";
  if (!isGuid(id)) return "The enterprise application's Object ID is a GUID, such as 7c7599b2-23af-45e3-99ff-0025d148e929 (Enterprise applications → the app → Overview)";
  if (id === known.clientId.toLowerCase()) return "That is the Application (client) ID. Paste the Object ID shown under Enterprise applications → the app → Overview";
  if (known.tenantId && id === known.tenantId.toLowerCase()) return "That is the Directory (tenant) ID. Paste the Object ID shown under Enterprise applications → the app → Overview";
  if (known.applicationObjectId && id === known.applicationObjectId.toLowerCase()) {
    return "That is the app registration's Object ID (App registrations → Overview). The enterprise application has its own Object ID: Enterprise applications → the app → Overview";
  }
  return undefined;
}

/** `Connect-ExchangeOnline -ExchangeEnvironmentName` values; the worldwide cloud needs none. */
export const exchangeEnvironmentNames: Readonly<Record<KnownCloudId, string | null>> = {
  global: null,
  usgov: "O365USGovGCCHigh",
  "usgov-dod": "O365USGovDoD",
  china: "O365China",
};

// Exchange limits scope and assignment names to 64 characters; the client ID keeps them unique per app.
function objectNames(clientId: string): { scope: string; assignment: string } {
  const short = clientId.slice(0, 8);
  return { scope: `Calsync mailboxes ${short}`, assignment: `Calsync Calendars.ReadWrite ${short}` };
}

function isKnownCloud(cloud: CloudId): cloud is KnownCloudId {
  return Object.hasOwn(exchangeEnvironmentNames, cloud);
}

function connectLines(cloud: CloudId): { exchange: string; graph: string } {
  const known = isKnownCloud(cloud) ? cloud : "global";
  const exchangeEnvironment = exchangeEnvironmentNames[known];
  return {
    exchange: `Connect-ExchangeOnline${exchangeEnvironment ? ` -ExchangeEnvironmentName ${exchangeEnvironment}` : ""} -ShowBanner:$false`,
    // Listing the assignments needs Application.Read.All; AppRoleAssignment.ReadWrite.All only deletes them.
    graph: `Connect-MgGraph -Environment ${graphPowerShellEnvironments[known]} -Scopes @('Application.Read.All', 'AppRoleAssignment.ReadWrite.All') -NoWelcome`,
  };
}

/** The script for one choice of scope. Throws a ZodError for input that did not pass the schema. */
export function exchangeScopeScript(input: ExchangeScriptInput): string {
  const values = exchangeScriptInputSchema.parse(input);
  const names = objectNames(values.clientId);
  const connect = connectLines(values.cloud);
  const isGroup = values.scopeKind === "group";
  const calendarsRole = graphPermissions.calendarsReadWriteApp;

  const legacyFind = values.convertLegacyPolicy
    ? [
        "# Step 2: find the application access policies that limit this app today (the legacy way).",
        `# ${LEGACY_POLICY_NOTE}`,
        "$legacyPolicies = @(Get-ApplicationAccessPolicy | Where-Object { $_.AppId -eq $AppId })",
        "$legacyPolicies | Format-Table -Property @('Identity', 'AccessRight', 'ScopeName', 'Description')",
        "",
      ]
    : [];

  const scopeLines = isGroup
    ? [
        "# Step 4: a management scope of the group's members. Exchange matches members by the group's",
        "# distinguished name, and a quote inside it is doubled so the filter stays one string.",
        "$groupDn = (Get-DistributionGroup -Identity $ScopeIdentity).DistinguishedName -replace \"'\", \"''\"",
        "$memberFilter = \"MemberOfGroup -eq '$groupDn'\"",
        "New-ManagementScope -Name $ScopeName -RecipientRestrictionFilter $memberFilter",
        "",
        "# Step 5: give the app the calendar role, limited to that scope.",
        "New-ManagementRoleAssignment -Name $AssignmentName -App $ServicePrincipalObjectId -Role $Role -CustomResourceScope $ScopeName",
      ]
    : [
        "# Step 4: check that the administrative unit exists in Exchange (it stops here if not).",
        "Get-AdministrativeUnit -Identity $ScopeIdentity | Format-Table -Property @('DisplayName', 'Name')",
        "",
        "# Step 5: give the app the calendar role, limited to the administrative unit's members, as",
        "# Microsoft recommends for administrative units (no management scope needed).",
        "New-ManagementRoleAssignment -Name $AssignmentName -App $ServicePrincipalObjectId -Role $Role -RecipientAdministrativeUnitScope $ScopeIdentity",
      ];

  const legacyRemove = values.convertLegacyPolicy
    ? [
        "",
        "# Step 9: with RBAC for Applications in place, remove the legacy application access policies.",
        "foreach ($policy in $legacyPolicies) {",
        "    Remove-ApplicationAccessPolicy -Identity $policy.Identity -Confirm:$false",
        '    Write-Host "Removed the application access policy $($policy.Identity)."',
        "}",
      ]
    : [];

  const lines = [
    "# Calsync: limit the app to some mailboxes with RBAC for Applications in Exchange Online.",
    "#",
    `# Scope: ${isGroup ? "the members of a group" : "the members of an administrative unit"}.`,
    "# Run it once, in PowerShell 7, as an Exchange administrator (Organization Management) who can also",
    "# remove app role assignments in Microsoft Entra ID (Privileged Role Administrator or Global Administrator).",
    "# Needs the modules ExchangeOnlineManagement and Microsoft.Graph.Applications:",
    "#   Install-Module ExchangeOnlineManagement, Microsoft.Graph.Applications -Scope CurrentUser",
    "#",
    ...UNION_TRAP_WARNING.match(/.{1,96}(\s|$)/g)!.map((line) => `# ${line.trim()}`),
    "#",
    `# ${SCOPE_PROPAGATION_NOTE}`,
    "$ErrorActionPreference = 'Stop'",
    "",
    `$AppId = ${powerShellQuote(values.clientId)}`,
    "# The enterprise application's Object ID, not the app registration's.",
    `$ServicePrincipalObjectId = ${powerShellQuote(values.servicePrincipalObjectId)}`,
    `$DisplayName = ${powerShellQuote(values.displayName)}`,
    `$ScopeIdentity = ${powerShellQuote(values.scopeIdentity)}`,
    `$InScopeMailbox = ${powerShellQuote(values.inScopeMailbox)}`,
    `$OutOfScopeMailbox = ${powerShellQuote(values.outOfScopeMailbox)}`,
    `$Role = ${powerShellQuote(exchangeCalendarRole)}`,
    ...(isGroup ? [`$ScopeName = ${powerShellQuote(names.scope)}`] : []),
    `$AssignmentName = ${powerShellQuote(names.assignment)}`,
    "",
    "# Step 1: sign in to Exchange Online.",
    connect.exchange,
    "",
    ...legacyFind,
    "# Step 3: tell Exchange about the app's service principal (skipped when it already knows it).",
    "# Get-ServicePrincipal answers an unknown Identity with every service principal, so the answer",
    "# counts only when it is this app.",
    "$known = @(Get-ServicePrincipal -Identity $ServicePrincipalObjectId -ErrorAction SilentlyContinue | Where-Object { $_.AppId -eq $AppId })",
    "if ($known.Count -eq 0) {",
    "    New-ServicePrincipal -AppId $AppId -ObjectId $ServicePrincipalObjectId -DisplayName $DisplayName",
    "}",
    "",
    ...scopeLines,
    "",
    "# Step 6: the union trap. Remove the tenant-wide Calendars.ReadWrite application permission in Entra,",
    "# or the app keeps reaching every mailbox whatever the scope says.",
    connect.graph,
    `$tenantWide = @(Get-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $ServicePrincipalObjectId -All | Where-Object { $_.AppRoleId -eq '${calendarsRole.id}' })`,
    "foreach ($grant in $tenantWide) {",
    "    Remove-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $ServicePrincipalObjectId -AppRoleAssignmentId $grant.Id",
    `    Write-Host "Removed the tenant-wide ${calendarsRole.value} application permission."`,
    "}",
    "",
    "# Step 7: a mailbox inside the scope must show InScope True for the calendar role. The test takes",
    "# the mailbox by its distinguished name, and InScope is compared as text: it can also read Not Run.",
    "$insideMailbox = (Get-Mailbox -Identity $InScopeMailbox).DistinguishedName",
    "$inside = @(Test-ServicePrincipalAuthorization -Identity $AppId -Resource $insideMailbox | Where-Object { $_.RoleName -eq $Role })",
    "$inside | Format-Table -Property @('RoleName', 'AllowedResourceScope', 'InScope')",
    "if (-not ($inside | Where-Object { \"$($_.InScope)\" -eq 'True' })) { Write-Warning \"$InScopeMailbox is not in the scope: check the group or administrative unit.\" }",
    "",
    "# Step 8: a mailbox outside the scope must show InScope False.",
    "$outsideMailbox = (Get-Mailbox -Identity $OutOfScopeMailbox).DistinguishedName",
    "$outside = @(Test-ServicePrincipalAuthorization -Identity $AppId -Resource $outsideMailbox | Where-Object { $_.RoleName -eq $Role })",
    "$outside | Format-Table -Property @('RoleName', 'AllowedResourceScope', 'InScope')",
    "if ($outside | Where-Object { \"$($_.InScope)\" -eq 'True' }) { Write-Warning \"$OutOfScopeMailbox is in the scope too: the scope is wider than intended.\" }",
    ...legacyRemove,
    "",
    `Write-Host ${powerShellQuote(`Done. ${SCOPE_PROPAGATION_NOTE} Then run Calsync's checks.`)}`,
    "",
  ];
  return lines.join("\n");
}
