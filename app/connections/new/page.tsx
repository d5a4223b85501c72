import type { Metadata } from "next";
import Link from "next/link";
import { ActionForm, Field } from "@/components/action-form";
import { discardDraftAction, startWizardAction } from "@/app/connections/new/actions";
import { authorizePage } from "@/lib/auth/current-user";
import { getPrisma } from "@/lib/db/client";
import { configuredCloudOptions, defaultCloudId, resolveCloud } from "@/lib/entra/cloud-config";
import { getDraft } from "@/lib/wizard/drafts";
import { stepTitles } from "@/lib/wizard/steps";

export const metadata: Metadata = { title: "New connection" };

export default async function NewConnectionPage() {
  const user = await authorizePage("/connections/new", "/connections/new");
  const draft = await getDraft(await getPrisma(), user.id);
  const clouds = configuredCloudOptions();
  const draftCloud = draft ? resolveCloud(draft.cloud) : undefined;
  return (
    <section className="max-w-2xl space-y-8">
      <h1 className="text-2xl font-semibold">Connect Microsoft 365 calendars</h1>
      {draft && draftCloud && (
        <div className="space-y-3 rounded border border-blue-300 dark:border-blue-800 bg-blue-50 dark:bg-blue-950/60 p-4">
          <h2 className="text-lg font-semibold">Continue where you left off</h2>
          <p className="text-sm">
            You have a setup in progress for {draftCloud.label}
            {draft.fields.name ? ` (“${draft.fields.name}”)` : ""}, at the step “
            {stepTitles[draft.currentStep]}”.
          </p>
          <div className="flex flex-wrap items-center gap-4">
            <Link href={`/connections/new/${draft.currentStep}`} className="rounded bg-primary px-4 py-2 text-sm font-medium text-primary-fg no-underline hover:bg-primary-hover">
              Resume the setup
            </Link>
            <ActionForm action={discardDraftAction} submitLabel="Discard it and start over" submitVariant="secondary" />
          </div>
        </div>
      )}
      <div className="space-y-4">
        <h2 className="text-lg font-semibold">{draft ? "Or start a new setup" : "Start"}</h2>
        <p className="text-sm text-fg-muted">
          The wizard walks you through registering an app in Microsoft Entra ID, giving it calendar permissions, and proving the
          credentials against Microsoft Graph before anything is saved. It takes about ten minutes; you can stop at any step and come
          back later.
        </p>
        <ActionForm action={startWizardAction} submitLabel={draft ? "Start a new setup (replaces the one in progress)" : "Start"}>
          <Field name="cloud" label="Which Microsoft cloud is your organisation in?" type="radio" defaultValue={defaultCloudId()} options={clouds} hint="Most organisations use Global. Government and China tenants live in their own clouds." />
          <Field
            name="path"
            label="What do you want to connect?"
            type="radio"
            defaultValue="organization"
            options={[
              { value: "organization", label: "The whole organisation (recommended)", description: "An administrator registers one app in the Entra admin center, step by step; the sync engine reaches every mailbox in scope." },
              { value: "script", label: "The whole organisation, with a setup script", description: "The same app, registered by one script (Azure CLI or PowerShell). You paste what it prints and verify, on one page." },
              { value: "mailbox", label: "Single mailboxes", description: "People sign in with Microsoft to connect their own calendar, as in Outlook. You set up the sign-in app once." },
            ]}
          />
        </ActionForm>
      </div>
    </section>
  );
}
