import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runChecks } from "@/lib/checks/run-checks";
import type { CheckInput, CheckReport } from "@/lib/checks/schema";
import { connectionCheckInput, createConnection, getConnection } from "@/lib/connections/connections";
import { completeCertificateSwitch, pendingCertificate, startCertificateSwitch } from "@/lib/credentials/switch-to-certificate";
import { KeyRing } from "@/lib/crypto/seal";
import type { Database } from "@/lib/db/client";
import { customCloud } from "@/lib/entra/clouds";
import { uploadCertificate } from "@/simulator/application-keys";
import { startSimulator, type Simulator } from "@/simulator/server";
import { fixtureKeys, pemBody } from "@/test-support/certificate-fixtures";
import { appIds, assertSimulatorCaTrusted, secret, testScenario } from "@/test-support/check-scenario";
import { testEngines } from "@/test-support/databases";
import { secretConnectionInput } from "@/test-support/connection-inputs";
import { testSimulatorStateDir } from "@/test-support/simulator-ca";

/** "Switch to a certificate" on a secret connection, against the simulator, on both databases. */

assertSimulatorCaTrusted();

const DAY = 86_400_000;

const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);
let sim: Simulator;
let verify: (input: CheckInput) => Promise<CheckReport>;

beforeAll(async () => {
  sim = await startSimulator({ scenario: testScenario(), stateDir: testSimulatorStateDir });
  const cloud = customCloud({ authorityHost: sim.origin, graphHost: sim.origin });
  verify = (input) => runChecks(input, { cloud, timeoutMs: 5_000 });
});
afterAll(async () => {
  await sim?.close();
});


describe.each(testEngines())("switching a secret connection to a certificate on $name", (engine) => {
  let database: Database;
  let actor: { id: string; email: string };
  beforeAll(async () => {
    database = await engine.open();
    actor = await database.prisma.user.create({ data: { email: "switch@example.com", displayName: "S", role: "admin" }, select: { id: true, email: true } });
  });
  afterAll(async () => {
    await database?.close();
  });

  it("keeps the secret until the certificate verifies, then switches and reminds the admin to delete the secret", async () => {
    sim.setScenario(testScenario());
    const { id } = await createConnection(database.prisma, ring, secretConnectionInput("Switching", { secretExpiresAt: new Date("2027-01-01T00:00:00Z") }), { actor });
    const started = await startCertificateSwitch(database.prisma, ring, id, { validityMonths: 12, privateKeyPem: fixtureKeys.c });
    const pending = await pendingCertificate(database.prisma, id);
    expect(pending?.view.thumbprintSha256).toBe(started.thumbprintSha256);

    // Not uploaded in Entra yet: refused, and the secret stays in use.
    const version = (await getConnection(database.prisma, id))!.version;
    await expect(completeCertificateSwitch(database.prisma, ring, id, version, { applicationObjectId: null, keyId: null }, verify, { actor })).rejects.toThrow(
      /Not switched.*Certificate not registered on this app/,
    );
    expect(await getConnection(database.prisma, id)).toMatchObject({ credentialKind: "secret", secretHint: secret.slice(-4) });
    expect((await connectionCheckInput(database.prisma, ring, id))?.clientSecret).toBe(secret);

    uploadCertificate(sim.scenario.tenants[0]!.apps.find((app) => app.clientId === appIds.healthy)!, pending!.certificatePem);
    const report = await completeCertificateSwitch(database.prisma, ring, id, version, { applicationObjectId: "0f0e0d0c-0b0a-4908-8706-050403020100", keyId: null }, verify, { actor });
    expect(report.ok).toBe(true);
    expect(await getConnection(database.prisma, id)).toMatchObject({
      credentialKind: "certificate",
      certificateThumbprint: started.thumbprintSha256,
      certificateGenerated: true,
      applicationObjectId: "0f0e0d0c-0b0a-4908-8706-050403020100",
      secretHint: null,
      version: version + 1,
    });
    expect(await pendingCertificate(database.prisma, id)).toBeNull();
    const stored = await database.prisma.connection.findUniqueOrThrow({ where: { id }, select: { clientSecretSealed: true, pendingCertificateKeySealed: true } });
    expect(stored).toEqual({ clientSecretSealed: null, pendingCertificateKeySealed: null });
    const audit = await database.prisma.auditEvent.findFirstOrThrow({ where: { action: "connection.switch-to-certificate", targetId: id }, select: { summary: true } });
    expect(audit.summary).toContain("the old secret is to be deleted in Entra");
    expect(audit.summary).not.toContain(secret);
    expect(audit.summary).not.toContain(pemBody(fixtureKeys.c).slice(0, 40));
    await expect(startCertificateSwitch(database.prisma, ring, id, { validityMonths: 12, privateKeyPem: fixtureKeys.c })).rejects.toThrow(/already signs in with a certificate/);
  });

  it("makes the certificate for the months the admin chose, within the tenant policy's cap, and keeps the choice for renewals", async () => {
    sim.setScenario(testScenario());
    await database.prisma.connection.deleteMany();
    const { id } = await createConnection(database.prisma, ring, secretConnectionInput("Short-lived"), { actor });
    const chosen = await startCertificateSwitch(database.prisma, ring, id, { validityMonths: 3, privateKeyPem: fixtureKeys.c });
    expect(chosen.expiresAt.getTime() - Date.now()).toBeGreaterThan(88 * DAY);
    expect(chosen.expiresAt.getTime() - Date.now()).toBeLessThan(93 * DAY);
    await database.prisma.connection.update({ where: { id }, data: { certificatePolicyMaxDays: 30 } });
    const capped = await startCertificateSwitch(database.prisma, ring, id, { validityMonths: 12, privateKeyPem: fixtureKeys.c });
    expect(Math.round((capped.expiresAt.getTime() - Date.now()) / DAY)).toBe(30);
    expect(await database.prisma.connection.findUniqueOrThrow({ where: { id }, select: { certificateValidityMonths: true } })).toEqual({ certificateValidityMonths: 12 });
  });
});
