import type { Metadata } from "next";
import Link from "next/link";
import { ActionForm, Field } from "@/components/action-form";
import { AppAudienceField, AppCredentialFields, AppRegistrationFields, AppRegistrationSteps, CurrentAppRegistration } from "@/components/app-registration-fields";
import { CopyButton } from "@/components/copy-button";
import { LinkedTabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { saveSetupAppAction } from "@/app/settings/setup-app/actions";
import { authorizePage } from "@/lib/auth/current-user";
import { getPrisma } from "@/lib/db/client";
import { defaultCloudId, resolveCloud } from "@/lib/entra/cloud-config";
import { setupAppAzureCliScript, setupAppPowerShellScript, setupAppScriptFileNames } from "@/lib/entra/setup-scripts";
import { getSetupAppView, setupAppPermissions } from "@/lib/provisioning/setup-app";
import { setupAppAudienceLabels, setupAppAudiences } from "@/lib/provisioning/setup-app-schema";
import { setupSignInRedirectUri } from "@/lib/provisioning/setup-sign-in";
import { z } from "zod";

export const metadata: Metadata = { title: "Setup app" };

const scriptTabSchema = z.enum(["azure-cli", "powershell"]).catch("azure-cli");

export default async function SetupAppSettingsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await authorizePage("/settings/setup-app", "/settings/setup-app");
  const app = await getSetupAppView(await getPrisma());
  const redirectUri = setupSignInRedirectUri();
  const scriptCloud = resolveCloud(app?.cloudId ?? defaultCloudId());
  const scriptOptions = scriptCloud && { cloud: scriptCloud, redirectUri, signInAudience: app?.audience === "organizations" ? ("AzureADMultipleOrgs" as const) : ("AzureADMyOrg" as const), scopes: setupAppPermissions };
  const scripts = scriptOptions
    ? [
        { tab: "azure-cli", label: "Azure CLI", name: setupAppScriptFileNames.azureCli, text: setupAppAzureCliScript(scriptOptions), where: "Run this in Azure Cloud Shell (Bash)" },
        { tab: "powershell", label: "PowerShell", name: setupAppScriptFileNames.powerShell, text: setupAppPowerShellScript(scriptOptions), where: "Run this in PowerShell with the Microsoft Graph PowerShell module" },
      ]
    : [];
  const scriptTab = scriptTabSchema.parse((await searchParams).script);
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
        {scripts.length > 0 && (
          <details className="rounded border border-line bg-surface p-4 text-sm" open={scriptTab === "powershell"}>
            <summary className="cursor-pointer font-medium">Or register it with a script (Azure CLI or PowerShell)</summary>
            <LinkedTabs defaultValue={scriptTab} param="script" className="mt-3">
              <TabsList aria-label="Setup app script">
                {scripts.map((script) => (
                  <TabsTrigger key={script.tab} value={script.tab}>
                    {script.label}
                  </TabsTrigger>
                ))}
              </TabsList>
              {scripts.map((script) => (
                <TabsContent key={script.tab} value={script.tab} className="space-y-2">
                  <p>
                    {script.where} as an Application Administrator, then enter the printed values below. <CopyButton text={script.text} label={`Copy ${script.name}`} />
                  </p>
                  <pre className="max-h-96 overflow-auto rounded bg-slate-900 p-3 text-xs text-slate-50" tabIndex={0} aria-label={`Setup app ${script.label} script`}>
                    {script.text}
                  </pre>
                </TabsContent>
              ))}
            </LinkedTabs>
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
