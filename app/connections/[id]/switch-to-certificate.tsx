import { ActionForm, Field } from "@/components/action-form";
import { CopyButton } from "@/components/copy-button";
import { startCertificateSwitchAction, switchToCertificateAction, uploadCertificateForMeAction } from "@/app/connections/[id]/actions";
import { ADMIN_TOKEN_COMMAND, UPLOAD_TOKEN_FIELD } from "@/lib/credentials/upload-certificate";
import type { ConnectionView } from "@/lib/connections/connections";
import type { PendingCertificateView } from "@/lib/credentials/switch-to-certificate";

/** "Switch to a certificate" for a connection that signs in with a client secret. */
export function SwitchToCertificate({ connection, pending }: { connection: ConnectionView; pending: PendingCertificateView | null }) {
  return (
    <section className="max-w-xl space-y-3" aria-labelledby="switch-certificate">
      <h2 id="switch-certificate" className="text-lg font-semibold">
        Switch to a certificate
      </h2>
      <p className="text-sm text-fg-muted">
        A certificate does not leak like a password, Calsync knows its exact expiry and renews it itself. The client secret stays in use
        until the certificate has verified.
      </p>
      {pending ? (
        <>
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
            <dt className="font-medium">Thumbprint in Entra</dt>
            <dd>
              <code className="break-all" data-testid="pending-thumbprint">
                {pending.portalThumbprint}
              </code>
            </dd>
            <dt className="font-medium">Valid until</dt>
            <dd>{pending.expiresAt.toISOString().slice(0, 10)}</dd>
          </dl>
          <p className="flex flex-wrap gap-4 text-sm">
            <a href={`/api/connections/${connection.id}/certificate?format=cer`} download>
              Download the new certificate (.cer)
            </a>
            <a href={`/api/connections/${connection.id}/certificate?format=pem`} download>
              (.pem)
            </a>
          </p>
          <h3 className="font-semibold">Upload it yourself</h3>
          <p className="text-sm">Upload it on the app&apos;s Certificates tab (Certificates &amp; secrets → Certificates → Upload certificate), then verify and switch.</p>
          <ActionForm action={switchToCertificateAction} submitLabel="Verify and switch" hidden={{ id: connection.id, version: String(connection.version) }}>
            <Field name="applicationObjectId" label="Object ID (optional, for renewal)" required={false} hint="The app registration's Object ID from its Overview page: not the client ID" />
            <Field name="certificateKeyId" label="Certificate ID (optional)" required={false} hint="Shown beside the thumbprint in Entra after the upload" />
          </ActionForm>
          <h3 className="font-semibold">Or let Calsync upload it for you</h3>
          <p className="text-sm">
            With a Microsoft Graph token of an administrator who may change the app (Application.ReadWrite.All), Calsync adds the certificate to the app, records its
            Object ID and Certificate ID for renewal, verifies and switches. The token is used for this request only: it is never stored, logged or shown. Get one with:
          </p>
          <pre className="overflow-x-auto rounded bg-surface-muted p-3 text-sm" tabIndex={0} aria-label="The command">
            {ADMIN_TOKEN_COMMAND}
          </pre>
          <CopyButton text={ADMIN_TOKEN_COMMAND} label="Copy the command" />
          <ActionForm action={uploadCertificateForMeAction} submitLabel="Upload with this token, then switch" submitVariant="secondary" hidden={{ id: connection.id, version: String(connection.version) }}>
            <Field name={UPLOAD_TOKEN_FIELD} label="The token the command printed" type="textarea" hint="One long line." />
          </ActionForm>
        </>
      ) : null}
      <ActionForm action={startCertificateSwitchAction} submitLabel={pending ? "Generate another certificate" : "Generate a certificate"} submitVariant="secondary" hidden={{ id: connection.id }}>
        <Field
          name="validityMonths"
          label="Valid for"
          type="select"
          defaultValue="12"
          options={[3, 6, 12, 18, 24].map((months) => ({ value: String(months), label: `${months} months` }))}
        />
      </ActionForm>
    </section>
  );
}
