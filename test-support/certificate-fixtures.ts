import { readFileSync } from "node:fs";
import { generateCertificateCredential, type CertificateCredential } from "@/lib/crypto/certificates";

/**
 * Fixture keys and certificates (made once with OpenSSL and checked in), because generating an
 * RSA-3072 key takes up to a second. Keys a, b and c are RSA-3072; `cert-a.pem` is a leaf for key a,
 * `ca-cert-b.pem` a CA certificate for key b, `weak-*` an RSA-1024 pair. The PFX files hold key a and
 * its certificate with the password below: `bundle-a.pfx` as OpenSSL 3 exports (PBES2, AES-256),
 * `bundle-a-3des.pfx` as older Windows exports (PKCS#12 3DES, SHA-1 MAC), `cert-only.pfx` no key.
 */

export const FIXTURE_PFX_PASSWORD = "fixture-password";

const folder = new URL("./certificates/", import.meta.url);

export function fixtureText(name: string): string {
  return readFileSync(new URL(name, folder), "utf8");
}

export function fixtureBytes(name: string): Buffer {
  return readFileSync(new URL(name, folder));
}

export const fixtureKeys = {
  get a() {
    return fixtureText("key-a.pem");
  },
  get b() {
    return fixtureText("key-b.pem");
  },
  get c() {
    return fixtureText("key-c.pem");
  },
};

/** The body of a PEM (base64 of the DER, one line) and the DER as base64: what a leak would show. */
export function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, "").replace(/\s+/g, "");
}

/** Two certificates as the console generates them, for keys a and b: an app's current one and its successor. */
export function fixtureCertificatePair(): Promise<[CertificateCredential, CertificateCredential]> {
  return Promise.all([
    generateCertificateCredential({ commonName: "first", privateKeyPem: fixtureKeys.a }),
    generateCertificateCredential({ commonName: "second", privateKeyPem: fixtureKeys.b }),
  ]);
}
