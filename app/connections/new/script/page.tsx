import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { redirect } from "next/navigation";
import { z } from "zod";
import { ActionForm, Field } from "@/components/action-form";
import { CopyButton } from "@/components/copy-button";
import { LiveChecklist } from "@/components/live-checklist";
import { ScriptOutputPaste } from "@/components/script-output-paste";
import { LinkedTabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { generateWizardCertificateAction, saveScriptOutputAction } from "@/app/connections/new/actions";
import { certificateValidityOptions } from "@/components/certificate-facts";
import { SaveConnectionForm } from "@/app/connections/new/save-connection-form";
import { authorizePage } from "@/lib/auth/current-user";
import { whoLabel } from "@/lib/checks/fix-roles";
import { DEFAULT_VALIDITY_MONTHS } from "@/lib/crypto/certificates";
import { getPrisma } from "@/lib/db/client";
import { resolveCloud } from "@/lib/entra/cloud-config";
import { scriptOutputLabels } from "@/lib/entra/script-output";
import { azureCliScript, powerShellScript, requiredResourceAccessJson, setupScriptFileNames, setupScriptOptionsSchema, signInAudienceSchema } from "@/lib/entra/setup-scripts";
import { scriptCertificate } from "@/lib/wizard/draft-certificate";
import { draftCertificatePem, getDraft, type DraftView } from "@/lib/wizard/drafts";
import { consentRedirectUri } from "@/lib/wizard/urls";

export const metadata: Metadata = { title: "New connection with a script" };

export default async function ScriptPathPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await authorizePage("/connections/new/script", "/connections/new/script");
  const draft = await getDraft(await getPrisma(), user.id);
  if (!draft) redirect("/connections/new");
  const cloud = resolveCloud(draft.cloud);
  if (!cloud) redirect("/connections/new");
  const query = await searchParams;
  const verifyNow = query.verify === "1" && Boolean(draft.fields.clientId && draft.fields.tenant && (draft.secretHint || draft.credentialKind === "certificate"));
  // The certificate is the recommended credential, so it opens first; a draft that already holds a secret opens on it.
  const credential = z.enum(["certificate", "secret"]).catch(draft.credentialKind === "secret" && draft.secretHint ? "secret" : "certificate").parse(query.credential);
  const fields = draft.fields;
  const options = { cloud, signInAudience: signInAudienceSchema.catch("AzureADMyOrg").parse(fields.accountType), redirectUri: consentRedirectUri() };
  const certificatePem = draft.certificate ? await draftCertificatePem(await getPrisma(), user.id) : null;
  const described = certificatePem ? scriptCertificate(certificatePem) : undefined;
  // A brought certificate may be larger than a script carries (an upload may be 64 kB): it goes through the manual steps instead.
  const certificate = described && setupScriptOptionsSchema.shape.certificate.safeParse(described).success ? described : undefined;
  const scriptFiles = (withCertificate: typeof certificate): ScriptFile[] => [
    { name: setupScriptFileNames.azureCli, text: azureCliScript({ ...options, certificate: withCertificate }), type: "text/x-shellscript", where: "Azure Cloud Shell (Bash) or any Bash with Azure CLI 2.37 or newer" },
    { name: setupScriptFileNames.powerShell, text: powerShellScript({ ...options, certificate: withCertificate }), type: "text/plain", where: "PowerShell with the Microsoft Graph PowerShell module" },
    { name: setupScriptFileNames.requiredResourceAccess, text: requiredResourceAccessJson(), type: "application/json", where: "the permissions, for the app manifest (the Bash script writes it itself)" },
  ];
  return (
    <section className="max-w-3xl space-y-8">
      <header className="space-y-2">
        <p className="text-sm text-fg-muted">Script path · {cloud.label}</p>
        <h1 className="text-2xl font-semibold">Connect with a setup script</h1>
        <p>
          One script registers the app with its redirect URI, adds the Microsoft Graph permissions, grants admin consent and adds the credential: a certificate, whose private key stays in Calsync, or a client secret.
          Run it, paste what it prints, and verify. Sign in to run it as {whoLabel("consent-admin")}: no other role can grant the consent.
        </p>
        <p className="text-sm">
          Prefer the portal? <Link href="/connections/new/register-app">Follow the steps by hand</Link>.
        </p>
      </header>

      <LinkedTabs defaultValue={credential} param="credential">
        <TabsList aria-label="Credential the script creates">
          <TabsTrigger value="certificate">Certificate (recommended)</TabsTrigger>
          <TabsTrigger value="secret">Client secret</TabsTrigger>
        </TabsList>
        <TabsContent value="certificate" className="space-y-8">
          <div className="space-y-4">
            <h2 className="text-lg font-semibold">1. Run the script</h2>
            <p className="text-sm">
              Calsync makes an RSA-3072 key pair and a self-signed certificate. The scripts upload only the public certificate; the private key never
              leaves Calsync, and Calsync renews the certificate itself before it expires.
            </p>
            {draft.certificate ? (
              <p className="text-sm" data-testid="script-certificate">
                Certificate <code className="break-all">{draft.certificate.portalThumbprint}</code> (the Thumbprint Entra shows), valid until{" "}
                {draft.certificate.expiresAt.toISOString().slice(0, 10)}.
              </p>
            ) : null}
            {described && !certificate ? (
              <p role="alert" className="text-sm">
                This certificate is too large to travel in a script. Generate one here, or upload yours by hand:{" "}
                <Link href="/connections/new/client-secret">the credential step</Link>.
              </p>
            ) : null}
            <ActionForm
              action={generateWizardCertificateAction}
              submitLabel={draft.certificate ? "Generate a new certificate" : "Generate the certificate"}
              submitVariant={draft.certificate ? "secondary" : "primary"}
              hidden={{ from: "script" }}
            >
              <Field name="validityMonths" label="Valid for" type="select" defaultValue={String(DEFAULT_VALIDITY_MONTHS)} options={certificateValidityOptions} hint="Your organisation's policy may allow less; Entra then refuses the upload." />
            </ActionForm>
            {certificate ? <ScriptFiles files={scriptFiles(certificate)} /> : null}
          </div>
          {certificate ? (
            <PasteForm credentialKind="certificate" fields={fields}>
                <Field name="applicationObjectId" label={scriptOutputLabels.applicationObjectId} required={false} defaultValue={fields.applicationObjectId} hint="The app's Object ID, not its client ID: Calsync renews the certificate through it" />
                <Field name="certificateKeyId" label={scriptOutputLabels.certificateKeyId} required={false} defaultValue={fields.certificateKeyId} hint="With it, Calsync removes the old certificate from the app after renewing it" />
            </PasteForm>
          ) : null}
        </TabsContent>
        <TabsContent value="secret" className="space-y-8">
          <div className="space-y-4">
            <h2 className="text-lg font-semibold">1. Run the script</h2>
            <ScriptFiles files={scriptFiles(undefined)} />
          </div>
          <PasteForm credentialKind="secret" fields={fields}>
              <Field
                name="clientSecret"
                label={scriptOutputLabels.clientSecret}
                type="password"
                autoComplete="off"
                required={false}
                hint={draft.secretHint ? `A secret ending in …${draft.secretHint} is stored. Leave empty to keep it.` : "Printed once by the script"}
              />
              <Field name="secretExpiresAt" label={scriptOutputLabels.secretExpiresAt} type="date" required={false} defaultValue={fields.secretExpiresAt} />
          </PasteForm>
        </TabsContent>
      </LinkedTabs>

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

type ScriptFile = { name: string; text: string; type: string; where: string };

function ScriptFiles({ files }: { files: ScriptFile[] }) {
  return (
    <>
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
    </>
  );
}

/** Step 2 of either tab: the paste box, the name and the two ids, then the credential's own fields. */
function PasteForm({ credentialKind, fields, children }: { credentialKind: "certificate" | "secret"; fields: DraftView["fields"]; children: ReactNode }) {
  return (
    <div className="space-y-4">
      <h2 className="text-lg font-semibold">2. Paste what it printed, and verify</h2>
      <ActionForm action={saveScriptOutputAction} submitLabel="Verify with Microsoft" hidden={{ credentialKind }}>
        <ScriptOutputPaste name="secretOutput" label="The script's output" hint={`Paste the lines after "Done." The four values are read into the fields below, where you can correct them.`} />
        <Field name="name" label="Connection name" defaultValue={fields.name ?? "Microsoft 365 calendars"} hint="How this connection is shown in the console" />
        <Field name="tenant" label={scriptOutputLabels.tenant} required={false} defaultValue={fields.tenant} />
        <Field name="clientId" label={scriptOutputLabels.clientId} required={false} defaultValue={fields.clientId} />
        {children}
      </ActionForm>
    </div>
  );
}
