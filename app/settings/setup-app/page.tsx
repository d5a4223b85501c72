import type { Metadata } from "next";
import Link from "next/link";
import { ActionForm, Field } from "@/components/action-form";
import { AppAudienceField, AppCredentialFields, AppRegistrationFields, AppRegistrationSteps, CurrentAppRegistration } from "@/components/app-registration-fields";
import { CopyButton } from "@/components/copy-button";
import { saveSetupAppAction } from "@/app/settings/setup-app/actions";
import { authorizePage } from "@/lib/auth/current-user";
import { getPrisma } from "@/lib/db/client";
import { defaultCloudId, resolveCloud } from "@/lib/entra/cloud-config";
import { setupAppAzureCliScript } from "@/lib/entra/setup-scripts";
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

      <AppRegistrationSteps
        redirectUri={redirectUri}
        audiences={setupAppAudiences.map((audience) => setupAppAudienceLabels[audience])}
        audienceQuestion="whose administrators sign in"
        permissions={
          <>
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
          </>
        }
      >
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
      </AppRegistrationSteps>

      {app && <CurrentAppRegistration app={app} audienceTerm="Who signs in" audienceLabel={setupAppAudienceLabels[app.audience].label} />}

      <section className="max-w-xl space-y-4" aria-labelledby="form-heading">
        <h2 id="form-heading" className="text-lg font-semibold">
          {app ? "Change the setup app" : "Set up the setup app"}
        </h2>
        <p className="text-sm text-fg-muted">Saving first proves the settings with Microsoft: the sign-in metadata answers and the app gets a token with this credential. Nothing is saved if that fails.</p>
        <ActionForm action={saveSetupAppAction} submitLabel="Verify and save" hidden={{ expectedVersion: String(app?.version ?? 0) }}>
          <AppRegistrationFields app={app} />
          <AppAudienceField label="Who signs in" audiences={setupAppAudiences} labels={setupAppAudienceLabels} defaultValue={app?.audience ?? "organization"} />
          <AppCredentialFields app={app}>
            <Field name="secretExpiresAt" type="date" label="Secret expires on" required={false} hint="Optional: the Expires column" />
          </AppCredentialFields>
        </ActionForm>
      </section>
    </div>
  );
}
