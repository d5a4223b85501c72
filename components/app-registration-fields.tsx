import type { ReactNode } from "react";
import { Field } from "@/components/action-form";
import { configuredCloudOptions, defaultCloudId } from "@/lib/entra/cloud-config";

/**
 * The fields of an app registration the console signs in through (the mailbox sign-in app, a separate
 * console sign-in app): one set of names and words, which the shared form schema and helpers read.
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

/** Secret or certificate; an empty field keeps the stored credential. `children` go between the secret and the certificate. */
export function AppCredentialFields({ app, children }: { app: StoredApp; children?: ReactNode }) {
  return (
    <>
      <Field
        name="credentialKind"
        type="radio"
        label="Credential"
        defaultValue={app?.credentialKind ?? "secret"}
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
