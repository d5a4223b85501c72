import "server-only";
import { z } from "zod";
import { certificateDer, describeCertificate } from "@/lib/crypto/certificates";

/**
 * The public certificate as a file for Entra's "Upload certificate": `.cer` (DER, what Windows and the
 * portal expect) or `.pem`. Only the certificate is ever served; the private key has no download.
 */

export const certificateFormatSchema = z.enum(["cer", "pem"]);
export type CertificateFormat = z.infer<typeof certificateFormatSchema>;

export function certificateFileResponse(certificatePem: string, format: CertificateFormat, label: string): Response {
  const { portalThumbprint } = describeCertificate(certificatePem);
  const base = `${label.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60) || "calsync"}-${portalThumbprint.slice(0, 8).toLowerCase()}`;
  const body = format === "cer" ? new Uint8Array(certificateDer(certificatePem)) : certificatePem;
  return new Response(body, {
    headers: {
      "content-type": format === "cer" ? "application/pkix-cert" : "application/x-pem-file",
      "content-disposition": `attachment; filename="${base}.${format}"`,
      "cache-control": "no-store",
    },
  });
}
