import type { Metadata } from "next";
import Link from "next/link";
import { ActionForm, Field } from "@/components/action-form";
import { AppCredentialFields, AppRegistrationFields } from "@/components/app-registration-fields";
import { CheckList } from "@/components/check-list";
import { CopyButton } from "@/components/copy-button";
import { saveMailboxSignInAction } from "@/app/connect/actions";
import { ConsentPreflightSection } from "@/app/settings/mailbox-sign-in/consent-preflight";
import { authorizePage } from "@/lib/auth/current-user";
import { clearExpiredConsentTokens, listConsentPredictions } from "@/lib/consent/store";
import { generateToken } from "@/lib/crypto/tokens";
import { getPrisma } from "@/lib/db/client";
import { getDelegatedAppView } from "@/lib/delegated/delegated-app";
import { adminConsentUrl } from "@/lib/entra/admin-consent";
import { delegatedAudienceLabels, delegatedAudiences } from "@/lib/delegated/delegated-app-schema";
import { resolveCloud } from "@/lib/entra/cloud-config";
import { formatDateTime, formatDay } from "@/lib/format";
import { delegatedRedirectUri } from "@/lib/wizard/urls";

export const metadata: Metadata = { title: "Mailbox sign-in" };

export default async function MailboxSignInSettingsPage() {
  await authorizePage("/settings/mailbox-sign-in", "/settings/mailbox-sign-in");
  const db = await getPrisma();
  const app = await getDelegatedAppView(db);
  const redirectUri = delegatedRedirectUri();
  await clearExpiredConsentTokens(db);
  const cloud = app ? resolveCloud(app.cloudId) : undefined;
  const predictions = app ? await listConsentPredictions(db, app.clientId) : [];
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
            Under <strong>API permissions</strong>, add the <strong>delegated</strong> Microsoft Graph permissions <code>User.Read</code>,{" "}
            <code>Calendars.ReadWrite</code> and <code>offline_access</code>. Granting admin consent for your organisation is optional; without it each
            person approves the permissions when they connect (if your organisation allows that).
          </li>
          <li>
            Under <strong>Certificates &amp; secrets</strong>, create a client secret, or upload a certificate whose private key you paste below.
          </li>
          <li>
            <strong>Supported account types</strong> must match who may sign in below: {delegatedAudiences.map((audience) => `“${delegatedAudienceLabels[audience].registration}” for “${delegatedAudienceLabels[audience].label}”`).join("; ")}.
          </li>
        </ol>
      </section>

      {app && (
        <section className="space-y-2" aria-labelledby="current-heading">
          <h2 id="current-heading" className="text-lg font-semibold">
            Current settings
          </h2>
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 rounded border border-line bg-surface p-4 text-sm">
            <dt className="font-medium">Client ID</dt>
            <dd>
              <code>{app.clientId}</code>
            </dd>
            <dt className="font-medium">Home tenant</dt>
            <dd>{app.homeTenant}</dd>
            <dt className="font-medium">Who may sign in</dt>
            <dd>{delegatedAudienceLabels[app.audience].label}</dd>
            <dt className="font-medium">Credential</dt>
            <dd>
              {app.credentialKind === "secret" ? `Client secret ending in …${app.credentialHint}` : `Certificate, SHA-256 thumbprint ${app.credentialHint}`}
              {app.credentialExpiresAt ? `, expires on ${formatDay(app.credentialExpiresAt)}` : ""}
            </dd>
            <dt className="font-medium">Verified</dt>
            <dd>{app.verifiedAt ? `${formatDateTime(app.verifiedAt)} UTC` : "Never"}</dd>
          </dl>
          {app.verification && <CheckList label="Last verification" checks={app.verification} />}
        </section>
      )}

      {app && cloud && <ConsentPreflightSection cloud={cloud} predictions={predictions} adminConsentLinks={adminConsentLinks} />}

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
          <Field
            name="audience"
            type="radio"
            label="Who may sign in"
            defaultValue={app?.audience ?? "organization"}
            options={delegatedAudiences.map((audience) => ({
              value: audience,
              label: delegatedAudienceLabels[audience].label,
              description: `Supported account types: ${delegatedAudienceLabels[audience].registration}`,
            }))}
          />
          <AppCredentialFields app={app}>
            <Field name="secretExpiresAt" type="date" label="Secret expires on" required={false} hint="Optional: the Expires column, so the console can warn before it runs out" />
            <Field
              name="applicationObjectId"
              label="Object ID (optional, for certificate renewal)"
              required={false}
              autoComplete="off"
              defaultValue={app?.applicationObjectId ?? undefined}
              hint="The app registration's Object ID on its Overview page: not the client ID"
            />
            <Field
              name="certificateKeyId"
              label="Certificate ID (optional)"
              required={false}
              autoComplete="off"
              defaultValue={app?.certificateKeyId ?? undefined}
              hint="Shown beside the certificate's thumbprint in Entra"
            />
          </AppCredentialFields>
        </ActionForm>
      </section>
    </div>
  );
}
