import type { Metadata } from "next";
import Link from "next/link";
import { ActionForm, Field } from "@/components/action-form";
import { CopyButton } from "@/components/copy-button";
import { startProvisioningAction } from "@/app/connections/new/automatic/actions";
import { authorizePage } from "@/lib/auth/current-user";
import { configuredCloudOptions, defaultCloudId } from "@/lib/entra/cloud-config";

export const metadata: Metadata = { title: "Set it up for me" };

/** Azure CLI's command for a Microsoft Graph token; `ms-graph` resolves to the signed-in cloud's Graph. */
const tokenCommand = "az account get-access-token --resource-type ms-graph --query accessToken -o tsv";

export default async function AutomaticSetupPage() {
  await authorizePage("/connections/new/automatic", "/connections/new/automatic");
  const clouds = configuredCloudOptions();
  return (
    <section className="max-w-3xl space-y-8">
      <header className="space-y-2">
        <p className="text-sm text-fg-muted">New connection · automatic</p>
        <h1 className="text-2xl font-semibold">Set it up for me</h1>
        <p>
          The console registers its app in your tenant with an administrator&apos;s Microsoft Graph token: it checks your roles and the tenant&apos;s policies first, creates
          the app, grants its permissions, adds a client secret, verifies what Microsoft really granted, and saves the connection.
        </p>
        <p className="text-sm">
          The token is used only for this setup: it is kept sealed while the setup lasts, discarded at its end, and never logged or shown again. Prefer to do it yourself?{" "}
          <Link href="/connections/new">Use the wizard or a script</Link>.
        </p>
      </header>
      <div className="space-y-3">
        <h2 className="text-lg font-semibold">1. Get a token from Azure CLI or Cloud Shell</h2>
        <p className="text-sm">
          Sign in as an administrator of the tenant (<code>az login --tenant &lt;your tenant&gt;</code>, or open Azure Cloud Shell), choose the cloud below with{" "}
          <code>az cloud set</code> if it is not the global one, and run:
        </p>
        <pre className="overflow-x-auto rounded bg-slate-900 p-3 text-sm text-slate-50" tabIndex={0} aria-label="The command">
          {tokenCommand}
        </pre>
        <CopyButton text={tokenCommand} label="Copy the command" />
        <p className="text-sm text-fg-muted">
          Azure CLI tokens cannot read tenant policies; the console says so and explains any policy refusal when it meets one. Cloud Shell&apos;s tokens come from its own
          identity endpoint, so their permissions may differ: the console reads them before anything starts.
        </p>
      </div>
      <div className="space-y-3">
        <h2 className="text-lg font-semibold">2. Paste it and start</h2>
        <ActionForm action={startProvisioningAction} submitLabel="Check and set it up">
          <Field name="cloud" label="Microsoft cloud" type="radio" defaultValue={defaultCloudId()} options={clouds} />
          <Field name="name" label="Name of the app in Microsoft Entra" defaultValue="Calsync" hint="Also the connection's name in the console." />
          <Field name="secretMonths" label="Client secret lifetime (months)" defaultValue="6" hint="1 to 24. A tenant policy may allow less; the console then stays within it." />
          <Field name="token" label="The token the command printed" type="textarea" hint="One long line. It is not stored after the setup." />
          <Field name="reuseObjectId" label="Reuse an existing app (object ID, optional)" hint="Only when the console found an app of this name and you want to use it rather than create another." />
        </ActionForm>
      </div>
    </section>
  );
}
