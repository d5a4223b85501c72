import { randomBytes, X509Certificate as NodeX509Certificate } from "node:crypto";
import { mkdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

/**
 * Certificate material for the simulator's HTTPS listener.
 *
 * The CA is cached in a folder so its path stays stable across runs: Node reads NODE_EXTRA_CA_CERTS
 * only at process start, so a test runner must point it at a file that already exists (created by
 * `ensureCa` in a globalSetup or by a previous run). The leaf certificate is minted fresh for every
 * simulator; it is cheap (P-256) and that avoids sharing private keys between parallel workers.
 */

x509.cryptoProvider.set(crypto);

const ecdsa = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const CA_FILE = "ca.pem";
const CA_KEY_FILE = "ca-key.pem";
const DAY_MS = 24 * 60 * 60 * 1000;

export interface CaFiles {
  caCertPath: string;
  caCertPem: string;
}

interface CaMaterial extends CaFiles {
  certificate: x509.X509Certificate;
  privateKey: CryptoKey;
}

export interface ServerCertificate {
  certPem: string;
  keyPem: string;
  caCertPem: string;
  caCertPath: string;
}

function toPem(der: ArrayBuffer, label: string): string {
  const base64 = Buffer.from(der).toString("base64");
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

function fromPem(pem: string): ArrayBuffer {
  const base64 = pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, "").replace(/\s+/g, "");
  const buffer = Buffer.from(base64, "base64");
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
}

function serialNumber(): string {
  // A positive serial: clear the top bit so DER does not read it as negative.
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString("hex");
}

async function generateCa(): Promise<{ certPem: string; keyPem: string }> {
  const keys = await crypto.subtle.generateKey(ecdsa, true, ["sign", "verify"]);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: "CN=Calsync Entra Simulator Test CA, O=Calsync Console tests",
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 3650 * DAY_MS),
    keys,
    signingAlgorithm: ecdsa,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const keyDer = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  return { certPem: certificate.toString("pem") + "\n", keyPem: toPem(keyDer, "PRIVATE KEY") };
}

async function fileExists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

async function readCa(dir: string): Promise<CaMaterial | null> {
  const caCertPath = path.join(dir, CA_FILE);
  try {
    const [caCertPem, keyPem] = await Promise.all([readFile(caCertPath, "utf8"), readFile(path.join(dir, CA_KEY_FILE), "utf8")]);
    const certificate = new x509.X509Certificate(caCertPem);
    if (certificate.notAfter.getTime() < Date.now() + 30 * DAY_MS) return null;
    const privateKey = await crypto.subtle.importKey("pkcs8", fromPem(keyPem), ecdsa, false, ["sign"]);
    // A cert and key written by two racing processes must not be mixed up.
    const probe = new TextEncoder().encode("calsync-ca-probe");
    const signature = await crypto.subtle.sign(ecdsa, privateKey, probe);
    const publicKey = await certificate.publicKey.export(ecdsa, ["verify"]);
    if (!(await crypto.subtle.verify(ecdsa, publicKey, signature, probe))) return null;
    return { caCertPath, caCertPem, certificate, privateKey };
  } catch {
    return null;
  }
}

async function loadOrCreateCa(dir: string): Promise<CaMaterial> {
  const existing = await readCa(dir);
  if (existing) return existing;
  await mkdir(dir, { recursive: true });
  const keyPath = path.join(dir, CA_KEY_FILE);
  const certPath = path.join(dir, CA_FILE);
  const generated = await generateCa();

  // Exclusive create of the key file elects one writer when several workers start at once;
  // the others wait for the certificate that the winner renames into place last.
  let owner = true;
  try {
    await writeFile(keyPath, generated.keyPem, { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    owner = false;
  }
  if (!owner) {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const ready = (await fileExists(certPath)) ? await readCa(dir) : null;
      if (ready) return ready;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    // A stale or mismatched pair (an interrupted run): replace both.
    await unlink(keyPath).catch(() => undefined);
    await unlink(certPath).catch(() => undefined);
    return loadOrCreateCa(dir);
  }
  const tmp = `${certPath}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(tmp, generated.certPem);
  await rename(tmp, certPath);
  const created = await readCa(dir);
  if (!created) throw new Error(`Could not read back the simulator CA written to ${dir}`);
  return created;
}

/**
 * Creates (or reuses) the simulator CA in `dir` and returns its PEM and path. Call it from a
 * Vitest/Playwright globalSetup so NODE_EXTRA_CA_CERTS can point at `caCertPath` for every worker.
 */
export async function ensureCa(dir: string): Promise<CaFiles> {
  const ca = await loadOrCreateCa(dir);
  return { caCertPath: ca.caCertPath, caCertPem: ca.caCertPem };
}

/** A leaf for `localhost` and `127.0.0.1` (plus `::1`), signed by the cached CA. */
export async function createServerCertificate(dir: string): Promise<ServerCertificate> {
  const ca = await loadOrCreateCa(dir);
  const keys = await crypto.subtle.generateKey(ecdsa, true, ["sign", "verify"]);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: "CN=localhost",
    issuer: ca.certificate.subject,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 30 * DAY_MS),
    signingKey: ca.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ecdsa,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: "dns", value: "localhost" },
        { type: "ip", value: "127.0.0.1" },
        { type: "ip", value: "::1" },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.certificate, false),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const keyDer = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  return {
    certPem: certificate.toString("pem") + "\n",
    keyPem: toPem(keyDer, "PRIVATE KEY"),
    caCertPem: ca.caCertPem,
    caCertPath: ca.caCertPath,
  };
}

/**
 * Creates a self-signed RSA certificate for an app registration (certificate credential tests):
 * returns the PEM to put in the scenario and the private key msal-node needs.
 */
export async function createClientCertificate(subject = "CN=calsync-sim-client"): Promise<{
  certPem: string;
  privateKeyPem: string;
  thumbprintSha1: string;
  thumbprintSha256: string;
}> {
  const alg = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const keys = await crypto.subtle.generateKey(alg, true, ["sign", "verify"]);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: subject,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 365 * DAY_MS),
    keys,
    signingAlgorithm: alg,
  });
  const certPem = certificate.toString("pem") + "\n";
  const node = new NodeX509Certificate(certPem);
  const keyDer = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  return {
    certPem,
    privateKeyPem: toPem(keyDer, "PRIVATE KEY"),
    thumbprintSha1: node.fingerprint.replace(/:/g, ""),
    thumbprintSha256: node.fingerprint256.replace(/:/g, ""),
  };
}
