import type { Metadata } from "next";
import { ScopeModeFields } from "@/components/scope-mode-fields";
import { consentPermissions, scopeModeLabels } from "@/lib/connections/scope-mode";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { ActionForm, Field } from "@/components/action-form";
import { ConsentHandOff } from "@/components/consent-hand-off";
import { CopyButton } from "@/components/copy-button";
import { FormatAdvice } from "@/components/format-advice";
import { LiveChecklist } from "@/components/live-checklist";
import { WizardStepper } from "@/components/wizard-stepper";
import { beginAdminConsentAction, saveWizardStepAction } from "@/app/connections/new/actions";
import { SaveConnectionForm } from "@/app/connections/new/save-connection-form";
import { CertificateStep } from "@/app/connections/new/certificate-step";
import { WizardScopeAssistant } from "@/app/connections/scope-assistant-mount";
import { authorizePage } from "@/lib/auth/current-user";
import { whoLabel } from "@/lib/checks/fix-roles";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";
import { resolveCloud } from "@/lib/entra/cloud-config";
import { wizardConsentHandOff } from "@/lib/wizard/consent-hand-off";
import { getDraft } from "@/lib/wizard/drafts";
import { blockedByConsent } from "@/lib/checks/one-cause";
import {
  accountTypeOptions,
  confirmedByTick,
  currentStepId,
  previousStep,
  stepContent,
  stepTitles,
  wizardFieldSchema,
  wizardStepIdSchema,
  wizardSteps,
  type WizardStepId,
} from "@/lib/wizard/steps";
import { consentRedirectUri } from "@/lib/wizard/urls";

type Props = { params: Promise<{ step: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const step = wizardStepIdSchema.safeParse((await params).step);
  return { title: step.success ? `New connection: ${stepTitles[step.data]}` : "New connection" };
}

export default async function WizardStepPage({ params, searchParams }: Props) {
  const { step: rawStep } = await params;
  const user = await authorizePage("/connections/new/[step]", `/connections/new/${encodeURIComponent(rawStep)}`);
  const query = await searchParams;
  const parsedStep = wizardStepIdSchema.safeParse(rawStep);
  if (!parsedStep.success) {
    // Links to steps that were merged into another one (bookmarks, old fix links) land on that step.
    const moved = currentStepId(rawStep);
    if (moved) redirect(`/connections/new/${moved}`);
    notFound();
  }
  const step: WizardStepId = parsedStep.data;
  const highlight = wizardFieldSchema.safeParse(query.highlight).data;
  const draft = await getDraft(await getPrisma(), user.id);
  if (!draft) redirect("/connections/new");
  const cloud = resolveCloud(draft.cloud);
  if (!cloud) redirect("/connections/new");

  const context = { cloud, clientId: draft.fields.clientId, tenant: draft.fields.tenant, redirectUri: consentRedirectUri(), scopeMode: draft.fields.scopeMode ?? "all" };
  const content = stepContent(step, context);
  const steps = wizardSteps.map((id) => ({ id, title: stepTitles[id] }));
  const previous = previousStep(step);
  const isDone = draft.completedSteps.includes(step);
  const fields = draft.fields;
  const known = { cloud: draft.cloud, tenant: fields.tenant ?? "", clientId: fields.clientId ?? "", clientSecret: "Neutral~placeholder~secret~value~0000000" };
  const needsTick = confirmedByTick(step);
  const handOff =
    step === "admin-consent" || (step === "verify" && draft.lastReport && blockedByConsent(draft.lastReport))
      ? wizardConsentHandOff(
          { cloud, tenant: fields.tenant, clientId: fields.clientId, requester: `${user.displayName} (${user.email})` },
          { ring: getKeyRing(), target: { kind: "draft", id: draft.id } },
        )
      : undefined;

  return (
    <div className="grid gap-8 md:grid-cols-[16rem_1fr]">
      <WizardStepper steps={steps} current={step} completed={draft.completedSteps} />
      <section className="min-w-0 space-y-6">
        <header className="space-y-2">
          <p className="text-sm text-fg-muted">
            Step {wizardSteps.indexOf(step) + 1} of {wizardSteps.length} · {cloud.label}
          </p>
          <h1 className="text-2xl font-semibold">{content.title}</h1>
          <p>{content.summary}</p>
        </header>

        <div className="space-y-2">
          <h2 className="text-lg font-semibold">What to do</h2>
          <ol className="list-decimal space-y-2 pl-6">
            {content.instructions.map((instruction) => (
              <li key={instruction.text}>
                {instruction.text}
                {instruction.link && (
                  <>
                    {" "}
                    <a href={instruction.link.href} target="_blank" rel="noreferrer">
                      {instruction.link.label}
                      <span className="sr-only"> (opens in a new tab)</span>
                    </a>
                  </>
                )}
              </li>
            ))}
          </ol>
        </div>

        {step === "register-app" && (
          <>
            <p className="rounded border border-line bg-surface p-4 text-sm">
              Prefer the command line? <Link href="/connections/new/script">Use the script path instead</Link>: one page, a script that does steps 1–5,
              and a box to paste what it prints.
            </p>
            <div className="space-y-1 text-sm">
              <p className="font-medium">Redirect URI (platform Web)</p>
              <p className="flex flex-wrap items-center gap-3">
                <code className="break-all rounded bg-surface-muted px-2 py-1">{consentRedirectUri()}</code>
                <CopyButton text={consentRedirectUri()} label="Copy the redirect URI" />
              </p>
              <p className="text-fg-muted">
                Connecting single mailboxes uses a different app; its settings page names its own redirect URI.
              </p>
            </div>
            <table className="w-full border-collapse text-sm">
              <caption className="sr-only">Supported account types</caption>
              <thead>
                <tr className="border-b border-line text-left">
                  <th scope="col" className="py-2 pr-3">Option in the portal</th>
                  <th scope="col" className="py-2 pr-3">When it fits</th>
                  <th scope="col" className="py-2">For Calsync</th>
                </tr>
              </thead>
              <tbody>
                {accountTypeOptions.map((option) => (
                  <tr key={option.id} className="border-b border-line align-top">
                    <th scope="row" className="py-2 pr-3 text-left font-medium">{option.label}</th>
                    <td className="py-2 pr-3">{option.when}</td>
                    <td className="py-2">{option.recommended ? "Recommended" : option.worksForCalsync ? "Works" : "Does not work"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}

        {step === "api-permissions" && (
          <table className="w-full border-collapse text-sm">
            <caption className="sr-only">Permissions to add</caption>
            <thead>
              <tr className="border-b border-line text-left">
                <th scope="col" className="py-2 pr-3">Permission</th>
                <th scope="col" className="py-2 pr-3">Type</th>
                <th scope="col" className="py-2">Shown in the portal as</th>
              </tr>
            </thead>
            <tbody>
              {consentPermissions(fields.scopeMode ?? "all").map((permission) => (
                <tr key={permission.id} className="border-b border-line">
                  <th scope="row" className="py-2 pr-3 text-left font-mono">{permission.value}</th>
                  <td className="py-2 pr-3">{permission.kind}</td>
                  <td className="py-2">{permission.displayText}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}

        {step === "admin-consent" && (
          <div className="space-y-3 rounded border border-line bg-surface p-4">
            <h2 className="text-lg font-semibold">Or grant consent with a link</h2>
            {draft.consentOutcome && !query.consent && (
              <p role="status" className={`rounded border p-2 text-sm ${draft.consentOutcome.outcome === "granted" ? "border-green-300 dark:border-green-800 bg-green-50 dark:bg-green-950/60" : "border-red-300 dark:border-red-800 bg-red-50 dark:bg-red-950/60"}`}>
                {draft.consentOutcome.message}
              </p>
            )}
            {query.consent === "bad-state" && (
              <p role="alert" className="rounded border border-red-300 dark:border-red-800 bg-red-50 dark:bg-red-950/60 p-2 text-sm">
                That answer from Microsoft did not belong to this setup (it was replayed or started elsewhere), so it was ignored. Open the consent
                link again from this page.
              </p>
            )}
            {fields.tenant && fields.clientId ? (
              <ActionForm action={beginAdminConsentAction} submitLabel="Open Microsoft's admin consent page" submitVariant="secondary">
                <p className="text-sm">
                  You sign in as {whoLabel("consent-admin")} and accept; Microsoft then sends you back here and this step is marked done. The
                  redirect URI <code className="break-all">{consentRedirectUri()}</code> must be registered on the app (step 1).
                </p>
              </ActionForm>
            ) : (
              <p className="text-sm">
                The link needs the tenant and client ID: fill in <Link href="/connections/new/copy-ids">Copy the IDs</Link> first, or press the
                button in the portal as described above.
              </p>
            )}
            {handOff && (
              <ConsentHandOff handOff={handOff} heading="Not an administrator who can consent? Send this message" linkText="grant consent for Calsync" />
            )}
          </div>
        )}

        {step === "verify" && (
          <div className="space-y-4">
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 rounded border border-line bg-surface p-4 text-sm">
              <dt className="font-medium">Name</dt>
              <dd>{fields.name || "—"}</dd>
              <dt className="font-medium">Tenant</dt>
              <dd>{fields.tenant || "—"}</dd>
              <dt className="font-medium">Client ID</dt>
              <dd>{fields.clientId || "—"}</dd>
              <dt className="font-medium">Credential</dt>
              <dd>
                {draft.credentialKind === "certificate" && draft.certificate
                  ? `Certificate ${draft.certificate.portalThumbprint}, valid until ${draft.certificate.expiresAt.toISOString().slice(0, 10)}`
                  : draft.secretHint
                    ? `Client secret that ends in …${draft.secretHint}${fields.secretExpiresAt ? `, expires on ${fields.secretExpiresAt}` : ""}`
                    : "—"}
              </dd>
              <dt className="font-medium">Mailboxes</dt>
              <dd>{fields.mailboxScopeKind === "list" ? (fields.mailboxes ?? []).join(", ") : "All users"}</dd>
              <dt className="font-medium">Scope</dt>
              <dd>{scopeModeLabels[fields.scopeMode ?? "all"]}</dd>
              <dt className="font-medium">Test mailbox</dt>
              <dd>{fields.testMailbox || "the first user with a mailbox"}</dd>
            </dl>
            <LiveChecklist endpoint="/api/wizard/verify" buttonLabel="Verify with Microsoft" initialReport={draft.lastReport} wizardFixLinks />
            {handOff && (
              <div className="space-y-2 rounded border border-amber-400 dark:border-amber-700 bg-amber-50 dark:bg-amber-950/60 p-4">
                <p className="text-sm">
                  Admin consent was never granted. Only {whoLabel("consent-admin")} can grant it: <Link href="/connections/new/admin-consent">grant it yourself</Link>,
                  or send one of them this link.
                </p>
                <ConsentHandOff handOff={handOff} heading="Message for the administrator who grants consent" linkText="grant consent for Calsync" />
              </div>
            )}
            <SaveConnectionForm draft={draft} />
          </div>
        )}

        <details className="rounded border border-line bg-surface p-4">
          <summary className="cursor-pointer font-medium">Why this step matters</summary>
          <p className="mt-2 text-sm">{content.why}</p>
        </details>
        <div className="rounded border border-amber-300 dark:border-amber-800 bg-amber-50 dark:bg-amber-950/60 p-4">
          <h2 className="font-semibold">What can go wrong here</h2>
          <ul className="mt-2 list-disc space-y-1 pl-6 text-sm">
            {content.pitfalls.map((pitfall) => (
              <li key={pitfall}>{pitfall}</li>
            ))}
          </ul>
        </div>

        {step === "client-secret" && <CertificateStep draft={draft} />}

        <ActionForm action={saveWizardStepAction} submitLabel={step === "verify" ? "Save options" : "Save and continue"} hidden={{ step }}>
          {step === "register-app" && (
            <Field
              name="accountType"
              label="Which option did you choose?"
              type="radio"
              defaultValue={fields.accountType ?? "AzureADMyOrg"}
              highlight={highlight === "accountType"}
              options={accountTypeOptions.map((option) => ({ value: option.id, label: option.short }))}
            />
          )}
          {step === "client-secret" && (
            <>
              <h2 className="text-lg font-semibold">Or use a client secret</h2>
              <Field
                name="clientSecret"
                label="Client secret Value"
                type="password"
                autoComplete="off"
                required={!draft.secretHint}
                highlight={highlight === "clientSecret"}
                hint={draft.secretHint ? `A secret ending in …${draft.secretHint} is stored. Leave empty to keep it.` : "The Value column, shown only right after you create the secret"}
              />
              <Field name="secretExpiresAt" label="Secret expiry date" type="date" defaultValue={fields.secretExpiresAt} highlight={highlight === "secretExpiresAt"} hint="The date in the Expires column" />
              <FormatAdvice fields={["clientSecret"]} known={known} />
            </>
          )}
          {step === "copy-ids" && (
            <>
              <Field name="name" label="Connection name" defaultValue={fields.name} highlight={highlight === "name"} hint="How this connection is shown in the console, e.g. “Contoso calendars”" />
              <Field name="tenant" label="Directory (tenant) ID" defaultValue={fields.tenant} highlight={highlight === "tenant"} hint="A GUID, or one of the tenant's domains such as contoso.onmicrosoft.com" />
              <Field name="clientId" label="Application (client) ID" defaultValue={fields.clientId} highlight={highlight === "clientId"} hint="A GUID from the app's Overview page (not the Object ID)" />
              <Field
                name="applicationObjectId"
                label="Object ID (optional, for certificate renewal)"
                required={false}
                defaultValue={fields.applicationObjectId}
                highlight={highlight === "applicationObjectId"}
                hint="The app registration's Object ID on the same Overview page: not the client ID, and not the one under Enterprise applications"
              />
              <FormatAdvice fields={["tenant", "clientId"]} known={known} />
            </>
          )}
          {step === "mailbox-scope" && (
            <>
              <Field
                name="mailboxScopeKind"
                label="Which mailboxes may Calsync sync?"
                type="radio"
                defaultValue={fields.mailboxScopeKind ?? "all"}
                highlight={highlight === "mailboxScope" || highlight === "mailboxes"}
                options={[
                  { value: "all", label: "All users", description: "Needs User.Read.All so the engine can find every mailbox." },
                  { value: "list", label: "Only the mailboxes listed below", description: "Limit the app in Exchange Online too, or the limit is only Calsync's." },
                ]}
              />
              <Field name="mailboxes" label="Mailboxes (one per line)" type="textarea" required={false} defaultValue={(fields.mailboxes ?? []).join("\n")} highlight={highlight === "mailboxes"} />
              <Field name="testMailbox" label="Test mailbox" type="email" required={false} defaultValue={fields.testMailbox} highlight={highlight === "testMailbox"} hint="A mailbox the checks read; leave empty to use the first user with a mailbox" />
              <Field
                name="outOfScopeMailbox"
                label="A mailbox that should be out of scope (optional)"
                type="email"
                required={false}
                defaultValue={fields.outOfScopeMailbox}
                highlight={highlight === "outOfScopeMailbox"}
                hint="The checks prove that the app is refused here"
              />
              <ScopeModeFields mode={fields.scopeMode ?? "all"} highlight={highlight} />
              <FormatAdvice fields={["mailboxes", "testMailbox", "outOfScopeMailbox"]} known={known} />
            </>
          )}
          {step === "verify" && (
            <Field name="writeTest" label="Also test writing: create one event in the test mailbox and delete it again" type="checkbox" defaultChecked={fields.writeTest ?? false} highlight={highlight === "writeTest"} />
          )}
          {needsTick && <Field name="done" label="I have done this step" type="checkbox" defaultChecked={isDone} />}
        </ActionForm>

        {step === "mailbox-scope" && <WizardScopeAssistant draft={draft} />}

        <nav aria-label="Step navigation" className="flex justify-between text-sm">
          {previous ? <Link href={`/connections/new/${previous}`}>← Back</Link> : <Link href="/connections/new">← Start page</Link>}
        </nav>
      </section>
    </div>
  );
}
