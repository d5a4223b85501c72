import { ActionForm, Field } from "@/components/action-form";
import { CertificateFacts, certificateValidityOptions } from "@/components/certificate-facts";
import { generateWizardCertificateAction, saveWizardStepAction, uploadWizardCertificateAction } from "@/app/connections/new/actions";
import { DEFAULT_VALIDITY_MONTHS } from "@/lib/crypto/certificates";
import type { DraftView } from "@/lib/wizard/drafts";
import { CERTIFICATE_FIELD } from "@/lib/wizard/draft-certificate";


/** The credential step's certificate part: generate or upload, then the public facts and downloads. */
export function CertificateStep({ draft }: { draft: DraftView }) {
  const certificate = draft.certificate;
  return (
    <section aria-labelledby="certificate-heading" className="space-y-4 rounded border border-line bg-surface p-4">
      <h2 id="certificate-heading" className="text-lg font-semibold">
        Certificate (recommended)
      </h2>
      {certificate ? (
        <div className="space-y-3">
          <CertificateFacts certificate={certificate} downloadHref="/api/wizard/certificate" />
          <ActionForm action={saveWizardStepAction} submitLabel="Use this certificate and continue" hidden={{ step: "client-secret", credentialKind: "certificate" }}>
            <p className="text-sm">Continue once the certificate is uploaded on the app&apos;s Certificates tab.</p>
            <Field
              name="certificateKeyId"
              label="Certificate ID (optional)"
              required={false}
              defaultValue={draft.fields.certificateKeyId}
              hint="Shown beside the thumbprint in Entra. With it, Calsync removes this certificate from the app after renewing it; without it, you delete the old one yourself."
            />
          </ActionForm>
        </div>
      ) : (
        <p className="text-sm">Calsync makes an RSA-3072 key pair and a self-signed certificate. You upload only the certificate in Entra.</p>
      )}
      <ActionForm action={generateWizardCertificateAction} submitLabel={certificate ? "Generate a new certificate" : "Generate a certificate"} submitVariant={certificate ? "secondary" : "primary"}>
        <Field name="validityMonths" label="Valid for" type="select" defaultValue={String(DEFAULT_VALIDITY_MONTHS)} options={certificateValidityOptions} hint="Your organisation's policy may allow less; Entra then refuses the upload." />
      </ActionForm>
      <details className="rounded border border-line p-3">
        <summary className="cursor-pointer text-sm font-medium">Bring your own certificate (PFX or PEM)</summary>
        <div className="mt-3">
          <ActionForm action={uploadWizardCertificateAction} submitLabel="Upload the certificate" submitVariant="secondary">
            <div>
              <label htmlFor="certificate-file" className="block text-sm font-medium">
                Certificate file with its private key (.pfx, .p12 or .pem, at most 64 kB)
              </label>
              <input id="certificate-file" name={CERTIFICATE_FIELD} type="file" accept=".pfx,.p12,.pem,.crt,.key" className="mt-1 block text-sm" />
            </div>
            <Field name="certificatePassword" label="Password of the PFX file or the encrypted key" type="password" autoComplete="off" required={false} />
            <Field
              name="certificateKeyPem"
              label="Or paste the PEM (certificate and private key)"
              type="textarea"
              required={false}
              hint="BEGIN CERTIFICATE and BEGIN PRIVATE KEY blocks; an encrypted key needs its password above"
            />
          </ActionForm>
        </div>
      </details>
    </section>
  );
}
