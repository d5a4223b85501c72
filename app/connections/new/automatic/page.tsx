import type { Metadata } from "next";
import Link from "next/link";
import { ActionForm, Field } from "@/components/action-form";
import { CopyButton } from "@/components/copy-button";
import { Callout } from "@/components/ui/badge";
import { startProvisioningAction, startSetupSignInAction } from "@/app/connections/new/automatic/actions";
import { authorizePage } from "@/lib/auth/current-user";
import { getPrisma } from "@/lib/db/client";
import { configuredCloudOptions, defaultCloudId, resolveCloud } from "@/lib/entra/cloud-config";
import { getSetupAppView } from "@/lib/provisioning/setup-app";
import { shownRefusalCode } from "@/lib/provisioning/setup-sign-in";

export const metadata: Metadata = { title: "Set it up for me" };

/** Azure CLI's command for a Microsoft Graph token; `ms-graph` resolves to the signed-in cloud's Graph. */
const tokenCommand = "az account get-access-token --resource-type ms-graph --query accessToken -o tsv";

/** Why a sign-in through the setup app came back without starting anything; Microsoft's own text never travels in the URL. */
function signInProblem(kind: string | undefined, code: string | undefined): string | undefined {
  switch (kind) {
    case "bad-state":
      return "That sign-in did not match one started here (it expired, was used already, or came from another browser). Nothing was changed. Sign in again.";
    case "failed":
      return "The sign-in could not be completed. Nothing was changed. Try again.";
    case "refused":
      if (code === "token-unusable") return "Microsoft signed you in, but the token cannot be used for this setup (wrong cloud, or it expires too soon). Nothing was changed.";
      if (code === "setup-app-missing") return "The setup app was removed while you were signing in. Nothing was changed.";
      // Only a code's shape is shown: the URL can be crafted by anyone, and free text here would read as the console's own words.
      return `Microsoft did not sign you in through the setup app (${shownRefusalCode(code)}). Nothing was changed. Check the setup app's redirect URI and permissions under Settings → Setup app, or paste a token instead.`;
    default:
      return undefined;
  }
}

const credentialOptions = [
  { value: "secret", label: "Client secret", description: "A tenant policy that forbids or caps secrets gets a certificate instead." },
  { value: "certificate", label: "Certificate", description: "The console generates the key pair, uploads the public certificate to the app, and keeps the private key sealed." },
];

const queryValue = (value: string | string[] | undefined) => (typeof value === "string" ? value.slice(0, 80) : undefined);

export default async function AutomaticSetupPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await authorizePage("/connections/new/automatic", "/connections/new/automatic");
  const clouds = configuredCloudOptions();
  const query = await searchParams;
  const problem = signInProblem(queryValue(query.signIn), queryValue(query.code));
  const setupApp = await getSetupAppView(await getPrisma());
  const setupCloud = setupApp ? resolveCloud(setupApp.cloudId) : undefined;
  return (
    <section className="max-w-3xl space-y-8">
      <header className="space-y-2">
        <p className="text-sm text-fg-muted">New connection · automatic</p>
        <h1 className="text-2xl font-semibold">Set it up for me</h1>
        <p>
          The console registers its app in your tenant with an administrator&apos;s Microsoft Graph token: it checks your roles and the tenant&apos;s policies first, creates
          the app, grants its permissions, adds a client secret or a certificate, verifies what Microsoft really granted, and saves the connection.
        </p>
        <p className="text-sm">
          The token is used only for this setup: it is kept sealed while the setup lasts, discarded at its end, and never logged or shown again. Prefer to do it yourself?{" "}
          <Link href="/connections/new">Use the wizard or a script</Link>.
        </p>
      </header>
      {problem && <Callout tone="danger">{problem}</Callout>}
      <div className="space-y-3">
        <h2 className="text-lg font-semibold">Sign in with Microsoft</h2>
        {setupApp && setupCloud ? (
          <>
            <p className="text-sm">
              Sign in as an administrator through the setup app ({setupCloud.label}). Its token can also read the tenant&apos;s policies. It is used only for this
              setup and never shown.
            </p>
            <ActionForm action={startSetupSignInAction} submitLabel="Sign in with Microsoft">
              <Field name="name" label="Name of the new app in Microsoft Entra" defaultValue="Calsync" hint="Also the connection's name in the console." />
              <Field name="credential" label="Credential of the new app" type="radio" defaultValue="secret" options={credentialOptions} />
              <Field name="secretMonths" label="Credential lifetime in months" defaultValue="6" hint="1 to 24. A tenant policy may allow less; the console then stays within it." />
              <Field name="reuseObjectId" label="Object ID of an existing app to reuse (optional)" required={false} hint="Only when the console found an app of this name and you want to use it." />
            </ActionForm>
          </>
        ) : (
          <p className="text-sm">
            Not set up on this console yet: an administrator adds the setup app once under <Link href="/settings/setup-app">Settings → Setup app</Link>. Until then, paste
            a token below.
          </p>
        )}
      </div>
      <div className="space-y-3">
        <h2 className="text-lg font-semibold">Or: 1. Get a token from Azure CLI or Cloud Shell</h2>
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
          <Field name="credential" label="Credential" type="radio" defaultValue="secret" options={credentialOptions} />
          <Field name="secretMonths" label="Credential lifetime (months)" defaultValue="6" hint="1 to 24. A tenant policy may allow less; the console then stays within it." />
          <Field name="token" label="The token the command printed" type="textarea" hint="One long line. It is not stored after the setup." />
          <Field name="reuseObjectId" label="Reuse an existing app (object ID, optional)" hint="Only when the console found an app of this name and you want to use it rather than create another." />
        </ActionForm>
      </div>
    </section>
  );
}
