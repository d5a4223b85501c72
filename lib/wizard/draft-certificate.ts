import "server-only";
import { z } from "zod";
import { certificateDer, DEFAULT_VALIDITY_MONTHS, describeCertificate, generateCertificateCredential, MAX_CERTIFICATE_FILE_BYTES, MAX_VALIDITY_MONTHS, parseCertificateUpload, type CertificateCredential, type CertificateUpload } from "@/lib/crypto/certificates";
import type { KeyRing } from "@/lib/crypto/seal";
import type { AppPrismaClient } from "@/lib/db/types";
import { UserFacingError } from "@/lib/errors";
import { saveDraftStep, type DraftView } from "@/lib/wizard/drafts";

/**
 * The wizard's certificate: one the console generates, or one the admin uploads. Either way the
 * private key is sealed into the draft at once and the draft switches to it; the step completes when
 * the admin continues after uploading the public part in Entra.
 */

export const generateCertificateFormSchema = z.object({
  validityMonths: z.coerce
    .number({ message: "Choose how long the certificate is valid" })
    .int()
    .min(1, { message: "Choose at least 1 month" })
    .max(MAX_VALIDITY_MONTHS, { message: `Choose at most ${MAX_VALIDITY_MONTHS} months` })
    .default(DEFAULT_VALIDITY_MONTHS),
  /** The script page generates too; its scripts then upload the certificate instead of the admin. */
  from: z.enum(["script"]).optional(),
});

// The field names say "key" and "password" so that a refused form never echoes them (run-action.ts).
export const uploadCertificateFormSchema = z.object({
  certificateKeyPem: z.string().max(MAX_CERTIFICATE_FILE_BYTES * 2).optional(),
  certificatePassword: z.string().max(1000).optional(),
});

export const CERTIFICATE_FIELD = "certificateKeyFile";

/** The subject names the console and the connection, so the certificate is recognisable in Entra. */
export function certificateCommonName(draft: Pick<DraftView, "fields">): string {
  const name = draft.fields.name?.trim() || draft.fields.clientId || "new connection";
  return `Calsync Console: ${name}`;
}

/** `privateKeyPem` skips key generation; only tests pass one. */
export async function generateDraftCertificate(
  db: AppPrismaClient,
  ring: KeyRing,
  userId: string,
  draft: DraftView,
  validityMonths: number,
  options: { privateKeyPem?: string } = {},
): Promise<DraftView> {
  const credential = await generateCertificateCredential({ commonName: certificateCommonName(draft), validityMonths, ...options });
  return storeDraftCertificate(db, ring, userId, credential, true);
}

/** The draft switches to the certificate and stays at the credential step until the admin continues. */
function storeDraftCertificate(db: AppPrismaClient, ring: KeyRing, userId: string, credential: CertificateCredential, generated: boolean): Promise<DraftView> {
  return saveDraftStep(db, ring, {
    userId,
    step: "client-secret",
    done: false,
    nextStep: "client-secret",
    certificate: { privateKeyPem: credential.privateKeyPem, certificatePem: credential.certificatePem, generated },
  });
}

/** A file is read as PEM when it is text with a PEM header, otherwise as PFX. */
export async function uploadFromForm(file: File | null, pastedPem: string | undefined, password: string | undefined): Promise<CertificateUpload> {
  if (file && file.size > 0) {
    if (file.size > MAX_CERTIFICATE_FILE_BYTES) {
      throw new UserFacingError("The file is larger than 64 kB; a certificate with its key is a few kB. Upload only the app's certificate and key.", {
        [CERTIFICATE_FIELD]: "The file is larger than 64 kB",
      });
    }
    const bytes = Buffer.from(await file.arrayBuffer());
    const text = bytes.toString("utf8");
    return text.includes("-----BEGIN ") ? { kind: "pem", pem: text, password } : { kind: "pfx", file: bytes, password: password ?? "" };
  }
  if (pastedPem?.trim()) return { kind: "pem", pem: pastedPem, password };
  throw new UserFacingError("Choose a PFX or PEM file, or paste the PEM.", { [CERTIFICATE_FIELD]: "Choose a PFX or PEM file, or paste the PEM" });
}

export async function uploadDraftCertificate(db: AppPrismaClient, ring: KeyRing, userId: string, upload: CertificateUpload): Promise<DraftView> {
  return storeDraftCertificate(db, ring, userId, parseCertificateUpload(upload, { field: CERTIFICATE_FIELD }), false);
}

/** The public certificate as the setup scripts upload it: never the key, which stays sealed in the draft. */
export function scriptCertificate(certificatePem: string): { base64Der: string; thumbprint: string; subject: string; expiresAt: string } {
  const facts = describeCertificate(certificatePem);
  // The subject is only a comment in the scripts; a brought certificate's may be longer than they take.
  return { base64Der: certificateDer(certificatePem).toString("base64"), thumbprint: facts.portalThumbprint, subject: facts.subject.slice(0, 1000), expiresAt: facts.expiresAt.toISOString().slice(0, 10) };
}
