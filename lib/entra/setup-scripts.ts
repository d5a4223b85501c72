import { z } from "zod";
import type { Cloud, CloudId, KnownCloudId } from "@/lib/entra/clouds";
import { graphResourceAppId, requiredApplicationPermissions, requiredResourceAccess, type GraphPermission } from "@/lib/entra/permissions";
import { scriptOutputLabels, type ScriptOutputField } from "@/lib/entra/script-output";
import { plainText } from "@/lib/validation/text";

/**
 * The command-line path of the wizard: an Azure CLI (Bash) script and a Microsoft Graph PowerShell
 * script that register the Calsync app, consent to its Graph application permissions, add a client
 * secret and print the three values Calsync needs. Pure text generation: the browser offers the
 * scripts for copy and download.
 *
 * Consent is given by assigning the Graph app roles to the app's service principal (which is what
 * "Grant admin consent" does for application permissions), never with the CLI's own consent
 * command: that one throws for many admins and also consents to delegated permissions.
 *
 * With a certificate, the scripts upload only its public part (the console keeps the private key
 * sealed) and print the app's Object ID and the Certificate ID instead of a secret, which renewal needs.
 *
 * User-supplied values (app name, redirect URI) only ever appear inside single-quoted literals, and
 * control characters are refused, so nothing typed into the wizard can become shell or PowerShell code.
 */

export const signInAudienceSchema = z.enum([
  "AzureADMyOrg",
  "AzureADMultipleOrgs",
  "AzureADandPersonalMicrosoftAccount",
  "PersonalMicrosoftAccount",
]);
export type SignInAudience = z.infer<typeof signInAudienceSchema>;

export const setupScriptOptionsSchema = z.object({
  // The portal limits display names to 120 characters; control characters would break the scripts' lines.
  appName: z
    .string()
    .trim()
    .min(1, "Enter a name for the app.")
    .max(120, "App names can have at most 120 characters.")
    .check(plainText("The app name"))
    .default("CalendarSync"),
  signInAudience: signInAudienceSchema.default("AzureADMyOrg"),
  // The portal allows at most 24 months, and shorter-lived secrets are safer.
  secretYears: z.number().int().min(1).max(2).default(1),
  redirectUri: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * The public certificate to upload instead of adding a client secret, as the console describes it
   * (this module also runs in the browser, so it parses no certificates itself).
   */
  certificate: z
    .object({
      base64Der: z
        .string()
        .max(16_000)
        .regex(/^[A-Za-z0-9+/]+={0,2}$/, "The certificate must be base64 DER")
        .refine((base64) => base64.length % 4 === 0, "The certificate must be whole base64 DER"),
      thumbprint: z.string().regex(/^[0-9A-F]{40}$/, "The thumbprint must be the SHA-1 hex the portal shows"),
      subject: z.string().max(1000).transform((subject) => subject.replace(/[\u0000-\u001f\u007f]+/g, ", ")),
      expiresAt: z.iso.date(),
    })
    .optional(),
});
export type SetupScriptOptions = { cloud: Cloud } & z.input<typeof setupScriptOptionsSchema>;

/** File names the wizard offers the downloads under (the scripts refer to the JSON file by this name). */
export const setupScriptFileNames = {
  requiredResourceAccess: "requiredResourceAccess.json",
  azureCli: "register-calsync-app.sh",
  powerShell: "register-calsync-app.ps1",
  certificate: "calsync-certificate.pem",
} as const;

const outputHeading = "Done. Paste these four lines into Calsync:";

function outputLine(field: ScriptOutputField, value: string): string {
  return `  ${`${scriptOutputLabels[field]}:`.padEnd(26)}${value}`;
}

const echo = (text: string) => (text ? `echo "${text}"` : "echo");
const writeHost = (text: string) => `Write-Host "${text}"`;

/** The closing block every script prints: a blank line, the heading, then one labelled line per value. */
function labelledOutput(print: (text: string) => string, heading: string, values: Partial<Record<ScriptOutputField, string>>): string[] {
  return [print(""), print(heading), ...Object.entries(values).map(([field, value]) => print(outputLine(field as ScriptOutputField, value)))];
}

/** `az cloud set --name` values. The CLI has no DoD cloud: DoD tenants sign in through AzureUSGovernment. */
export const azureCliCloudNames: Readonly<Record<CloudId, string>> = {
  global: "AzureCloud",
  usgov: "AzureUSGovernment",
  "usgov-dod": "AzureUSGovernment",
  china: "AzureChinaCloud",
  custom: "AzureCloud",
};

/** `Connect-MgGraph -Environment` values (see `Get-MgEnvironment`). */
export const graphPowerShellEnvironments: Readonly<Record<KnownCloudId, string>> = {
  global: "Global",
  usgov: "USGov",
  "usgov-dod": "USGovDoD",
  china: "China",
};

/** The environment name the PowerShell script registers for the `custom` cloud's endpoints. */
const customPowerShellEnvironment = "CalsyncCustom";

/** The permissions the scripts configure: the full set, so either mailbox scope works afterwards. */
function scriptPermissions(): GraphPermission[] {
  return requiredApplicationPermissions("all");
}

/** The `requiredResourceAccess` array for the app manifest or `az ad app create`, from the permission catalog. */
export function requiredResourceAccessJson(): string {
  return JSON.stringify([requiredResourceAccess(scriptPermissions())]);
}

function bashQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * `NAME='value'`. A value with `$` or a backtick gets a directive: ShellCheck otherwise asks whether
 * the single quotes were meant to stop expansion, and here they are.
 */
function bashAssignment(name: string, value: string): string[] {
  const assignment = `${name}=${bashQuote(value)}`;
  return /[$`]/.test(value) ? ["# shellcheck disable=SC2016", assignment] : [assignment];
}

// PowerShell also ends single-quoted strings at the typographic single quotes; doubling any of them
// makes it a literal character.
export function powerShellQuote(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, (quote) => quote + quote)}'`;
}

function years(count: number): string {
  return count === 1 ? "1 year" : `${count} years`;
}

type Parsed = { cloud: Cloud } & z.output<typeof setupScriptOptionsSchema>;
type ScriptCertificate = NonNullable<Parsed["certificate"]>;

function certificatePem(certificate: ScriptCertificate): string {
  return ["-----BEGIN CERTIFICATE-----", ...(certificate.base64Der.match(/.{1,64}/g) ?? []), "-----END CERTIFICATE-----"].join("\n");
}

function hexToBase64(hex: string): string {
  return btoa(String.fromCharCode(...(hex.match(/../g) ?? []).map((pair) => Number.parseInt(pair, 16))));
}

function parseOptions(options: SetupScriptOptions): Parsed {
  const { cloud, ...rest } = options;
  return { cloud, ...setupScriptOptionsSchema.parse(rest) };
}

/** Header lines shared by both scripts (without the comment marker). */
function headerLines(options: Parsed, tool: string): string[] {
  const permissions = scriptPermissions().map((permission) => permission.value).join(" and ");
  const lines = [
    `Registers the Calsync app in Microsoft Entra ID with ${tool}.`,
    `Cloud: ${options.cloud.label}. App name: ${options.appName}. Supported account types: ${options.signInAudience}.`,
    "",
    "What it does, in order:",
    `  1. creates the app registration with the Microsoft Graph application permissions ${permissions}`,
    "     (when an app of the same name exists, it updates that one instead of adding a second);",
    "  2. creates the app's service principal (its entry under Enterprise applications);",
    "  3. grants admin consent for those permissions by assigning them to the service principal;",
    ...(options.certificate
      ? [
          `  4. uploads Calsync's public certificate (thumbprint ${options.certificate.thumbprint}, valid until ${options.certificate.expiresAt});`,
          "     the private key stays in Calsync and is not in this script;",
          "  5. prints the Directory (tenant) ID, the Application (client) ID, the Object ID and the Certificate ID.",
        ]
      : [
          `  4. adds a client secret valid for ${years(options.secretYears)};`,
          "  5. prints the Directory (tenant) ID, the Application (client) ID, the client secret and its expiry.",
          "",
          "The client secret is printed ONCE, at the end. Copy it into Calsync straight away: nobody can read it again.",
        ]),
    "Sign in as a Global Administrator or Privileged Role Administrator: other roles cannot consent to",
    "Microsoft Graph application permissions.",
  ];
  if (options.signInAudience === "PersonalMicrosoftAccount") {
    lines.push(
      "",
      "Note: an app for personal Microsoft accounts only cannot read your organisation's mailboxes; Calsync's",
      "organisation-wide connection needs AzureADMyOrg (recommended) or AzureADMultipleOrgs.",
    );
  }
  return lines;
}

function comment(lines: readonly string[]): string[] {
  return lines.map((line) => (line ? `# ${line}` : "#"));
}

function azureCliSecretLines(secretYears: number): string[] {
  return [
    `echo "Adding a client secret valid for ${years(secretYears)}..."`,
    "# --append keeps any secret the app already has, so a second run cannot cut off a working connection.",
    "CLIENT_SECRET=\"$(az ad app credential reset --id \"$APP_ID\" --append --display-name 'Calsync' \\",
    `  --years ${secretYears} --query password -o tsv)"`,
    'SECRET_EXPIRES="$(az ad app credential list --id "$APP_ID" --query "sort_by(@, &startDateTime)[-1].endDateTime" -o tsv)"',
    'TENANT_ID="$(az account show --query tenantId -o tsv)"',
    "",
    ...labelledOutput(echo, outputHeading, { tenant: "$TENANT_ID", clientId: "$APP_ID", clientSecret: "$CLIENT_SECRET", secretExpiresAt: "$SECRET_EXPIRES" }),
    "echo",
    'echo "WARNING: the client secret is shown only this once. Copy it into Calsync now; if it is lost, run this script again to add a new one."',
  ];
}

/**
 * Entra lists a certificate's SHA-1 thumbprint as its customKeyIdentifier (hex in the CLI's output,
 * base64 of the same bytes in raw Graph JSON), so the query accepts both spellings.
 */
function azureCliCertificateLines(certificate: ScriptCertificate): string[] {
  const base64Thumbprint = hexToBase64(certificate.thumbprint);
  const keyIdQuery = `[?customKeyIdentifier=='${certificate.thumbprint}' || customKeyIdentifier=='${base64Thumbprint}'].keyId | [0]`;
  return [
    // The end marker has a hyphen, which no base64 line can hold, so the certificate cannot end the heredoc early.
    `cat > ${setupScriptFileNames.certificate} <<'CALSYNC-PEM-END'`,
    certificatePem(certificate),
    "CALSYNC-PEM-END",
    "",
    "# A second run finds the certificate already uploaded and keeps it.",
    "# Fails while the certificate is not listed, so that retry waits for it after the upload.",
    "certificate_key_id() {",
    "  local key_id",
    `  key_id="$(az ad app credential list --id "$APP_ID" --cert --query ${bashQuote(keyIdQuery)} -o tsv)"`,
    '  [ -n "$key_id" ] && printf \'%s\\n\' "$key_id"',
    "}",
    'KEY_ID="$(certificate_key_id || true)"',
    'if [ -z "$KEY_ID" ]; then',
    `  echo "Uploading Calsync's public certificate (thumbprint ${certificate.thumbprint})..."`,
    "  # --append keeps the app's other credentials, so a working connection is never cut off.",
    `  az ad app credential reset --id "$APP_ID" --cert @${setupScriptFileNames.certificate} --append --output none`,
    '  KEY_ID="$(retry certificate_key_id)"',
    "fi",
    'OBJECT_ID="$(az ad app show --id "$APP_ID" --query id -o tsv)"',
    'TENANT_ID="$(az account show --query tenantId -o tsv)"',
    "",
    ...labelledOutput(echo, outputHeading, { tenant: "$TENANT_ID", clientId: "$APP_ID", applicationObjectId: "$OBJECT_ID", certificateKeyId: "$KEY_ID" }),
    "echo",
    'echo "The Object ID and Certificate ID let Calsync renew this certificate itself before it expires."',
  ];
}

function powerShellSecretLines(secretYears: number): string[] {
  return [
    `Write-Host "Adding a client secret valid for ${years(secretYears)}..."`,
    "# -ApplicationId is the app's object ID ($app.Id), not its client ID.",
    `$secret = Add-MgApplicationPassword -ApplicationId $app.Id -PasswordCredential @{ DisplayName = 'Calsync'; EndDateTime = (Get-Date).AddYears(${secretYears}) }`,
    "$tenantId = (Get-MgContext).TenantId",
    "",
    ...labelledOutput(writeHost, outputHeading, {
      tenant: "$tenantId",
      clientId: "$($app.AppId)",
      clientSecret: "$($secret.SecretText)",
      secretExpiresAt: "$($secret.EndDateTime.ToUniversalTime().ToString('yyyy-MM-dd HH:mm')) UTC",
    }),
    'Write-Host ""',
    'Write-Warning "The client secret is shown only this once. Copy it into Calsync now; if it is lost, run this script again to add a new one."',
  ];
}

/**
 * The first certificate of an app cannot go through addKey (it needs a proof signed by an existing
 * certificate), so the script PATCHes keyCredentials. That replaces the whole collection: the app's
 * current certificates, read with their keys by selecting the property on the single app, go back in.
 */
function powerShellCertificateLines(certificate: ScriptCertificate): string[] {
  return [
    `$CertificateThumbprint = '${certificate.thumbprint}'`,
    "function Get-CalsyncCertificateKeyId($credentials) {",
    "    foreach ($credential in $credentials) {",
    "        if (-not $credential.CustomKeyIdentifier) { continue }",
    "        $identifier = -join ($credential.CustomKeyIdentifier | ForEach-Object { $_.ToString('X2') })",
    "        if ($identifier -eq $CertificateThumbprint -or [System.Text.Encoding]::ASCII.GetString([byte[]] $credential.CustomKeyIdentifier) -eq $CertificateThumbprint) { return $credential.KeyId }",
    "    }",
    "}",
    "$keyCredentials = @((Get-MgApplication -ApplicationId $app.Id -Property keyCredentials).KeyCredentials)",
    "$keyId = Get-CalsyncCertificateKeyId $keyCredentials",
    "if (-not $keyId) {",
    `    Write-Host "Uploading Calsync's public certificate (thumbprint $CertificateThumbprint)..."`,
    "    $certificate = @{",
    "        Type        = 'AsymmetricX509Cert'",
    "        Usage       = 'Verify'",
    `        DisplayName = ${powerShellQuote(certificate.subject)}`,
    `        Key         = [System.Convert]::FromBase64String('${certificate.base64Der}')`,
    "    }",
    "    # -ApplicationId is the app's object ID ($app.Id), not its client ID.",
    "    Update-MgApplication -ApplicationId $app.Id -KeyCredentials (@($keyCredentials) + $certificate)",
    "    $keyId = Invoke-WithRetry {",
    "        $found = Get-CalsyncCertificateKeyId (Get-MgApplication -ApplicationId $app.Id -Property keyCredentials).KeyCredentials",
    "        if (-not $found) { throw 'The uploaded certificate is not listed yet.' }",
    "        $found",
    "    }",
    "}",
    "$tenantId = (Get-MgContext).TenantId",
    "",
    ...labelledOutput(writeHost, outputHeading, { tenant: "$tenantId", clientId: "$($app.AppId)", applicationObjectId: "$($app.Id)", certificateKeyId: "$keyId" }),
    'Write-Host ""',
    'Write-Host "The Object ID and Certificate ID let Calsync renew this certificate itself before it expires."',
  ];
}

/** An Azure Cloud Shell (Bash) script for today's Azure CLI (2.37 or newer, the Microsoft Graph based `az ad`). */
export function azureCliScript(options: SetupScriptOptions): string {
  const parsed = parseOptions(options);
  const { cloud, redirectUri } = parsed;
  const graph = cloud.graphHost;
  const cloudNotes: string[] = [];
  if (cloud.id === "usgov-dod") {
    cloudNotes.push(
      "The Azure CLI has no separate DoD cloud: it signs in through AzureUSGovernment. The consent calls",
      `below address the DoD Microsoft Graph (${graph}) explicitly.`,
    );
  }
  if (cloud.id === "custom") {
    cloudNotes.push(
      "Custom endpoints: the Azure CLI only knows Microsoft's clouds, so it signs in to AzureCloud. The",
      `consent calls go to ${graph}, which must accept Azure CLI tokens for that resource. For a test`,
      "simulator, register the app in the simulator's scenario instead of running this script.",
    );
  }

  const permissionLines = scriptPermissions().map(
    (permission) => `grant_app_role ${bashQuote(permission.id)} ${bashQuote(`${permission.value} (${permission.displayText})`)}`,
  );

  const lines = [
    "#!/usr/bin/env bash",
    `# ${setupScriptFileNames.azureCli}`,
    ...comment(headerLines(parsed, "the Azure CLI")),
    "#",
    "# Run it in Azure Cloud Shell (Bash), or in any Bash with Azure CLI 2.37 or newer. Tenants without an",
    "# Azure subscription sign in with: az login --allow-no-subscriptions",
    ...(cloudNotes.length ? ["#", ...comment(cloudNotes)] : []),
    "set -euo pipefail",
    "",
    ...bashAssignment("APP_NAME", parsed.appName),
    ...bashAssignment("SIGN_IN_AUDIENCE", parsed.signInAudience),
    ...(redirectUri ? bashAssignment("REDIRECT_URI", redirectUri) : []),
    `GRAPH_APP_ID=${bashQuote(graphResourceAppId)}`,
    "",
    `az cloud set --name ${azureCliCloudNames[cloud.id]}`,
    "if ! az account show --output none 2>/dev/null; then",
    '  echo "The Azure CLI is not signed in to this cloud. Run: az login --allow-no-subscriptions" >&2',
    "  exit 1",
    "fi",
    "",
    "# Entra ID replicates new objects for a few seconds; a call right after a create may not find them yet.",
    "retry() {",
    "  local attempt",
    "  for attempt in 1 2 3 4 5 6; do",
    '    if "$@"; then',
    "      return 0",
    "    fi",
    '    echo "Microsoft Entra ID is still catching up (attempt $attempt of 6); waiting 10 seconds..." >&2',
    "    sleep 10",
    "  done",
    "  return 1",
    "}",
    "",
    `cat > ${setupScriptFileNames.requiredResourceAccess} <<'JSON'`,
    JSON.stringify(JSON.parse(requiredResourceAccessJson()), null, 2),
    "JSON",
    "",
    'echo "Creating the app registration \\"$APP_NAME\\"..."',
    'APP_ID="$(az ad app create \\',
    '  --display-name "$APP_NAME" \\',
    '  --sign-in-audience "$SIGN_IN_AUDIENCE" \\',
    `  --required-resource-accesses @${setupScriptFileNames.requiredResourceAccess} \\`,
    ...(redirectUri ? ['  --web-redirect-uris "$REDIRECT_URI" \\'] : []),
    '  --query appId -o tsv)"',
    "",
    'echo "Creating the service principal (Enterprise application)..."',
    'SP_ID="$(az ad sp show --id "$APP_ID" --query id -o tsv 2>/dev/null || true)"',
    'if [ -z "$SP_ID" ]; then',
    '  SP_ID="$(retry az ad sp create --id "$APP_ID" --query id -o tsv)"',
    "fi",
    'GRAPH_SP_ID="$(az ad sp show --id "$GRAPH_APP_ID" --query id -o tsv)"',
    "",
    "# Assigning a Microsoft Graph app role to the service principal is the tenant-wide admin consent for",
    "# that application permission. A second run finds the assignment already there, which is fine.",
    "grant_app_role() {",
    '  local role_id="$1" role_name="$2" body output attempt',
    `  body="$(printf '{"principalId":"%s","resourceId":"%s","appRoleId":"%s"}' "$SP_ID" "$GRAPH_SP_ID" "$role_id")"`,
    "  for attempt in 1 2 3 4 5 6; do",
    "    if output=\"$(az rest --method POST \\",
    `        --uri "${graph}/v1.0/servicePrincipals/$SP_ID/appRoleAssignments" \\`,
    `        --resource "${graph}" \\`,
    "        --headers Content-Type=application/json \\",
    '        --body "$body" 2>&1)"; then',
    '      echo "Granted $role_name."',
    "      return 0",
    "    fi",
    '    if [[ "$output" == *"Permission being assigned already exists"* ]]; then',
    '      echo "$role_name was already granted."',
    "      return 0",
    "    fi",
    '    if [[ "$output" != *"does not exist"* && "$output" != *"ResourceNotFound"* ]] || [ "$attempt" -eq 6 ]; then',
    "      break",
    "    fi",
    '    echo "The new service principal is not visible yet (attempt $attempt of 6); waiting 10 seconds..." >&2',
    "    sleep 10",
    "  done",
    `  printf '%s\\n' "$output" >&2`,
    '  echo "Could not grant $role_name. Sign in as a Global Administrator or Privileged Role Administrator and run the script again." >&2',
    "  exit 1",
    "}",
    "",
    ...permissionLines,
    "",
    ...(parsed.certificate ? azureCliCertificateLines(parsed.certificate) : azureCliSecretLines(parsed.secretYears)),
    'echo "Consent can take a few minutes to take effect before Calsync\'s checks pass."',
    "",
  ];
  return lines.join("\n");
}

/** The lines every PowerShell script starts its code with, after its header. */
const powerShellPreamble = [
  "#",
  "# Needs the Microsoft Graph PowerShell SDK, version 2 or newer:",
  "#   Install-Module Microsoft.Graph.Applications -Scope CurrentUser",
  "#Requires -Modules @{ ModuleName = 'Microsoft.Graph.Applications'; ModuleVersion = '2.0.0' }",
  '$ErrorActionPreference = "Stop"',
];

/** Signs in to the cloud's Graph environment; custom endpoints are registered as an environment first. */
function connectMgGraphLines(cloud: Cloud, scopes: readonly string[]): string[] {
  const environment = cloud.id === "custom" ? customPowerShellEnvironment : graphPowerShellEnvironments[cloud.id];
  const custom =
    cloud.id === "custom"
      ? [
          "# Custom endpoints are not a built-in environment: register them under their own name.",
          `if (-not (Get-MgEnvironment -Name '${customPowerShellEnvironment}' -ErrorAction SilentlyContinue)) {`,
          `    Add-MgEnvironment -Name '${customPowerShellEnvironment}' -AzureADEndpoint ${powerShellQuote(cloud.authorityHost)} -GraphEndpoint ${powerShellQuote(cloud.graphHost)} | Out-Null`,
          "}",
        ]
      : [];
  return [...custom, `Connect-MgGraph -Environment ${environment} -Scopes ${scopes.map((scope) => `"${scope}"`).join(",")} -NoWelcome`];
}

/** The same steps with the Microsoft Graph PowerShell SDK (v2), for admins who work in Windows PowerShell or pwsh. */
export function powerShellScript(options: SetupScriptOptions): string {
  const parsed = parseOptions(options);
  const { cloud, redirectUri } = parsed;
  const permissions = scriptPermissions();
  const webArgument = redirectUri ? " -Web @{ RedirectUris = @($RedirectUri) }" : "";

  const lines = [
    `# ${setupScriptFileNames.powerShell}`,
    ...comment(headerLines(parsed, "Microsoft Graph PowerShell")),
    ...powerShellPreamble,
    "",
    `$AppName = ${powerShellQuote(parsed.appName)}`,
    `$SignInAudience = ${powerShellQuote(parsed.signInAudience)}`,
    ...(redirectUri ? [`$RedirectUri = ${powerShellQuote(redirectUri)}`] : []),
    "",
    ...connectMgGraphLines(cloud, ["Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All"]),
    "",
    "# Entra ID replicates new objects for a few seconds; a call right after a create may not find them yet.",
    "function Invoke-WithRetry([scriptblock] $Action) {",
    "    for ($attempt = 1; ; $attempt++) {",
    "        try { return & $Action }",
    "        catch {",
    "            if ($attempt -ge 6) { throw }",
    '            Write-Host "Microsoft Entra ID is still catching up (attempt $attempt of 6); waiting 10 seconds..."',
    "            Start-Sleep -Seconds 10",
    "        }",
    "    }",
    "}",
    "",
    "$requiredResourceAccess = @(",
    "    @{",
    `        ResourceAppId  = '${graphResourceAppId}'`,
    "        ResourceAccess = @(",
    ...permissions.map((permission) => `            @{ Id = '${permission.id}'; Type = 'Role' } # ${permission.value}`),
    "        )",
    "    }",
    ")",
    "",
    "# A second run updates the app of the same name instead of registering another one.",
    "$existing = @(Get-MgApplication -Filter (\"displayName eq '{0}'\" -f $AppName.Replace(\"'\", \"''\")))",
    "if ($existing.Count -gt 1) { throw \"More than one app registration is named '$AppName'. Rename or delete the extra ones, then run this again.\" }",
    "if ($existing.Count -eq 1) {",
    "    $app = $existing[0]",
    `    Update-MgApplication -ApplicationId $app.Id -SignInAudience $SignInAudience -RequiredResourceAccess $requiredResourceAccess${webArgument}`,
    '    Write-Host "Updated the existing app registration ""$AppName""."',
    "} else {",
    `    $app = New-MgApplication -DisplayName $AppName -SignInAudience $SignInAudience -RequiredResourceAccess $requiredResourceAccess${webArgument}`,
    '    Write-Host "Registered the app ""$AppName""."',
    "}",
    "",
    "$sp = Get-MgServicePrincipal -Filter \"appId eq '$($app.AppId)'\"",
    "if (-not $sp) {",
    "    $sp = Invoke-WithRetry { New-MgServicePrincipal -AppId $app.AppId }",
    '    Write-Host "Created the service principal (Enterprise application)."',
    "}",
    `$graphSp = Get-MgServicePrincipal -Filter "appId eq '${graphResourceAppId}'"`,
    "",
    "# Assigning a Microsoft Graph app role to the service principal is the tenant-wide admin consent for",
    "# that application permission.",
    "$granted = @(Get-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $sp.Id -All |",
    "    Where-Object { $_.ResourceId -eq $graphSp.Id } | ForEach-Object { $_.AppRoleId })",
    "$roles = @(",
    ...permissions.map(
      (permission, index) =>
        `    @{ Id = '${permission.id}'; Name = ${powerShellQuote(`${permission.value} (${permission.displayText})`)} }${index < permissions.length - 1 ? "," : ""}`,
    ),
    ")",
    "foreach ($role in $roles) {",
    "    if ($granted -contains $role.Id) {",
    '        Write-Host "$($role.Name) was already granted."',
    "        continue",
    "    }",
    "    Invoke-WithRetry {",
    "        New-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $sp.Id -PrincipalId $sp.Id -ResourceId $graphSp.Id -AppRoleId $role.Id",
    "    } | Out-Null",
    '    Write-Host "Granted $($role.Name)."',
    "}",
    "",
    ...(parsed.certificate ? powerShellCertificateLines(parsed.certificate) : powerShellSecretLines(parsed.secretYears)),
    'Write-Host "Consent can take a few minutes to take effect before Calsync\'s checks pass."',
    "",
  ];
  return lines.join("\n");
}

export type SetupAppScriptOptions = { cloud: Cloud; appName?: string; redirectUri: string; signInAudience: "AzureADMyOrg" | "AzureADMultipleOrgs"; scopes: readonly string[] };

/** File names of the setup app's scripts. */
export const setupAppScriptFileNames = {
  azureCli: "register-calsync-setup-app.sh",
  powerShell: "register-calsync-setup-app.ps1",
} as const;

function parseSetupAppOptions(options: SetupAppScriptOptions) {
  return {
    cloud: options.cloud,
    appName: setupScriptOptionsSchema.shape.appName.parse(options.appName ?? "Calsync Setup"),
    signInAudience: z.enum(["AzureADMyOrg", "AzureADMultipleOrgs"]).parse(options.signInAudience),
    redirectUri: z.url({ protocol: /^https?$/ }).parse(options.redirectUri),
    scopes: options.scopes.map((scope) => z.string().regex(/^[A-Za-z.]+$/).parse(scope)),
  };
}
type ParsedSetupApp = ReturnType<typeof parseSetupAppOptions>;

function setupAppHeader(options: ParsedSetupApp, fileName: string, tool: string): string[] {
  return [
    `# ${fileName}`,
    ...comment([
      `Registers Calsync's setup app in Microsoft Entra ID with ${tool}. Cloud: ${options.cloud.label}.`,
      "Administrators sign in through it on “Set it up for me”. Use it for nothing else: Entra puts every",
      "consented permission of an app into each of its tokens.",
      "",
      `Delegated Microsoft Graph permissions: ${options.scopes.join(", ")}.`,
      "Then enter the printed values under Settings → Setup app in Calsync.",
    ]),
  ];
}

const setupAppHeading = "Done. Enter these under Settings → Setup app in Calsync:";
const setupAppWarning = "WARNING: the client secret is shown only this once.";

/**
 * An Azure CLI (Bash) script that registers the setup app of "Set it up for me": the web redirect URI
 * and the delegated Microsoft Graph permissions it signs administrators in with, each resolved by
 * value from Microsoft Graph's own `oauth2PermissionScopes` (the ids are the same in every tenant, but
 * reading them is what the portal does too), and a client secret. No consent is granted: each
 * administrator consents to the delegated permissions when they first sign in (or an administrator
 * grants it for the tenant in the portal).
 */
export function setupAppAzureCliScript(options: SetupAppScriptOptions): string {
  const parsed = parseSetupAppOptions(options);
  const lines = [
    "#!/usr/bin/env bash",
    ...setupAppHeader(parsed, setupAppScriptFileNames.azureCli, "the Azure CLI"),
    "set -euo pipefail",
    "",
    ...bashAssignment("APP_NAME", parsed.appName),
    ...bashAssignment("SIGN_IN_AUDIENCE", parsed.signInAudience),
    ...bashAssignment("REDIRECT_URI", parsed.redirectUri),
    `GRAPH_APP_ID=${bashQuote(graphResourceAppId)}`,
    "",
    `az cloud set --name ${azureCliCloudNames[parsed.cloud.id]}`,
    "",
    "# Each delegated permission's id, by its value, from Microsoft Graph's service principal.",
    "scope_id() {",
    `  az ad sp show --id "$GRAPH_APP_ID" --query "oauth2PermissionScopes[?value=='$1'].id | [0]" -o tsv`,
    "}",
    "ACCESS=\"\"",
    `SCOPES=(${parsed.scopes.map(bashQuote).join(" ")})`,
    'for SCOPE in "${SCOPES[@]}"; do',
    '  ACCESS="$ACCESS${ACCESS:+,}{\\"id\\":\\"$(scope_id "$SCOPE")\\",\\"type\\":\\"Scope\\"}"',
    "done",
    'printf \'[{"resourceAppId":"%s","resourceAccess":[%s]}]\' "$GRAPH_APP_ID" "$ACCESS" > calsync-setup-app-access.json',
    "",
    'APP_ID="$(az ad app create --display-name "$APP_NAME" --sign-in-audience "$SIGN_IN_AUDIENCE" \\',
    '  --web-redirect-uris "$REDIRECT_URI" --required-resource-accesses @calsync-setup-app-access.json --query appId -o tsv)"',
    "CLIENT_SECRET=\"$(az ad app credential reset --id \"$APP_ID\" --append --display-name 'Calsync setup' --years 1 --query password -o tsv)\"",
    'TENANT_ID="$(az account show --query tenantId -o tsv)"',
    "",
    ...labelledOutput(echo, setupAppHeading, { tenant: "$TENANT_ID", clientId: "$APP_ID", clientSecret: "$CLIENT_SECRET" }),
    echo(setupAppWarning),
    "",
  ];
  return lines.join("\n");
}

/** The same registration with Microsoft Graph PowerShell, for administrators who work in PowerShell. */
export function setupAppPowerShellScript(options: SetupAppScriptOptions): string {
  const parsed = parseSetupAppOptions(options);
  const lines = [
    ...setupAppHeader(parsed, setupAppScriptFileNames.powerShell, "Microsoft Graph PowerShell"),
    ...powerShellPreamble,
    "",
    `$AppName = ${powerShellQuote(parsed.appName)}`,
    `$SignInAudience = ${powerShellQuote(parsed.signInAudience)}`,
    `$RedirectUri = ${powerShellQuote(parsed.redirectUri)}`,
    `$Scopes = @(${parsed.scopes.map(powerShellQuote).join(", ")})`,
    "",
    ...connectMgGraphLines(parsed.cloud, ["Application.ReadWrite.All"]),
    "",
    "# Each delegated permission's id, by its value, from Microsoft Graph's service principal.",
    `$graphSp = Get-MgServicePrincipal -Filter "appId eq '${graphResourceAppId}'" -Property 'id','oauth2PermissionScopes'`,
    "$access = @(foreach ($scope in $Scopes) {",
    "    $id = ($graphSp.Oauth2PermissionScopes | Where-Object { $_.Value -eq $scope }).Id",
    '    if (-not $id) { throw "Microsoft Graph has no delegated permission named $scope." }',
    "    @{ Id = $id; Type = 'Scope' }",
    "})",
    "",
    `$app = New-MgApplication -DisplayName $AppName -SignInAudience $SignInAudience -Web @{ RedirectUris = @($RedirectUri) } -RequiredResourceAccess @(@{ ResourceAppId = '${graphResourceAppId}'; ResourceAccess = $access })`,
    "# -ApplicationId is the app's object ID ($app.Id), not its client ID.",
    "$secret = Add-MgApplicationPassword -ApplicationId $app.Id -PasswordCredential @{ DisplayName = 'Calsync setup'; EndDateTime = (Get-Date).AddYears(1) }",
    "$tenantId = (Get-MgContext).TenantId",
    "",
    ...labelledOutput(writeHost, setupAppHeading, { tenant: "$tenantId", clientId: "$($app.AppId)", clientSecret: "$($secret.SecretText)" }),
    writeHost(setupAppWarning),
    "",
  ];
  return lines.join("\n");
}
