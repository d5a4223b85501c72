import { CopyButton } from "@/components/copy-button";
import { DEFAULT_VALIDITY_MONTHS } from "@/lib/crypto/certificates";
import type { DraftCertificateView } from "@/lib/wizard/drafts";

const day = (date: Date) => date.toISOString().slice(0, 10);

/** The validity choices for a certificate Calsync generates. */
export const certificateValidityOptions = [3, 6, 12, 18, 24].map((months) => ({ value: String(months), label: `${months} months${months === DEFAULT_VALIDITY_MONTHS ? " (recommended)" : ""}` }));

/**
 * A certificate's public facts as Entra will show them, and its downloads (`downloadHref` takes
 * `format=cer|pem`). Used wherever an admin uploads a certificate Calsync made or read.
 */
export function CertificateFacts({ certificate, downloadHref }: { certificate: DraftCertificateView; downloadHref: string }) {
  const join = downloadHref.includes("?") ? "&" : "?";
  return (
    <>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="font-medium">Made by</dt>
        <dd>{certificate.generated ? "Calsync Console (the private key never leaves it)" : "You (uploaded)"}</dd>
        <dt className="font-medium">Subject</dt>
        <dd className="break-all">{certificate.subject}</dd>
        <dt className="font-medium">Thumbprint in Entra</dt>
        <dd className="flex flex-wrap items-center gap-2">
          <code className="break-all" data-testid="portal-thumbprint">
            {certificate.portalThumbprint}
          </code>
          <CopyButton text={certificate.portalThumbprint} label="Copy the thumbprint" />
        </dd>
        <dt className="font-medium">SHA-256 thumbprint</dt>
        <dd>
          <code className="break-all">{certificate.thumbprintSha256}</code>
        </dd>
        <dt className="font-medium">Valid</dt>
        <dd>
          {day(certificate.notBefore)} to {day(certificate.expiresAt)}
        </dd>
      </dl>
      <p className="text-sm">
        Entra&apos;s Certificates tab lists this certificate with the Thumbprint above (the SHA-1 value the portal shows), a Certificate ID and the end date{" "}
        {day(certificate.expiresAt)}. If the Thumbprint there differs, a different certificate was uploaded.
      </p>
      <p className="flex flex-wrap gap-4 text-sm">
        <a href={`${downloadHref}${join}format=cer`} download>
          Download the certificate (.cer)
        </a>
        <a href={`${downloadHref}${join}format=pem`} download>
          Download the certificate (.pem)
        </a>
      </p>
    </>
  );
}
