import "server-only";
import { createHash, createPrivateKey, createPublicKey, generateKeyPair as generateKeyPairCallback, randomBytes, sign, X509Certificate, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import { bitString, boolean, derNull, explicit, octetString, oid, sequence, set, time, tlv, unsignedInteger, utf8String } from "@/lib/crypto/der";
import { openPkcs12, Pkcs12Error } from "@/lib/crypto/pkcs12";
import { UserFacingError } from "@/lib/errors";

/**
 * Certificate credentials for Entra apps: the console's own (an RSA key pair and a self-signed
 * certificate) and the ones an admin brings (PEM bundle or PFX). The private key stays a PEM string
 * that callers seal at once; only the certificate (the public part) is ever shown or downloaded.
 */

export type CertificateCredential = {
  privateKeyPem: string;
  certificatePem: string;
  /** Hex SHA-256 of the certificate: what msal sends as `x5t#S256`. */
  thumbprintSha256: string;
  /** Hex SHA-1, upper case: what Entra's Certificates list shows in its Thumbprint column. */
  portalThumbprint: string;
  notBefore: Date;
  expiresAt: Date;
  subject: string;
};

export const MAX_CERTIFICATE_FILE_BYTES = 64 * 1024;
export const GENERATED_KEY_BITS = 3072;
const MIN_RSA_BITS = 2048;
export const DEFAULT_VALIDITY_MONTHS = 12;
/** Entra's own limit for an uploaded certificate credential is far longer; a tenant policy may cap lower. */
export const MAX_VALIDITY_MONTHS = 24;

const SHA256_WITH_RSA = "1.2.840.113549.1.1.11";

const generateKeyPair = promisify(generateKeyPairCallback);

function pem(der: Buffer, label: string): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

export function certificateDer(certificatePem: string): Buffer {
  return new X509Certificate(certificatePem).raw;
}

export function thumbprints(certificate: X509Certificate): { thumbprintSha256: string; portalThumbprint: string } {
  return {
    thumbprintSha256: createHash("sha256").update(certificate.raw).digest("hex").toUpperCase(),
    portalThumbprint: createHash("sha1").update(certificate.raw).digest("hex").toUpperCase(),
  };
}

function credentialOf(certificate: X509Certificate, privateKey: KeyObject): CertificateCredential {
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    certificatePem: certificate.toString(),
    ...thumbprints(certificate),
    notBefore: new Date(certificate.validFrom),
    expiresAt: new Date(certificate.validTo),
    subject: certificate.subject,
  };
}

/** A common name within the 64 characters X.520 allows, from text that is already validated plain text. */
function commonName(text: string): string {
  return text.length <= 64 ? text : `${text.slice(0, 63)}…`;
}

export function addMonths(date: Date, months: number): Date {
  const result = new Date(date);
  result.setUTCMonth(result.getUTCMonth() + months);
  return result;
}

/**
 * A self-signed leaf certificate for a key pair: SHA-256 with RSA, not a CA, for client
 * authentication, valid from a few minutes ago (clock skew at Microsoft) for `validityMonths`.
 */
export function selfSignedCertificate(
  privateKey: KeyObject,
  options: { commonName: string; organisation: string; notBefore: Date; notAfter: Date },
): X509Certificate {
  const publicKey = createPublicKey(privateKey);
  const spki = publicKey.export({ type: "spki", format: "der" });
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  const algorithm = sequence(oid(SHA256_WITH_RSA), derNull());
  const name = sequence(
    set(sequence(oid("2.5.4.3"), utf8String(commonName(options.commonName)))),
    set(sequence(oid("2.5.4.10"), utf8String(commonName(options.organisation)))),
  );
  const extension = (id: string, critical: boolean, value: Buffer) => sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
  const extensions = explicit(
    3,
    sequence(
      extension("2.5.29.19", true, sequence()),
      // digitalSignature only: bit 0, seven unused bits.
      extension("2.5.29.15", true, tlv(0x03, Buffer.from([0x07, 0x80]))),
      extension("2.5.29.37", false, sequence(oid("1.3.6.1.5.5.7.3.2"))),
      extension("2.5.29.14", false, octetString(createHash("sha1").update(publicKey.export({ type: "pkcs1", format: "der" })).digest())),
    ),
  );
  const tbs = sequence(
    explicit(0, unsignedInteger(Buffer.from([2]))),
    unsignedInteger(serial),
    algorithm,
    name,
    sequence(time(options.notBefore), time(options.notAfter)),
    name,
    spki,
    extensions,
  );
  const signature = sign("sha256", tbs, privateKey);
  return new X509Certificate(sequence(tbs, algorithm, bitString(signature)));
}

/**
 * A new key pair and certificate. Generating RSA-3072 takes up to a second, so it runs off the main
 * thread; tests hand in a fixture key instead.
 */
export async function generateCertificateCredential(options: {
  commonName: string;
  organisation?: string;
  validityMonths?: number;
  /** A tenant policy's cap on the lifetime, in days; the certificate ends at whichever comes first. */
  maxDays?: number;
  now?: Date;
  privateKeyPem?: string;
}): Promise<CertificateCredential> {
  const now = options.now ?? new Date();
  const months = Math.min(Math.max(1, Math.round(options.validityMonths ?? DEFAULT_VALIDITY_MONTHS)), MAX_VALIDITY_MONTHS);
  const privateKey = options.privateKeyPem
    ? createPrivateKey(options.privateKeyPem)
    : (await generateKeyPair("rsa", { modulusLength: GENERATED_KEY_BITS, publicExponent: 0x10001 })).privateKey;
  const notBefore = new Date(now.getTime() - 5 * 60_000);
  // A policy limits the whole lifetime, from the first valid moment.
  const notAfter = new Date(
    Math.min(
      addMonths(now, months).getTime(),
      options.maxDays ? notBefore.getTime() + options.maxDays * 86_400_000 : Infinity,
    ),
  );
  const certificate = selfSignedCertificate(privateKey, {
    commonName: options.commonName,
    organisation: options.organisation ?? "Calsync Console",
    notBefore,
    notAfter,
  });
  return credentialOf(certificate, privateKey);
}

/** What the admin sent: a PEM bundle (with the key's password if it is encrypted) or a PFX with its password. */
export type CertificateUpload = { kind: "pem"; pem: string; password?: string | undefined } | { kind: "pfx"; file: Buffer; password: string };

function refuse(field: string, message: string): never {
  throw new UserFacingError(message, { [field]: message });
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const PEM_PRIVATE_KEY = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/;

function readPemCertificates(text: string, field: string): X509Certificate[] {
  return [...text.matchAll(PEM_CERTIFICATE)].map((match) => {
    try {
      return new X509Certificate(match[0]);
    } catch {
      return refuse(field, "The certificate cannot be read: it is not a valid X.509 certificate.");
    }
  });
}

function readPemKey(text: string, password: string | undefined, field: string): KeyObject {
  const match = PEM_PRIVATE_KEY.exec(text);
  if (!match) return refuse(field, "The file has no private key. Add the private key (BEGIN PRIVATE KEY) to the certificate, or upload a PFX file that contains it.");
  const encrypted = match[0].includes("ENCRYPTED");
  if (encrypted && !password) return refuse(field, "The private key is encrypted. Enter its password.");
  try {
    return createPrivateKey(encrypted ? { key: match[0], passphrase: password ?? "" } : { key: match[0] });
  } catch {
    return refuse(field, encrypted ? "The password does not open the private key." : "The private key cannot be read: it is not a valid PEM private key.");
  }
}

function readPfx(file: Buffer, password: string, field: string): { certificates: X509Certificate[]; key: KeyObject } {
  let contents;
  try {
    contents = openPkcs12(file, password);
  } catch (error) {
    if (error instanceof Pkcs12Error) {
      return refuse(field, error.reason === "wrong-password" ? "The password does not open this PFX file. Check it and try again." : error.message);
    }
    throw error;
  }
  const keyDer = contents.privateKeysPkcs8[0];
  if (!keyDer) return refuse(field, "The PFX file has no private key. Export it again with the private key included (Windows: “Yes, export the private key”).");
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: keyDer, format: "der", type: "pkcs8" });
  } catch {
    return refuse(field, "The private key in the PFX file cannot be read.");
  }
  return { key, certificates: contents.certificatesDer.map((der) => new X509Certificate(der)) };
}

function checkCredential(certificates: X509Certificate[], key: KeyObject, now: Date, field: string): CertificateCredential {
  if (certificates.length === 0) return refuse(field, "The file has no certificate. Add the certificate (BEGIN CERTIFICATE) to the private key.");
  if (key.asymmetricKeyType !== "rsa") return refuse(field, "Entra app credentials need an RSA key; this key is not RSA.");
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) return refuse(field, `The key has ${bits} bits; Entra needs RSA with at least ${MIN_RSA_BITS} bits (3072 recommended).`);
  const leaf = certificates.find((certificate) => certificate.checkPrivateKey(key));
  if (!leaf) return refuse(field, "The private key does not belong to the certificate. Upload the certificate together with the key it was made for.");
  if (leaf.ca) return refuse(field, "This is a CA certificate, not the app's own (leaf) certificate. Upload the certificate that was issued for the app.");
  const notBefore = new Date(leaf.validFrom);
  const expiresAt = new Date(leaf.validTo);
  if (expiresAt <= now) return refuse(field, `This certificate expired on ${expiresAt.toISOString().slice(0, 10)}.`);
  if (notBefore > now) return refuse(field, `This certificate is not valid before ${notBefore.toISOString().slice(0, 16).replace("T", " ")} UTC.`);
  return credentialOf(leaf, key);
}

/** Every bad upload is refused with its own message, on the named form field, before anything is saved. */
export function parseCertificateUpload(upload: CertificateUpload, options: { field: string; now?: Date }): CertificateCredential {
  const { field } = options;
  const size = upload.kind === "pem" ? Buffer.byteLength(upload.pem, "utf8") : upload.file.length;
  if (size > MAX_CERTIFICATE_FILE_BYTES) return refuse(field, "The file is larger than 64 kB; a certificate with its key is a few kB. Upload only the app's certificate and key.");
  if (size === 0) return refuse(field, "The file is empty.");
  const now = options.now ?? new Date();
  if (upload.kind === "pfx") {
    const { certificates, key } = readPfx(upload.file, upload.password, field);
    return checkCredential(certificates, key, now, field);
  }
  const certificates = readPemCertificates(upload.pem, field);
  if (certificates.length === 0) return refuse(field, "The file has no certificate. Add the certificate (BEGIN CERTIFICATE) to the private key.");
  return checkCredential(certificates, readPemKey(upload.pem, upload.password, field), now, field);
}

/** Reads a stored certificate's public facts again (for views and downloads). */
export function describeCertificate(certificatePem: string): Pick<CertificateCredential, "thumbprintSha256" | "portalThumbprint" | "notBefore" | "expiresAt" | "subject"> {
  const certificate = new X509Certificate(certificatePem);
  return { ...thumbprints(certificate), notBefore: new Date(certificate.validFrom), expiresAt: new Date(certificate.validTo), subject: certificate.subject };
}

export function certificatePemOf(der: Buffer): string {
  return pem(der, "CERTIFICATE");
}
