import { createPrivateKey, randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clearTokenCache, issueConnectionToken } from "@/lib/api/token-broker";
import { createConnection, getConnection } from "@/lib/connections/connections";
import { updateCertificateIds } from "@/lib/credentials/certificate-ids";
import { RENEWAL_BLOCKED_CODE, RenewalCrash, runDueRenewals, type RenewalOptions, type RenewalStep } from "@/lib/credentials/renewal";
import { selfSignedCertificate, thumbprints } from "@/lib/crypto/certificates";
import { KeyRing } from "@/lib/crypto/seal";
import type { Database } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { UserFacingError } from "@/lib/errors";
import { applicationObjectId, uploadCertificate } from "@/simulator/application-keys";
import { startSimulator, type Simulator } from "@/simulator/server";
import { fixtureKeys, pemBody } from "@/test-support/certificate-fixtures";
import { appIds, assertSimulatorCaTrusted, contosoId, testScenario } from "@/test-support/check-scenario";
import { testEngines } from "@/test-support/databases";
import { cannedReport } from "@/test-support/jobs";
import { testSimulatorStateDir } from "@/test-support/simulator-ca";

/** The certificate renewal job end to end against the simulator, on both databases. */

assertSimulatorCaTrusted();

const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);
const DAY = 86_400_000;
const savedEnv = { ...process.env };
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ scenario: testScenario(), stateDir: testSimulatorStateDir });
  process.env.CALSYNC_CLOUD = "custom";
  process.env.CALSYNC_AUTHORITY_HOST = sim.origin;
  process.env.CALSYNC_GRAPH_HOST = sim.origin;
  resetEnvCache();
});
afterAll(async () => {
  process.env = savedEnv;
  resetEnvCache();
  await sim?.close();
});

const liveApp = () => sim.scenario.tenants[0]!.apps.find((app) => app.clientId === appIds.healthy)!;
const addKeyCalls = () => sim.requests.filter((request) => request.path.endsWith("/addKey")).length;
const keysAdded = () => sim.requests.filter((request) => request.path.endsWith("/addKey") && request.status === 200).length;

describe.each(testEngines())("certificate renewal on $name", (engine) => {
  let database: Database;
  let actor: { id: string; email: string };
  let connectionId: string;
  let oldThumbprint: string;

  beforeAll(async () => {
    database = await engine.open();
    actor = await database.prisma.user.create({ data: { email: "renew@example.com", displayName: "R", role: "admin" }, select: { id: true, email: true } });
  });
  afterAll(async () => {
    await database?.close();
  });

  /** A generated certificate with 10 days left, uploaded on the app and stored on a fresh connection. */
  async function setUp(patch: { objectId?: boolean; keyId?: boolean; replicationSeconds?: number } = {}): Promise<void> {
    await database.prisma.connection.deleteMany();
    const scenario = testScenario();
    if (patch.replicationSeconds) scenario.settings = { ...scenario.settings, keyReplicationSeconds: patch.replicationSeconds };
    sim.setScenario(scenario);
    sim.clearRequests();
    clearTokenCache();
    const now = Date.now();
    const certificate = selfSignedCertificate(createPrivateKey(fixtureKeys.a), {
      commonName: "Calsync Console: Renewing",
      organisation: "Calsync Console",
      notBefore: new Date(now - 355 * DAY),
      notAfter: new Date(now + 10 * DAY),
    });
    const { keyId } = uploadCertificate(liveApp(), certificate.toString());
    oldThumbprint = thumbprints(certificate).thumbprintSha256;
    const connection = await createConnection(
      database.prisma,
      ring,
      {
        name: "Renewing",
        cloud: "custom",
        tenant: contosoId,
        clientId: appIds.healthy,
        clientSecret: "",
        secretExpiresAt: null,
        certificate: {
          privateKeyPem: fixtureKeys.a,
          certificatePem: certificate.toString(),
          thumbprintSha256: oldThumbprint,
          expiresAt: new Date(certificate.validTo),
          generated: true,
          applicationObjectId: patch.objectId === false ? null : applicationObjectId(sim.scenario.tenants[0]!, liveApp()),
          keyId: patch.keyId === false ? null : keyId,
        },
        mailboxScope: { kind: "all" },
        testMailbox: null,
        outOfScopeMailbox: null,
        writeTest: false,
        report: cannedReport("pass"),
      },
      { actor },
    );
    connectionId = connection.id;
  }

  const options = (patch: Partial<RenewalOptions> = {}): RenewalOptions => ({ instanceId: "instance-a", renewDays: 30, generateKey: async () => fixtureKeys.b, ...patch });
  const expireLeases = () => database.prisma.connection.updateMany({ data: { leaseExpiresAt: new Date(Date.now() - 1) } });
  const brokerToken = async () => {
    clearTokenCache();
    return issueConnectionToken(database.prisma, ring, connectionId);
  };

  beforeEach(async () => {
    await setUp();
  });

  it("generates, adds, verifies, switches and removes the old certificate, audited without key material", async () => {
    const outcomes = await runDueRenewals(database.prisma, ring, options());
    expect(outcomes.get(connectionId)).toMatchObject({ outcome: "renewed", oldThumbprint, oldKeyRemoved: true });
    expect(addKeyCalls()).toBe(1);
    const connection = await getConnection(database.prisma, connectionId);
    expect(connection?.certificateThumbprint).not.toBe(oldThumbprint);
    expect(connection?.certificateExpiresAt?.getTime()).toBeGreaterThan(Date.now() + 300 * DAY);
    expect(liveApp().certificates).toHaveLength(1);
    expect(liveApp().certificates[0]!.keyId).toBe(connection?.certificateKeyId);
    expect((await brokerToken()).ok).toBe(true);

    const audit = await database.prisma.auditEvent.findFirstOrThrow({ where: { action: "connection.renew-certificate" }, select: { summary: true } });
    expect(audit.summary).toContain(oldThumbprint);
    expect(audit.summary).toContain(connection!.certificateThumbprint!);
    for (const key of [fixtureKeys.a, fixtureKeys.b]) expect(JSON.stringify(await database.prisma.auditEvent.findMany({ select: { summary: true, targetLabel: true } }))).not.toContain(pemBody(key).slice(0, 40));
    const run = await database.prisma.checkRun.findFirstOrThrow({ where: { connectionId, trigger: "renewal" }, select: { ok: true, report: true } });
    expect(run.ok).toBe(true);
    expect(JSON.stringify(run.report)).toContain("Certificate renewed");
  });

  it.each<RenewalStep | "add-called" | "removed">(["generated", "adding", "add-called", "added", "switched", "removing", "removed"])(
    "a crash after %s leaves a working connection, and the next run resumes with exactly one new key whose id it knows",
    async (step) => {
      await expect(runDueRenewals(database.prisma, ring, options({ crashAfter: step }))).rejects.toBeInstanceOf(RenewalCrash);
      expect((await brokerToken()).ok).toBe(true);
      await expireLeases();
      const outcomes = await runDueRenewals(database.prisma, ring, options({ instanceId: "instance-b" }));
      expect(outcomes.get(connectionId)).toMatchObject({ outcome: "renewed", oldKeyRemoved: true });
      expect(addKeyCalls()).toBe(1);
      expect(liveApp().certificates).toHaveLength(1);
      expect((await getConnection(database.prisma, connectionId))?.certificateKeyId).toBe(liveApp().certificates[0]!.keyId);
      expect((await brokerToken()).ok).toBe(true);
      expect(await database.prisma.connection.findUniqueOrThrow({ where: { id: connectionId }, select: { renewalStep: true, pendingCertificateKeySealed: true } })).toEqual({
        renewalStep: null,
        pendingCertificateKeySealed: null,
      });
    },
  );

  it("a crash right after addKey while the key replicates: the resume knows the new key's id, so the next renewal removes it", async () => {
    await setUp({ replicationSeconds: 1 });
    await expect(runDueRenewals(database.prisma, ring, options({ crashAfter: "add-called" }))).rejects.toBeInstanceOf(RenewalCrash);
    const deadline = Date.now() + 15_000;
    let outcome: string | undefined;
    while (outcome !== "renewed" && Date.now() < deadline) {
      await expireLeases();
      outcome = (await runDueRenewals(database.prisma, ring, options({ instanceId: "instance-b" }))).get(connectionId)?.outcome;
    }
    expect(outcome).toBe("renewed");
    // The resume cannot tell a replicating key from a missing one, so it asks again under the
    // recorded keyId, and Entra refuses the duplicate.
    expect(keysAdded()).toBe(1);
    const renewed = await getConnection(database.prisma, connectionId);
    expect(renewed?.certificateKeyId).toBe(liveApp().certificates[0]!.keyId);

    // The following year's renewal, due again: it removes the key the crashed run added.
    await database.prisma.connection.update({ where: { id: connectionId }, data: { certificateExpiresAt: new Date(Date.now() + 5 * DAY) } });
    sim.scenario.settings.keyReplicationSeconds = 0;
    await expireLeases();
    const next = await runDueRenewals(database.prisma, ring, options({ generateKey: async () => fixtureKeys.c }));
    expect(next.get(connectionId)).toMatchObject({ outcome: "renewed", oldKeyRemoved: true });
    expect(liveApp().certificates.map((certificate) => certificate.keyId)).toEqual([(await getConnection(database.prisma, connectionId))?.certificateKeyId]);
  });

  it("an old Certificate ID that Entra does not know is not reported as removed: the admin is told to delete it", async () => {
    await database.prisma.connection.update({ where: { id: connectionId }, data: { certificateKeyId: "00000000-0000-4000-8000-000000000000" } });
    const outcomes = await runDueRenewals(database.prisma, ring, options());
    expect(outcomes.get(connectionId)).toMatchObject({ outcome: "renewed", oldKeyRemoved: false });
    expect(liveApp().certificates).toHaveLength(2);
    const audit = await database.prisma.auditEvent.findFirstOrThrow({ where: { action: "connection.renew-certificate", targetId: connectionId }, select: { summary: true } });
    expect(audit.summary).toMatch(/delete the old certificate in Entra \(Microsoft knows no Certificate ID 00000000-0000-4000-8000-000000000000/);
  });

  it("renews for the months the connection's certificate was chosen for, capped by the tenant policy when known", async () => {
    await database.prisma.connection.update({ where: { id: connectionId }, data: { certificateValidityMonths: 6 } });
    await runDueRenewals(database.prisma, ring, options());
    const sixMonths = (await getConnection(database.prisma, connectionId))!.certificateExpiresAt!.getTime() - Date.now();
    expect(sixMonths).toBeGreaterThan(180 * DAY);
    expect(sixMonths).toBeLessThan(186 * DAY);

    await database.prisma.connection.update({ where: { id: connectionId }, data: { certificateExpiresAt: new Date(Date.now() + 5 * DAY), certificatePolicyMaxDays: 60 } });
    await expireLeases();
    await runDueRenewals(database.prisma, ring, options({ generateKey: async () => fixtureKeys.c }));
    const capped = (await getConnection(database.prisma, connectionId))!.certificateExpiresAt!.getTime() - Date.now();
    expect(Math.round(capped / DAY)).toBe(60);
  });

  it("ids added later on the Settings tab are format-checked and audited, and the next renewal then removes the old certificate itself", async () => {
    await setUp({ objectId: false, keyId: false });
    const version = async () => (await getConnection(database.prisma, connectionId))!.version;
    const objectId = applicationObjectId(sim.scenario.tenants[0]!, liveApp());
    const oldKeyId = liveApp().certificates[0]!.keyId!;
    const refused = async (ids: { applicationObjectId: string; certificateKeyId: string }, field: string, message: RegExp) => {
      const error = await updateCertificateIds(database.prisma, connectionId, await version(), ids, { actor }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UserFacingError);
      expect((error as UserFacingError).fieldErrors?.[field]).toMatch(message);
    };
    await refused({ applicationObjectId: appIds.healthy, certificateKeyId: "" }, "applicationObjectId", /Application \(client\) ID/);
    await refused({ applicationObjectId: contosoId, certificateKeyId: "" }, "applicationObjectId", /Directory \(tenant\) ID/);
    await refused({ applicationObjectId: "not-a-guid", certificateKeyId: "" }, "applicationObjectId", /GUID/);
    await refused({ applicationObjectId: objectId, certificateKeyId: "12345" }, "certificateKeyId", /GUID/);
    await refused({ applicationObjectId: objectId, certificateKeyId: objectId }, "certificateKeyId", /That is the Object ID/);
    expect(await database.prisma.connection.findUniqueOrThrow({ where: { id: connectionId }, select: { applicationObjectId: true, certificateKeyId: true } })).toEqual({ applicationObjectId: null, certificateKeyId: null });

    expect(await updateCertificateIds(database.prisma, connectionId, await version(), { applicationObjectId: ` ${objectId.toUpperCase()} `, certificateKeyId: oldKeyId }, { actor })).toEqual({ changed: true });
    const audit = await database.prisma.auditEvent.findFirstOrThrow({ where: { action: "connection.certificate-ids", targetId: connectionId }, select: { summary: true, actorEmail: true } });
    expect(audit).toEqual({ actorEmail: actor.email, summary: `Changed the certificate ids of “Renewing” for renewal: Object ID unknown → ${objectId}; Certificate ID unknown → ${oldKeyId}` });
    await expect(updateCertificateIds(database.prisma, connectionId, (await version()) - 1, { applicationObjectId: objectId, certificateKeyId: "" }, { actor })).rejects.toThrow(/changed/i);

    const outcomes = await runDueRenewals(database.prisma, ring, options());
    expect(outcomes.get(connectionId)).toMatchObject({ outcome: "renewed", oldKeyRemoved: true });
    expect(liveApp().certificates.map((certificate) => certificate.keyId)).toEqual([(await getConnection(database.prisma, connectionId))?.certificateKeyId]);
  });

  it("two instances racing renew once: exactly one addKey", async () => {
    const [first, second] = await Promise.all([
      runDueRenewals(database.prisma, ring, options({ instanceId: "instance-a" })),
      runDueRenewals(database.prisma, ring, options({ instanceId: "instance-b" })),
    ]);
    expect([...first.values(), ...second.values()].filter((outcome) => outcome.outcome === "renewed")).toHaveLength(1);
    expect(addKeyCalls()).toBe(1);
    expect(liveApp().certificates).toHaveLength(1);
  });

  it("waits out Microsoft's replication of the new key, then finishes", async () => {
    await setUp({ replicationSeconds: 1 });
    const first = await runDueRenewals(database.prisma, ring, options());
    expect(first.get(connectionId)?.outcome).toBe("waiting-for-replication");
    expect((await brokerToken()).ok).toBe(true);
    const deadline = Date.now() + 15_000;
    let outcome = first.get(connectionId)?.outcome;
    while (outcome !== "renewed" && Date.now() < deadline) {
      await expireLeases();
      outcome = (await runDueRenewals(database.prisma, ring, options())).get(connectionId)?.outcome;
    }
    expect(outcome).toBe("renewed");
    expect(addKeyCalls()).toBe(1);
  });

  it("the token broker serves every request while a renewal runs", async () => {
    await setUp({ replicationSeconds: 1 });
    let renewing = true;
    const results: boolean[] = [];
    const load = (async () => {
      while (renewing) {
        clearTokenCache();
        const batch = await Promise.all(Array.from({ length: 4 }, () => issueConnectionToken(database.prisma, ring, connectionId)));
        results.push(...batch.map((result) => result.ok));
      }
    })();
    const deadline = Date.now() + 20_000;
    let outcome: string | undefined;
    while (outcome !== "renewed" && Date.now() < deadline) {
      await expireLeases();
      outcome = (await runDueRenewals(database.prisma, ring, options())).get(connectionId)?.outcome;
    }
    renewing = false;
    await load;
    expect(outcome).toBe("renewed");
    expect(results.length).toBeGreaterThan(4);
    expect(results.every(Boolean)).toBe(true);
  });

  it("without the application's object id it cannot renew: the connection warns with the days left, once", async () => {
    await setUp({ objectId: false });
    const outcomes = await runDueRenewals(database.prisma, ring, options());
    expect(outcomes.get(connectionId)).toMatchObject({ outcome: "blocked" });
    await expireLeases();
    await runDueRenewals(database.prisma, ring, options());
    const connection = await getConnection(database.prisma, connectionId);
    expect(connection?.state).toBe("warning");
    const token = connection?.lastReport?.checks.find((check) => check.code === RENEWAL_BLOCKED_CODE);
    expect(token?.detail).toMatch(/Object ID is unknown.*expires in (9|10) days/);
    expect(await database.prisma.checkRun.count({ where: { connectionId, trigger: "renewal" } })).toBe(1);
    expect(addKeyCalls()).toBe(0);
  });
});
