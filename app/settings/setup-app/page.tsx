import type { Metadata } from "next";
import Link from "next/link";
import { ActionForm, Field } from "@/components/action-form";
import { CheckList } from "@/components/check-list";
import { CopyButton } from "@/components/copy-button";
import { saveSetupAppAction } from "@/app/settings/setup-app/actions";
import { authorizePage } from "@/lib/auth/current-user";
import { getPrisma } from "@/lib/db/client";
import { configuredCloudOptions, defaultCloudId, resolveCloud } from "@/lib/entra/cloud-config";
import { setupAppAzureCliScript } from "@/lib/entra/setup-scripts";
import { formatDateTime, formatDay } from "@/lib/format";
import { getSetupAppView, setupAppPermissions } from "@/lib/provisioning/setup-app";
import { setupAppAudienceLabels, setupAppAudiences } from "@/lib/provisioning/setup-app-schema";
import { setupSignInRedirectUri } from "@/lib/provisioning/setup-sign-in";

export const metadata: Metadata = { title: "Setup app" };

export default async function SetupAppSettingsPage() {
  await authorizePage("/settings/setup-app", "/settings/setup-app");
  const app = await getSetupAppView(await getPrisma());
  const redirectUri = setupSignInRedirectUri();
  const scriptCloud = resolveCloud(app?.cloudId ?? defaultCloudId());
  const script = scriptCloud ? setupAppAzureCliScript({ cloud: scriptCloud, redirectUri, signInAudience: app?.audience === "organizations" ? "AzureADMultipleOrgs" : "AzureADMyOrg", scopes: setupAppPermissions }) : undefined;
  return (
    <div className="space-y-8">
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold">Setup app</h1>
        <p className="text-fg-muted">
          On <Link href="/connections/new/automatic">Set it up for me</Link>, an administrator can sign in with Microsoft instead of pasting a token. They sign in
          through an app registration you add once and use for nothing else.
        </p>
        <p role="note" className="rounded border border-line bg-surface-muted p-3 text-sm">
          It cannot be the mailbox sign-in app or the console sign-in app: Entra puts every consented permission of an app into each of its tokens, so
          those tokens would then carry directory-write permissions. The console refuses their client IDs here.
        </p>
      </header>

      <section className="space-y-2" aria-labelledby="register-heading">
        <h2 id="register-heading" className="text-lg font-semibold">
          What the app registration needs
        </h2>
        <ol className="list-decimal space-y-2 pl-6 text-sm">
          <li>
            Under <strong>Authentication</strong>, add a <strong>Web</strong> platform with exactly this redirect URI:{" "}
            <code className="break-all">{redirectUri}</code> <CopyButton text={redirectUri} label="Copy the redirect URI" />
          </li>
          <li>
            Under <strong>API permissions</strong>, add these <strong>delegated</strong> Microsoft Graph permissions:{" "}
            <span data-testid="setup-app-permissions">
              {setupAppPermissions.map((permission, index) => (
                <span key={permission}>
                  {index > 0 ? ", " : ""}
                  <code>{permission}</code>
                </span>
              ))}
            </span>
            . Grant admin consent for them, or let each administrator consent when they first sign in.
          </li>
          <li>
            Under <strong>Certificates &amp; secrets</strong>, create a client secret, or upload a certificate whose private key you paste below.
          </li>
          <li>
            <strong>Supported account types</strong> must match whose administrators sign in below:{" "}
            {setupAppAudiences.map((audience) => `“${setupAppAudienceLabels[audience].registration}” for “${setupAppAudienceLabels[audience].label}”`).join("; ")}.
          </li>
        </ol>
        {script && (
          <details className="rounded border border-line bg-surface p-4 text-sm">
            <summary className="cursor-pointer font-medium">Or register it with the Azure CLI</summary>
            <div className="mt-3 space-y-2">
              <p>
                Run this in Azure Cloud Shell (Bash) as an Application Administrator, then enter the printed values below. <CopyButton text={script} label="Copy the setup app script" />
              </p>
              <pre className="max-h-96 overflow-auto rounded bg-slate-900 p-3 text-xs text-slate-50" tabIndex={0} aria-label="Setup app Azure CLI script">
                {script}
              </pre>
            </div>
          </details>
        )}
      </section>

      {app && (
        <section className="space-y-2" aria-labelledby="current-heading">
          <h2 id="current-heading" className="text-lg font-semibold">
            Current settings
          </h2>
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 rounded border border-line bg-surface p-4 text-sm">
            <dt className="font-medium">Client ID</dt>
            <dd>
              <code className="break-all">{app.clientId}</code>
            </dd>
            <dt className="font-medium">Home tenant</dt>
            <dd className="break-all">{app.homeTenant}</dd>
            <dt className="font-medium">Who signs in</dt>
            <dd>{setupAppAudienceLabels[app.audience].label}</dd>
            <dt className="font-medium">Credential</dt>
            <dd className="break-all">
              {app.credentialKind === "secret" ? `Client secret ending in …${app.credentialHint}` : `Certificate, SHA-256 thumbprint ${app.credentialHint}`}
              {app.credentialExpiresAt ? `, expires on ${formatDay(app.credentialExpiresAt)}` : ""}
            </dd>
            <dt className="font-medium">Verified</dt>
            <dd>{app.verifiedAt ? `${formatDateTime(app.verifiedAt)} UTC` : "Never"}</dd>
          </dl>
          {app.verification && <CheckList label="Last verification" checks={app.verification} />}
        </section>
      )}

      <section className="max-w-xl space-y-4" aria-labelledby="form-heading">
        <h2 id="form-heading" className="text-lg font-semibold">
          {app ? "Change the setup app" : "Set up the setup app"}
        </h2>
        <p className="text-sm text-fg-muted">Saving first proves the settings with Microsoft: the sign-in metadata answers and the app gets a token with this credential. Nothing is saved if that fails.</p>
        <ActionForm action={saveSetupAppAction} submitLabel="Verify and save" hidden={{ expectedVersion: String(app?.version ?? 0) }}>
          <Field name="cloud" type="select" label="Microsoft cloud" options={configuredCloudOptions()} defaultValue={app?.cloudId ?? defaultCloudId()} />
          <Field name="clientId" label="Application (client) ID" autoComplete="off" defaultValue={app?.clientId} hint="From the app registration's Overview page" />
          <Field
            name="homeTenant"
            label="Directory (tenant) ID of the app registration"
            autoComplete="off"
            defaultValue={app?.homeTenant}
            hint="The tenant the app is registered in (its GUID or a verified domain)"
          />
          <Field
            name="audience"
            type="radio"
            label="Who signs in"
            defaultValue={app?.audience ?? "organization"}
            options={setupAppAudiences.map((audience) => ({
              value: audience,
              label: setupAppAudienceLabels[audience].label,
              description: `Supported account types: ${setupAppAudienceLabels[audience].registration}`,
            }))}
          />
          <Field
            name="credentialKind"
            type="radio"
            label="Credential"
            defaultValue={app?.credentialKind ?? "secret"}
            options={[
              { value: "secret", label: "Client secret" },
              { value: "certificate", label: "Certificate", description: "The certificate and its unencrypted private key, both in PEM form" },
            ]}
          />
          <Field
            name="clientSecret"
            type="password"
            label="Client secret Value"
            required={false}
            autoComplete="off"
            hint={app?.credentialKind === "secret" ? `A secret ending in …${app.credentialHint} is stored. Leave empty to keep it.` : "The Value column, shown only right after you create the secret"}
          />
          <Field name="secretExpiresAt" type="date" label="Secret expires on" required={false} hint="Optional: the Expires column" />
          <Field
            name="certificateKeyPem"
            type="textarea"
            label="Certificate and private key (PEM)"
            required={false}
            hint={app?.credentialKind === "certificate" ? "A certificate is stored. Leave empty to keep it." : "Only for a certificate credential"}
          />
        </ActionForm>
      </section>
    </div>
  );
}
