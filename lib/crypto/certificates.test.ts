import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateCertificateCredential, MAX_CERTIFICATE_FILE_BYTES, parseCertificateUpload, selfSignedCertificate } from "@/lib/crypto/certificates";
import { UserFacingError } from "@/lib/errors";
import { FIXTURE_PFX_PASSWORD, fixtureBytes, fixtureKeys, fixtureText } from "@/test-support/certificate-fixtures";

const field = "certificateFile";

function refusal(run: () => unknown): { message: string; fields: Record<string, string> | undefined } {
  try {
    run();
  } catch (error) {
    if (error instanceof UserFacingError) return { message: error.message, fields: error.fieldErrors };
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("generateCertificateCredential", () => {
  it("makes a self-signed leaf for the key, valid for the chosen months, that Node and OpenSSL read back", async () => {
    const now = new Date("2026-12-01T12:00:00Z");
    const credential = await generateCertificateCredential({ commonName: "Calsync Console: Contoso", validityMonths: 12, now, privateKeyPem: fixtureKeys.a });
    const certificate = new X509Certificate(credential.certificatePem);
    expect(certificate.checkPrivateKey(createPrivateKey(credential.privateKeyPem))).toBe(true);
    expect(certificate.verify(createPublicKey(fixtureKeys.a))).toBe(true);
    expect(certificate.ca).toBe(false);
    expect(certificate.subject).toContain("CN=Calsync Console: Contoso");
    expect(certificate.subject).toContain("O=Calsync Console");
    expect(credential.expiresAt.toISOString()).toBe("2027-12-01T12:00:00.000Z");
    expect(credential.notBefore.getTime()).toBeLessThan(now.getTime());
    expect(credential.thumbprintSha256).toBe(certificate.fingerprint256.replaceAll(":", ""));
    expect(credential.portalThumbprint).toBe(certificate.fingerprint.replaceAll(":", ""));
    // The generated certificate passes the same checks as an uploaded one.
    expect(parseCertificateUpload({ kind: "pem", pem: credential.certificatePem + credential.privateKeyPem }, { field, now }).thumbprintSha256).toBe(
      credential.thumbprintSha256,
    );
  });

  it("caps the validity at 24 months", async () => {
    const now = new Date("2026-12-01T00:00:00Z");
    const credential = await generateCertificateCredential({ commonName: "x", validityMonths: 120, now, privateKeyPem: fixtureKeys.b });
    expect(credential.expiresAt.toISOString()).toBe("2028-12-01T00:00:00.000Z");
  });

  it("generates an RSA-3072 key when none is given", async () => {
    const credential = await generateCertificateCredential({ commonName: "fresh" });
    expect(createPrivateKey(credential.privateKeyPem).asymmetricKeyDetails?.modulusLength).toBe(3072);
  });
});

describe("parseCertificateUpload", () => {
  // The fixtures are valid for twenty years from when they were made.
  const now = new Date("2027-06-01T00:00:00Z");
  const certA = fixtureText("cert-a.pem");

  it("reads a PEM bundle with an unencrypted key", () => {
    const parsed = parseCertificateUpload({ kind: "pem", pem: certA + fixtureKeys.a }, { field, now });
    expect(parsed.thumbprintSha256).toBe(new X509Certificate(certA).fingerprint256.replaceAll(":", ""));
    expect(createPrivateKey(parsed.privateKeyPem).asymmetricKeyDetails?.modulusLength).toBe(3072);
  });

  it("reads a PEM bundle with an encrypted key and its password", () => {
    const parsed = parseCertificateUpload({ kind: "pem", pem: fixtureText("key-a-encrypted.pem") + certA, password: FIXTURE_PFX_PASSWORD }, { field, now });
    expect(parsed.privateKeyPem).toContain("BEGIN PRIVATE KEY");
  });

  it.each(["bundle-a.pfx", "bundle-a-3des.pfx"])("reads %s with its password", (name) => {
    const parsed = parseCertificateUpload({ kind: "pfx", file: fixtureBytes(name), password: FIXTURE_PFX_PASSWORD }, { field, now });
    expect(parsed.certificatePem).toBe(new X509Certificate(certA).toString());
  });

  const expiredCertificate = () =>
    selfSignedCertificate(createPrivateKey(fixtureKeys.c), {
      commonName: "old",
      organisation: "x",
      notBefore: new Date("2024-01-01T00:00:00Z"),
      notAfter: new Date("2025-01-01T00:00:00Z"),
    }).toString();
  const futureCertificate = () =>
    selfSignedCertificate(createPrivateKey(fixtureKeys.c), {
      commonName: "future",
      organisation: "x",
      notBefore: new Date("2030-01-01T00:00:00Z"),
      notAfter: new Date("2031-01-01T00:00:00Z"),
    }).toString();

  it.each([
    ["a PFX with a wrong password", () => ({ kind: "pfx" as const, file: fixtureBytes("bundle-a.pfx"), password: "wrong" }), /password does not open this PFX/],
    ["a legacy PFX with a wrong password", () => ({ kind: "pfx" as const, file: fixtureBytes("bundle-a-3des.pfx"), password: "wrong" }), /password does not open this PFX/],
    ["a PFX without a key", () => ({ kind: "pfx" as const, file: fixtureBytes("cert-only.pfx"), password: FIXTURE_PFX_PASSWORD }), /PFX file has no private key/],
    ["a file that is no PFX", () => ({ kind: "pfx" as const, file: Buffer.from("hello"), password: "" }), /not a PFX/],
    ["a PEM without a private key", () => ({ kind: "pem" as const, pem: certA }), /has no private key/],
    ["a PEM without a certificate", () => ({ kind: "pem" as const, pem: fixtureKeys.a }), /has no certificate/],
    ["an encrypted key without its password", () => ({ kind: "pem" as const, pem: certA + fixtureText("key-a-encrypted.pem") }), /encrypted. Enter its password/],
    ["an encrypted key with a wrong password", () => ({ kind: "pem" as const, pem: certA + fixtureText("key-a-encrypted.pem"), password: "nope" }), /password does not open the private key/],
    ["a key that does not match the certificate", () => ({ kind: "pem" as const, pem: certA + fixtureKeys.b }), /does not belong to the certificate/],
    ["an expired certificate", () => ({ kind: "pem" as const, pem: expiredCertificate() + fixtureKeys.c }), /expired on 2025-01-01/],
    ["a certificate that is not yet valid", () => ({ kind: "pem" as const, pem: futureCertificate() + fixtureKeys.c }), /not valid before 2030-01-01/],
    ["a CA certificate instead of a leaf", () => ({ kind: "pem" as const, pem: fixtureText("ca-cert-b.pem") + fixtureKeys.b }), /CA certificate, not the app's own/],
    ["a key weaker than RSA 2048", () => ({ kind: "pem" as const, pem: fixtureText("weak-cert.pem") + fixtureText("weak-key.pem") }), /1024 bits.*at least 2048/],
    ["a file over 64 kB", () => ({ kind: "pem" as const, pem: certA + fixtureKeys.a + " ".repeat(MAX_CERTIFICATE_FILE_BYTES) }), /larger than 64 kB/],
    ["a PFX over 64 kB", () => ({ kind: "pfx" as const, file: Buffer.alloc(MAX_CERTIFICATE_FILE_BYTES + 1), password: "" }), /larger than 64 kB/],
  ])("refuses %s with a specific message on the field", (_name, upload, message) => {
    const { message: text, fields } = refusal(() => parseCertificateUpload(upload(), { field, now }));
    expect(text).toMatch(message);
    expect(fields?.[field]).toBe(text);
    expect(text).not.toContain("PRIVATE KEY-----");
  });
});
