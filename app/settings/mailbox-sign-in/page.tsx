import type { Metadata } from "next";
import Link from "next/link";
import { ActionForm, Field } from "@/components/action-form";
import { AppAudienceField, AppCredentialFields, AppRegistrationFields, AppRegistrationSteps, CurrentAppRegistration } from "@/components/app-registration-fields";
import { saveMailboxSignInAction } from "@/app/connect/actions";
import { ConsentPreflightSection } from "@/app/settings/mailbox-sign-in/consent-preflight";
import { MailboxCertificateSection } from "@/app/settings/mailbox-sign-in/certificate-section";
import { authorizePage } from "@/lib/auth/current-user";
import { clearExpiredConsentTokens, listConsentPredictions } from "@/lib/consent/store";
import { preflightSignInNotice } from "@/lib/consent/preflight-sign-in";
import { getSetupAppView } from "@/lib/provisioning/setup-app";
import { generateToken } from "@/lib/crypto/tokens";
import { getPrisma } from "@/lib/db/client";
import { getDelegatedAppView } from "@/lib/delegated/delegated-app";
import { getMailboxCertificateDraftView, listMailboxCertificateHistory } from "@/lib/delegated/delegated-app-certificate";
import { getEnv } from "@/lib/env";
import { adminConsentUrl } from "@/lib/entra/admin-consent";
import { delegatedAudienceLabels, delegatedAudiences } from "@/lib/delegated/delegated-app-schema";
import { resolveCloud } from "@/lib/entra/cloud-config";
import { delegatedRedirectUri } from "@/lib/wizard/urls";

export const metadata: Metadata = { title: "Mailbox sign-in" };

const queryWord = (value: string | string[] | undefined) => (typeof value === "string" ? value.slice(0, 80) : undefined);

export default async function MailboxSignInSettingsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await authorizePage("/settings/mailbox-sign-in", "/settings/mailbox-sign-in");
  const query = await searchParams;
  const db = await getPrisma();
  const app = await getDelegatedAppView(db);
  const [certificateDraft, certificateHistory] = await Promise.all([getMailboxCertificateDraftView(db), listMailboxCertificateHistory(db)]);
  const redirectUri = delegatedRedirectUri();
  await clearExpiredConsentTokens(db);
  const cloud = app ? resolveCloud(app.cloudId) : undefined;
  const predictions = app ? await listConsentPredictions(db, app.clientId) : [];
  const setupApp = app ? await getSetupAppView(db) : null;
  const adminConsentLinks = Object.fromEntries(
    cloud && app ? predictions.map((p) => [p.tenantId, adminConsentUrl({ cloud, tenant: p.tenantId, clientId: app.clientId, redirectUri: `${redirectUri}/approved`, state: generateToken(16) })]) : [],
  );
  return (
    <div className="space-y-8">
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold">Mailbox sign-in</h1>
        <p className="text-fg-muted">
          People connect their own calendar by signing in with Microsoft (on <Link href="/connect">Connect my calendar</Link>). They sign in through one app
          registration, set up here once: your organisation&apos;s own, or a multi-tenant one that also accepts other organisations or personal accounts.
        </p>
      </header>

      <AppRegistrationSteps
        redirectUri={redirectUri}
        audiences={delegatedAudiences.map((audience) => delegatedAudienceLabels[audience])}
        audienceQuestion="who may sign in"
        permissions={
          <>
            Under <strong>API permissions</strong>, add the <strong>delegated</strong> Microsoft Graph permissions <code>User.Read</code>,{" "}
            <code>Calendars.ReadWrite</code> and <code>offline_access</code>. Granting admin consent for your organisation is optional; without it each
            person approves the permissions when they connect (if your organisation allows that).
          </>
        }
      />

      {app && <CurrentAppRegistration app={app} audienceTerm="Who may sign in" audienceLabel={delegatedAudienceLabels[app.audience].label} />}

      {app && cloud && (
        <ConsentPreflightSection
          cloud={cloud}
          predictions={predictions}
          adminConsentLinks={adminConsentLinks}
          setupAppCloud={setupApp ? (resolveCloud(setupApp.cloudId)?.label ?? null) : null}
          signInNotice={preflightSignInNotice(queryWord(query.preflight), queryWord(query.code))}
        />
      )}

      <MailboxCertificateSection app={app} draft={certificateDraft} history={certificateHistory} renewDays={getEnv().CALSYNC_CERT_RENEW_DAYS} />

      <section className="max-w-xl space-y-4" aria-labelledby="form-heading">
        <h2 id="form-heading" className="text-lg font-semibold">
          {app ? "Change the settings" : "Set up mailbox sign-in"}
        </h2>
        <p className="text-sm text-fg-muted">Saving first proves the settings with Microsoft: the sign-in metadata answers and the app gets a token with this credential. Nothing is saved if that fails.</p>
        {app && (
          <p role="note" className="rounded border border-amber-400 dark:border-amber-700 bg-amber-50 dark:bg-amber-950/60 p-3 text-sm">
            Changing the client ID or the cloud means every connected mailbox needs re-authentication: each owner signs in again (their connection keeps its
            ID). A new secret or certificate for the same app changes nothing for them.
          </p>
        )}
        <ActionForm action={saveMailboxSignInAction} submitLabel="Verify and save" hidden={{ expectedVersion: String(app?.version ?? 0) }}>
          <AppRegistrationFields app={app} />
          <AppAudienceField label="Who may sign in" audiences={delegatedAudiences} labels={delegatedAudienceLabels} defaultValue={app?.audience ?? "organization"} />
          <AppCredentialFields app={app} defaultKind={certificateDraft ? "certificate" : undefined}>
            <Field name="secretExpiresAt" type="date" label="Secret expires on" required={false} hint="Optional: the Expires column, so the console can warn before it runs out" />
            {certificateDraft && (
              <Field
                name="certificateSource"
                type="radio"
                label="Which certificate"
                defaultValue="generated"
                options={[
                  { value: "generated", label: "The certificate Calsync generated", description: `SHA-256 thumbprint ${certificateDraft.thumbprintSha256.slice(0, 16)}…, renewed by Calsync` },
                  { value: "upload", label: "My own certificate", description: app?.credentialKind === "certificate" ? "Pasted below, or the stored one when left empty" : "Pasted below" },
                ]}
              />
            )}
            <Field
              name="applicationObjectId"
              label="Object ID (optional, for certificate renewal)"
              required={false}
              autoComplete="off"
              defaultValue={app?.applicationObjectId ?? undefined}
              hint="The app registration's Object ID on its Overview page, not the client ID. Calsync needs it to renew a certificate it made."
            />
            <Field
              name="certificateKeyId"
              label="Certificate ID (optional)"
              required={false}
              autoComplete="off"
              // A waiting generated certificate gets its own ID in Entra; the stored one names the certificate it replaces.
              defaultValue={certificateDraft ? undefined : (app?.certificateKeyId ?? undefined)}
              hint="Shown beside the certificate's thumbprint in Entra"
            />
          </AppCredentialFields>
        </ActionForm>
      </section>
    </div>
  );
}
