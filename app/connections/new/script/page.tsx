import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { ActionForm, Field } from "@/components/action-form";
import { CopyButton } from "@/components/copy-button";
import { LiveChecklist } from "@/components/live-checklist";
import { ScriptOutputPaste } from "@/components/script-output-paste";
import { saveScriptOutputAction } from "@/app/connections/new/actions";
import { SaveConnectionForm } from "@/app/connections/new/save-connection-form";
import { authorizePage } from "@/lib/auth/current-user";
import { whoLabel } from "@/lib/checks/fix-roles";
import { getPrisma } from "@/lib/db/client";
import { resolveCloud } from "@/lib/entra/cloud-config";
import { azureCliScript, powerShellScript, requiredResourceAccessJson, scriptOutputLabels, setupScriptFileNames, signInAudienceSchema } from "@/lib/entra/setup-scripts";
import { getDraft } from "@/lib/wizard/drafts";
import { consentRedirectUri } from "@/lib/wizard/urls";

export const metadata: Metadata = { title: "New connection with a script" };

export default async function ScriptPathPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await authorizePage("/connections/new/script", "/connections/new/script");
  const draft = await getDraft(await getPrisma(), user.id);
  if (!draft) redirect("/connections/new");
  const cloud = resolveCloud(draft.cloud);
  if (!cloud) redirect("/connections/new");
  const verifyNow = (await searchParams).verify === "1" && Boolean(draft.secretHint && draft.fields.clientId && draft.fields.tenant);
  const fields = draft.fields;
  const options = { cloud, signInAudience: signInAudienceSchema.catch("AzureADMyOrg").parse(fields.accountType), redirectUri: consentRedirectUri() };
  const files = [
    { name: setupScriptFileNames.azureCli, text: azureCliScript(options), type: "text/x-shellscript", where: "Azure Cloud Shell (Bash) or any Bash with Azure CLI 2.37 or newer" },
    { name: setupScriptFileNames.powerShell, text: powerShellScript(options), type: "text/plain", where: "PowerShell with the Microsoft Graph PowerShell module" },
    { name: setupScriptFileNames.requiredResourceAccess, text: requiredResourceAccessJson(), type: "application/json", where: "the permissions, for the app manifest (the Bash script writes it itself)" },
  ];
  return (
    <section className="max-w-3xl space-y-8">
      <header className="space-y-2">
        <p className="text-sm text-fg-muted">Script path · {cloud.label}</p>
        <h1 className="text-2xl font-semibold">Connect with a setup script</h1>
        <p>
          One script registers the app with its redirect URI, adds the Microsoft Graph permissions, grants admin consent and creates a client secret.
          Run it, paste what it prints, and verify. Sign in to run it as {whoLabel("consent-admin")}: no other role can grant the consent.
        </p>
        <p className="text-sm">
          Prefer the portal? <Link href="/connections/new/register-app">Follow the steps by hand</Link>.
        </p>
      </header>

      <div className="space-y-4">
        <h2 className="text-lg font-semibold">1. Run the script</h2>
        {files.map((file) => (
          <details key={file.name} className="rounded border border-line bg-surface p-4" open={file.name === setupScriptFileNames.azureCli}>
            <summary className="cursor-pointer font-medium">
              <span className="font-mono">{file.name}</span>: {file.where}
            </summary>
            <div className="mt-3 space-y-2 text-sm">
              <div className="flex flex-wrap items-center gap-3">
                <CopyButton text={file.text} label={`Copy ${file.name}`} />
                <a download={file.name} href={`data:${file.type};charset=utf-8,${encodeURIComponent(file.text)}`}>
                  Download {file.name}
                </a>
              </div>
              <pre className="max-h-64 overflow-auto rounded bg-slate-900 p-3 text-xs text-slate-100" tabIndex={0} aria-label={file.name}>
                {file.text}
              </pre>
            </div>
          </details>
        ))}
      </div>

      <div className="space-y-4">
        <h2 className="text-lg font-semibold">2. Paste what it printed, and verify</h2>
        <ActionForm action={saveScriptOutputAction} submitLabel="Verify with Microsoft">
          <ScriptOutputPaste
            name="secretOutput"
            label="The script's output"
            hint={`Paste the lines after "Done." The four values are read into the fields below, where you can correct them.`}
          />
          <Field name="name" label="Connection name" defaultValue={fields.name ?? "Microsoft 365 calendars"} hint="How this connection is shown in the console" />
          <Field name="tenant" label={scriptOutputLabels.tenant} required={false} defaultValue={fields.tenant} />
          <Field name="clientId" label={scriptOutputLabels.clientId} required={false} defaultValue={fields.clientId} />
          <Field
            name="clientSecret"
            label={scriptOutputLabels.clientSecret}
            type="password"
            autoComplete="off"
            required={false}
            hint={draft.secretHint ? `A secret ending in …${draft.secretHint} is stored. Leave empty to keep it.` : "Printed once by the script"}
          />
          <Field name="secretExpiresAt" label={scriptOutputLabels.secretExpiresAt} type="date" required={false} defaultValue={fields.secretExpiresAt} />
        </ActionForm>
      </div>

      {(verifyNow || draft.lastReport) && (
        <div className="space-y-4">
          <h2 className="text-lg font-semibold">3. Save</h2>
          <p className="text-sm text-fg-muted">
            Calsync syncs all users&apos; mailboxes and tests with the first user that has one. To limit it, or to name a test mailbox, use{" "}
            <Link href="/connections/new/mailbox-scope">Choose the mailbox scope</Link> before saving.
          </p>
          <LiveChecklist endpoint="/api/wizard/verify" buttonLabel="Verify again" initialReport={draft.lastReport} wizardFixLinks autoStart={verifyNow} />
          <SaveConnectionForm draft={draft} />
        </div>
      )}
    </section>
  );
}
