import { randomBytes, X509Certificate } from "node:crypto";
import { createClientCertificate } from "@/simulator/certs";
import * as x509 from "@peculiar/x509";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { demo } from "@/simulator/demo-ids";
import { startDemoSimulatorForFile } from "@/test-support/simulator-trust";
import { KeyRing } from "@/lib/crypto/seal";
import { parseCertificateUpload } from "@/lib/crypto/certificates";
import { getDelegatedApp, getDelegatedAppView, saveDelegatedApp, signInTenant } from "@/lib/delegated/delegated-app";
import type { DelegatedAppInput } from "@/lib/delegated/delegated-app-schema";
import { UserFacingError } from "@/lib/errors";
import { signInAppInput } from "@/test-support/connect-mailbox";
import { createUserForSuite } from "@/test-support/console-users";
import { testEngines } from "@/test-support/databases";
import { openDatabaseForSuite } from "@/test-support/engine-database";
import { simulatorCloudForFile } from "@/test-support/simulator-cloud";
import { healthyApp } from "@/test-support/simulator-scenario";

/**
 * The operator's mailbox sign-in app: verified at Microsoft (the simulator, real msal-node) before
 * anything is saved, and saved with its credential sealed.
 */

const { sim, pristine } = startDemoSimulatorForFile();
simulatorCloudForFile(sim);

const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);
const DAY_MS = 86_400_000;
const { clientId, secret } = demo.apps.healthy;

type Bundle = { certPem: string; privateKeyPem: string; thumbprintSha256: string };
let certificate: Bundle;
let otherCertificate: Bundle;

beforeAll(async () => {
  [certificate, otherCertificate] = await Promise.all([createClientCertificate("CN=calsync-mailbox-app"), createClientCertificate("CN=someone-else")]);
});

/** A self-signed RSA certificate whose validity ended yesterday, with its key. */
async function expiredBundle(): Promise<string> {
  x509.cryptoProvider.set(crypto);
  const alg = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const keys = await crypto.subtle.generateKey(alg, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=expired",
    notBefore: new Date(Date.now() - 30 * DAY_MS),
    notAfter: new Date(Date.now() - DAY_MS),
    keys,
    signingAlgorithm: alg,
  });
  const keyDer = Buffer.from(await crypto.subtle.exportKey("pkcs8", keys.privateKey)).toString("base64");
  return `${cert.toString("pem")}\n-----BEGIN PRIVATE KEY-----\n${keyDer.match(/.{1,64}/g)!.join("\n")}\n-----END PRIVATE KEY-----\n`;
}

function withCertificateOnApp(pem: string): void {
  const scenario = pristine();
  healthyApp(scenario).certificates.push({ pem });
  sim.setScenario(scenario);
}

const input = (patch: Partial<DelegatedAppInput> = {}): DelegatedAppInput => ({ ...signInAppInput, ...patch });

describe("signInTenant", () => {
  it("signs members in at the home tenant, any organisation, or any account", () => {
    expect(signInTenant({ audience: "organization", homeTenant: demo.contoso.id })).toBe(demo.contoso.id);
    expect(signInTenant({ audience: "organizations", homeTenant: demo.contoso.id })).toBe("organizations");
    expect(signInTenant({ audience: "organizations-and-personal", homeTenant: demo.contoso.id })).toBe("common");
  });
});

// The settings form's paste box goes through the shared certificate parser (lib/crypto/certificates.test.ts has every refusal).
const parseCertificateBundle = (pem: string, now?: Date) => parseCertificateUpload({ kind: "pem", pem }, { field: "certificateKeyPem", ...(now ? { now } : {}) });

describe("the mailbox sign-in app's certificate box", () => {
  it("reads a certificate with its key, in either order", () => {
    const parsed = parseCertificateBundle(`${certificate.certPem}\n${certificate.privateKeyPem}`);
    expect(parsed.thumbprintSha256).toBe(certificate.thumbprintSha256.toUpperCase());
    expect(parsed.thumbprintSha256).toMatch(/^[0-9A-F]{64}$/);
    expect(parsed.certificatePem).toContain("BEGIN CERTIFICATE");
    expect(parsed.certificatePem).not.toContain("PRIVATE KEY");
    expect(parsed.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(parsed.expiresAt.getTime()).toBeGreaterThan(Date.now() + 300 * DAY_MS);
    expect(parseCertificateBundle(`${certificate.privateKeyPem}${certificate.certPem}`).thumbprintSha256).toBe(parsed.thumbprintSha256);
  });

  const rejects = (pem: string, message: RegExp, now?: Date) => {
    let error: unknown;
    try {
      parseCertificateBundle(pem, now);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as UserFacingError).message).toMatch(message);
    // Never echoes the key back.
    expect(JSON.stringify(error)).not.toContain("PRIVATE KEY-----\nMI");
  };

  it("rejects a key that does not belong to the certificate", () => {
    rejects(`${certificate.certPem}${otherCertificate.privateKeyPem}`, /does not belong/);
  });

  it("rejects a certificate without its key, or a key without its certificate", () => {
    rejects(certificate.certPem, /no private key/);
    rejects(certificate.privateKeyPem, /no certificate/);
    rejects("not a pem at all", /no certificate/);
  });

  it("rejects an unreadable certificate or key", () => {
    rejects(`-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n${certificate.privateKeyPem}`, /certificate cannot be read/);
    rejects(`${certificate.certPem}-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n`, /private key cannot be read/);
  });

  it("rejects an expired certificate", async () => {
    rejects(await expiredBundle(), /expired on/);
    // And one that is valid today but not at the given moment.
    rejects(`${certificate.certPem}${certificate.privateKeyPem}`, /expired on/, new Date(Date.now() + 400 * DAY_MS));
  });
});

describe.each(testEngines())("saveDelegatedApp on $name", (engine) => {
  const database = openDatabaseForSuite(engine);
  const admin = createUserForSuite(database, "admin@example.com", "Admin", "admin");

  beforeEach(async () => {
    await database.prisma.delegatedApp.deleteMany();
  });

  const save = (value: DelegatedAppInput) => saveDelegatedApp(database.prisma, ring, value, { actor: admin, ip: "198.51.100.4" }, { timeoutMs: 10_000 });

  async function rawRow(): Promise<Record<string, unknown> | undefined> {
    return (await database.sql.query<Record<string, unknown>>("SELECT * FROM delegated_apps"))[0];
  }

  it("verifies and saves a client secret, sealed, showing only a hint", async () => {
    const result = await save(input({ secretExpiresAt: new Date("2027-06-30T00:00:00Z") }));
    expect(result.saved).toBe(true);
    expect(result.checks.map((check) => [check.id, check.status])).toEqual([
      ["tenant", "pass"],
      ["token", "pass"],
    ]);
    // Verified at the home tenant with client credentials.
    const tokenRequest = sim.requests.find((request) => request.method === "POST" && request.path === `/${demo.contoso.id}/oauth2/v2.0/token`);
    expect(tokenRequest?.form).toMatchObject({ grant_type: "client_credentials", client_id: clientId });

    const view = await getDelegatedAppView(database.prisma);
    expect(view).toMatchObject({
      cloudId: "custom",
      clientId,
      homeTenant: demo.contoso.id,
      audience: "organization",
      credentialKind: "secret",
      credentialHint: secret.slice(-4),
      credentialExpiresAt: new Date("2027-06-30T00:00:00Z"),
      version: 1,
    });
    expect(view!.verifiedAt).toBeInstanceOf(Date);
    expect(view!.verification?.map((check) => check.id)).toEqual(["tenant", "token"]);
    expect(JSON.stringify(view)).not.toContain(secret);

    const raw = await rawRow();
    expect(String(raw!.credential_sealed)).toMatch(/^cs1\.t1\./);
    expect(JSON.stringify(raw)).not.toContain(secret);
    expect(raw!.certificate_pem).toBeNull();

    const opened = await getDelegatedApp(database.prisma, ring);
    expect(opened?.credential).toEqual({ kind: "secret", secret });
    expect(opened?.cloud.authorityHost).toBe(sim.origin);

    const audit = await database.prisma.auditEvent.findMany({ where: { action: "delegated-app.save" }, orderBy: { id: "desc" }, take: 1 });
    expect(audit[0]).toMatchObject({ actorId: admin.id, targetLabel: clientId, ip: "198.51.100.4" });
    expect(audit[0]!.summary).toContain(`…${secret.slice(-4)}`);
    expect(audit[0]!.summary).not.toContain(secret);
  });

  it.each(["organizations", "organizations-and-personal"] as const)("verifies and saves the multi-tenant audience %s", async (audience) => {
    const result = await save(input({ audience }));
    // Microsoft's /organizations and /common OpenID documents have "tenant_region_scope": null.
    expect(result.checks.find((check) => check.id === "tenant")).toMatchObject({ status: "pass" });
    expect(result.saved).toBe(true);
    expect((await getDelegatedAppView(database.prisma))?.audience).toBe(audience);
  });

  it("saves nothing when Microsoft refuses the secret (AADSTS7000215)", async () => {
    const wrong = "wrong~secret~value~00000000000000000";
    const result = await save(input({ clientSecret: wrong }));
    expect(result.saved).toBe(false);
    const token = result.checks.find((check) => check.id === "token");
    expect(token).toMatchObject({ status: "fail", code: "AADSTS7000215" });
    expect(JSON.stringify(result)).not.toContain(wrong);
    expect(await database.prisma.delegatedApp.count()).toBe(0);
  });

  it("keeps the working configuration when a change fails verification", async () => {
    expect((await save(input())).saved).toBe(true);
    const result = await save(input({ clientSecret: "wrong~secret~value~00000000000000000", expectedVersion: 1 }));
    expect(result.saved).toBe(false);
    expect((await getDelegatedApp(database.prisma, ring))?.credential).toEqual({ kind: "secret", secret });
    expect((await getDelegatedAppView(database.prisma))?.version).toBe(1);
  });

  it("refuses an unknown home tenant", async () => {
    const result = await save(input({ homeTenant: "0f0f0f0f-0000-4000-8000-000000000000" }));
    expect(result.saved).toBe(false);
    expect(result.checks.find((check) => check.id === "tenant")).toMatchObject({ status: "fail", code: "AADSTS90002" });
    expect(result.checks.find((check) => check.id === "token")?.status).toBe("fail");
    expect(await database.prisma.delegatedApp.count()).toBe(0);
  });

  it("refuses an app that does not exist in the tenant", async () => {
    const result = await save(input({ clientId: "0e0e0e0e-0000-4000-8000-000000000000" }));
    expect(result.saved).toBe(false);
    expect(result.checks.find((check) => check.id === "token")).toMatchObject({ status: "fail", code: "AADSTS700016" });
  });

  it("verifies and saves a certificate registered on the app", async () => {
    withCertificateOnApp(certificate.certPem);
    const result = await save(
      input({
        credentialKind: "certificate",
        clientSecret: undefined,
        certificatePem: `${certificate.certPem}${certificate.privateKeyPem}`,
        applicationObjectId: "0f0e0d0c-0b0a-4908-8706-050403020100",
        certificateKeyId: "1f1e1d1c-1b1a-4918-8716-151413121110",
      }),
    );
    expect(result.saved).toBe(true);
    // msal signed a client assertion with the key; no secret was sent.
    const tokenRequest = sim.requests.find((request) => request.form?.grant_type === "client_credentials");
    expect(tokenRequest?.form).toMatchObject({ client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" });
    expect(tokenRequest?.form?.client_secret).toBeUndefined();

    const view = await getDelegatedAppView(database.prisma);
    expect(view).toMatchObject({
      credentialKind: "certificate",
      credentialHint: certificate.thumbprintSha256.toUpperCase(),
      applicationObjectId: "0f0e0d0c-0b0a-4908-8706-050403020100",
      certificateKeyId: "1f1e1d1c-1b1a-4918-8716-151413121110",
    });
    expect(view!.credentialExpiresAt!.getTime()).toBe(new Date(new X509Certificate(certificate.certPem).validTo).getTime());
    const raw = await rawRow();
    expect(String(raw!.certificate_pem)).toContain("BEGIN CERTIFICATE");
    expect(JSON.stringify(raw)).not.toContain("PRIVATE KEY");
    const keyBody = certificate.privateKeyPem.split("\n")[1]!;
    expect(JSON.stringify(raw)).not.toContain(keyBody);
    const opened = await getDelegatedApp(database.prisma, ring);
    expect(opened?.credential).toMatchObject({ kind: "certificate", thumbprintSha256: certificate.thumbprintSha256.toUpperCase() });
    if (opened?.credential.kind === "certificate") expect(opened.credential.privateKeyPem.trim()).toBe(certificate.privateKeyPem.trim());
  });

  it("refuses a certificate that is not registered on the app", async () => {
    const result = await save(input({ credentialKind: "certificate", clientSecret: undefined, certificatePem: `${certificate.certPem}${certificate.privateKeyPem}` }));
    expect(result.saved).toBe(false);
    expect(result.checks.find((check) => check.id === "token")).toMatchObject({ status: "fail", code: "AADSTS700027" });
  });

  it("refuses a certificate bundle it cannot use before asking Microsoft", async () => {
    await expect(save(input({ credentialKind: "certificate", clientSecret: undefined, certificatePem: `${certificate.certPem}${otherCertificate.privateKeyPem}` }))).rejects.toThrow(/does not belong/);
    await expect(save(input({ credentialKind: "certificate", clientSecret: undefined, certificatePem: await expiredBundle() }))).rejects.toThrow(/expired on/);
    await expect(save(input({ credentialKind: "certificate", clientSecret: undefined }))).rejects.toBeInstanceOf(UserFacingError);
    expect(sim.requests.filter((request) => request.path.endsWith("/token"))).toHaveLength(0);
  });

  it("keeps the stored secret when the field is left empty, and bumps the version", async () => {
    expect((await save(input())).saved).toBe(true);
    const result = await save(input({ clientSecret: undefined, secretExpiresAt: new Date("2028-01-31T00:00:00Z"), expectedVersion: 1 }));
    expect(result.saved).toBe(true);
    const opened = await getDelegatedApp(database.prisma, ring);
    expect(opened).toMatchObject({ version: 2, credential: { kind: "secret", secret } });
    expect((await getDelegatedAppView(database.prisma))?.credentialExpiresAt).toEqual(new Date("2028-01-31T00:00:00Z"));
    // Without a stored secret there is nothing to keep.
    await database.prisma.delegatedApp.deleteMany();
    await expect(save(input({ clientSecret: undefined }))).rejects.toThrow(/Enter the client secret/);
  });

  it("refuses a save based on a stale version", async () => {
    expect((await save(input())).saved).toBe(true);
    // Someone else's edit (version 0 → 1) happened after this form was loaded.
    await expect(save(input({ expectedVersion: 0 }))).rejects.toThrow(/Someone changed these settings/);
    await expect(save(input({ expectedVersion: 5 }))).rejects.toBeInstanceOf(UserFacingError);
    expect((await save(input({ expectedVersion: 1 }))).saved).toBe(true);
    expect((await getDelegatedAppView(database.prisma))?.version).toBe(2);
  });
});
