import { ActionForm, Field } from "@/components/action-form";
import { CertificateFacts, certificateValidityOptions } from "@/components/certificate-facts";
import { generateMailboxCertificateAction } from "@/app/settings/mailbox-sign-in/certificate-actions";
import { DEFAULT_VALIDITY_MONTHS } from "@/lib/crypto/certificates";
import type { MailboxCertificateDraftView } from "@/lib/delegated/delegated-app-certificate";
import type { DelegatedAppView } from "@/lib/delegated/delegated-app";
import { formatDateTime } from "@/lib/format";

type HistoryEntry = { id: string; occurredAt: Date; summary: string };

/**
 * The mailbox sign-in app's certificate: one Calsync generates (recommended: it renews it itself)
 * with its downloads, the current one's renewal state, and its history.
 */
export function MailboxCertificateSection({
  app,
  draft,
  history,
  renewDays,
}: {
  app: DelegatedAppView | null;
  draft: MailboxCertificateDraftView | null;
  history: HistoryEntry[];
  renewDays: number;
}) {
  return (
    <section aria-labelledby="certificate-heading" className="max-w-xl space-y-4 rounded border border-line bg-surface p-4">
      <h2 id="certificate-heading" className="text-lg font-semibold">
        Certificate (recommended)
      </h2>
      {app?.certificateGenerated && (
        <p className="text-sm">
          The app signs in with a certificate Calsync made. Calsync renews it {renewDays} days before it expires
          {app.applicationObjectId ? ", with no one involved" : " once you enter the app's Object ID below"}.
        </p>
      )}
      {app?.renewalWarning && (
        <p role="alert" className="rounded border border-amber-400 dark:border-amber-700 bg-amber-50 dark:bg-amber-950/60 p-3 text-sm">
          {app.renewalWarning}
        </p>
      )}
      {draft ? (
        <div className="space-y-3" data-testid="generated-certificate">
          <p className="text-sm">
            Upload this certificate on the app&apos;s <strong>Certificates &amp; secrets → Certificates</strong> tab, then choose “The certificate Calsync
            generated” below and verify and save. Until then the app keeps its current credential.
          </p>
          <CertificateFacts certificate={draft} downloadHref="/api/settings/mailbox-sign-in/certificate" />
        </div>
      ) : (
        <p className="text-sm">Calsync makes an RSA-3072 key pair and a self-signed certificate. You upload only the certificate in Entra; the private key never leaves Calsync.</p>
      )}
      <ActionForm action={generateMailboxCertificateAction} submitLabel={draft ? "Generate a new certificate" : "Generate a certificate"} submitVariant={draft ? "secondary" : "primary"}>
        <Field name="validityMonths" label="Valid for" type="select" defaultValue={String(DEFAULT_VALIDITY_MONTHS)} options={certificateValidityOptions} hint="Your organisation's policy may allow less; Entra then refuses the upload." />
      </ActionForm>
      {history.length > 0 && (
        <div className="space-y-1">
          <h3 className="text-sm font-semibold">Certificate history</h3>
          <ul className="space-y-1 text-sm" data-testid="certificate-history">
            {history.map((entry) => (
              <li key={entry.id} className="break-words">
                <span className="text-fg-muted">{formatDateTime(entry.occurredAt)} UTC:</span> {entry.summary}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
