import type { ReactNode } from "react";
import { Field } from "@/components/action-form";
import { CheckList } from "@/components/check-list";
import { CopyButton } from "@/components/copy-button";
import type { Check } from "@/lib/checks/schema";
import { configuredCloudOptions, defaultCloudId } from "@/lib/entra/cloud-config";
import { formatDateTime, formatDay } from "@/lib/format";

/**
 * The fields of an app registration the console signs in through (the mailbox sign-in app, a separate
 * console sign-in app, the setup app): one set of names and words, which the shared form schema and
 * helpers read; and the sections around them on a settings page that saves one.
 */

type StoredApp = { cloudId: string; clientId: string; homeTenant: string; credentialKind: "secret" | "certificate"; credentialHint: string } | null | undefined;

export function AppRegistrationFields({ app, fallbackCloudId, required = true }: { app: StoredApp; fallbackCloudId?: string | undefined; required?: boolean }) {
  return (
    <>
      <Field name="cloud" type="select" label="Microsoft cloud" options={configuredCloudOptions()} defaultValue={app?.cloudId ?? fallbackCloudId ?? defaultCloudId()} />
      <Field name="clientId" label="Application (client) ID" required={required} autoComplete="off" defaultValue={app?.clientId} hint="From the app registration's Overview page" />
      <Field
        name="homeTenant"
        label="Directory (tenant) ID of the app registration"
        required={required}
        autoComplete="off"
        defaultValue={app?.homeTenant}
        hint="The tenant the app is registered in (its GUID or a verified domain)"
      />
    </>
  );
}

/**
 * Secret or certificate; an empty field keeps the stored credential. `children` go between the secret
 * and the certificate. `defaultKind` overrides the stored kind as the preselected choice.
 */
export function AppCredentialFields({ app, children, defaultKind }: { app: StoredApp; children?: ReactNode; defaultKind?: "secret" | "certificate" | undefined }) {
  return (
    <>
      <Field
        name="credentialKind"
        type="radio"
        label="Credential"
        defaultValue={defaultKind ?? app?.credentialKind ?? "secret"}
        options={[
          { value: "secret", label: "Client secret" },
          { value: "certificate", label: "Certificate", description: "The certificate and its unencrypted private key, both in PEM form" },
        ]}
      />
      <Field
        name="clientSecret"
        type="password"
        label="Client secret Value"
        required={false}
        autoComplete="off"
        hint={app?.credentialKind === "secret" ? `A secret ending in …${app.credentialHint} is stored. Leave empty to keep it.` : "The Value column, shown only right after you create the secret"}
      />
      {children}
      <Field
        name="certificateKeyPem"
        type="textarea"
        label="Certificate and private key (PEM)"
        required={false}
        hint={app?.credentialKind === "certificate" ? "A certificate is stored. Leave empty to keep it." : "Only for a certificate credential"}
      />
    </>
  );
}

type AudienceLabel = { label: string; registration: string };

/** Whom the registration lets sign in, each choice with the Entra "Supported account types" it needs. */
export function AppAudienceField<A extends string>({ label, audiences, labels, defaultValue }: { label: string; audiences: readonly A[]; labels: Record<A, AudienceLabel>; defaultValue: A }) {
  return (
    <Field
      name="audience"
      type="radio"
      label={label}
      defaultValue={defaultValue}
      options={audiences.map((audience) => ({
        value: audience,
        label: labels[audience].label,
        description: `Supported account types: ${labels[audience].registration}`,
      }))}
    />
  );
}

/**
 * What to set up in Entra: the Web redirect URI, `permissions` (the API permissions step), a credential,
 * and the supported account types that match `audiences`, the form's choice of `audienceQuestion`.
 * `children` follow the list.
 */
export function AppRegistrationSteps({
  redirectUri,
  permissions,
  audiences,
  audienceQuestion,
  children,
}: {
  redirectUri: string;
  permissions: ReactNode;
  audiences: AudienceLabel[];
  audienceQuestion: string;
  children?: ReactNode;
}) {
  return (
    <section className="space-y-2" aria-labelledby="register-heading">
      <h2 id="register-heading" className="text-lg font-semibold">
        What the app registration needs
      </h2>
      <ol className="list-decimal space-y-2 pl-6 text-sm">
        <li>
          Under <strong>Authentication</strong>, add a <strong>Web</strong> platform with exactly this redirect URI:{" "}
          <code className="break-all">{redirectUri}</code> <CopyButton text={redirectUri} label="Copy the redirect URI" />
        </li>
        <li>{permissions}</li>
        <li>
          Under <strong>Certificates &amp; secrets</strong>, create a client secret, or upload a certificate whose private key you paste below.
        </li>
        <li>
          <strong>Supported account types</strong> must match {audienceQuestion} below: {audiences.map((audience) => `“${audience.registration}” for “${audience.label}”`).join("; ")}.
        </li>
      </ol>
      {children}
    </section>
  );
}

type SavedApp = {
  clientId: string;
  homeTenant: string;
  credentialKind: "secret" | "certificate";
  credentialHint: string;
  credentialExpiresAt: Date | null;
  verifiedAt: Date | null;
  verification: Check[] | null;
};

/** The saved registration as anyone may see it (the credential's hint only) and its last verification. */
export function CurrentAppRegistration({ app, audienceTerm, audienceLabel }: { app: SavedApp; audienceTerm: string; audienceLabel: string }) {
  return (
    <section className="space-y-2" aria-labelledby="current-heading">
      <h2 id="current-heading" className="text-lg font-semibold">
        Current settings
      </h2>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 rounded border border-line bg-surface p-4 text-sm">
        <dt className="font-medium">Client ID</dt>
        <dd>
          <code className="break-all">{app.clientId}</code>
        </dd>
        <dt className="font-medium">Home tenant</dt>
        <dd className="break-all">{app.homeTenant}</dd>
        <dt className="font-medium">{audienceTerm}</dt>
        <dd>{audienceLabel}</dd>
        <dt className="font-medium">Credential</dt>
        <dd className="break-all">
          {app.credentialKind === "secret" ? `Client secret ending in …${app.credentialHint}` : `Certificate, SHA-256 thumbprint ${app.credentialHint}`}
          {app.credentialExpiresAt ? `, expires on ${formatDay(app.credentialExpiresAt)}` : ""}
        </dd>
        <dt className="font-medium">Verified</dt>
        <dd>{app.verifiedAt ? `${formatDateTime(app.verifiedAt)} UTC` : "Never"}</dd>
      </dl>
      {app.verification && <CheckList label="Last verification" checks={app.verification} />}
    </section>
  );
}
