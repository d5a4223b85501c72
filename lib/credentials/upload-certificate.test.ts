import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runChecks } from "@/lib/checks/run-checks";
import type { CheckInput, CheckReport } from "@/lib/checks/schema";
import { createConnection, getConnection } from "@/lib/connections/connections";
import { completeCertificateSwitch, startCertificateSwitch } from "@/lib/credentials/switch-to-certificate";
import { uploadPendingCertificate } from "@/lib/credentials/upload-certificate";
import { generateCertificateCredential } from "@/lib/crypto/certificates";
import { KeyRing } from "@/lib/crypto/seal";
import type { Database } from "@/lib/db/client";
import { customCloud, type Cloud } from "@/lib/entra/clouds";
import { UserFacingError } from "@/lib/errors";
import { applicationObjectId, uploadCertificate } from "@/simulator/application-keys";
import { ROLE_TEMPLATES } from "@/simulator/applications";
import type { ScenarioInput } from "@/simulator/scenario";
import { startSimulator, type Simulator } from "@/simulator/server";
import { fixtureKeys } from "@/test-support/certificate-fixtures";
import { appIds, assertSimulatorCaTrusted, contosoId, testScenario } from "@/test-support/check-scenario";
import { testEngines } from "@/test-support/databases";
import { secretConnectionInput } from "@/test-support/connection-inputs";
import { CLI_SCOPES, SETUP_APP_SCOPES } from "@/test-support/provisioning-scenario";
import { testSimulatorStateDir } from "@/test-support/simulator-ca";

/** "Upload it for me" while switching to a certificate: an administrator's Graph token, the simulator's Graph, both databases. */

assertSimulatorCaTrusted();

const DAY = 86_400_000;
const adele = "0a000000-0000-4000-8000-000000000002";
const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);
let sim: Simulator;
let cloud: Cloud;
let verify: (input: CheckInput) => Promise<CheckReport>;

function scenario(maxCertificateLifetimeDays?: number): ScenarioInput {
  const input = testScenario();
  const tenant = input.tenants[0]!;
  tenant.users = tenant.users!.map((user) => (user.id === adele ? { ...user, directoryRoles: [ROLE_TEMPLATES.applicationAdministrator] } : user));
  if (maxCertificateLifetimeDays) tenant.appManagementPolicy = { passwordCredentialsAllowed: true, maxCertificateLifetimeDays, id: "538f1913-366a-440a-95a0-e195cb55b282" };
  return input;
}

const token = (scopes: readonly string[] = CLI_SCOPES) => sim.mintAccessToken({ tenant: contosoId, clientId: appIds.extra, user: adele, scopes: [...scopes] });
/** The console reads a token's claims before Graph validates it, so a changed claim is enough here. */
function withTenant(raw: string, tid: string): string {
  const [header, payload, signature] = raw.split(".");
  const claims = JSON.parse(Buffer.from(payload!, "base64url").toString()) as Record<string, unknown>;
  return [header, Buffer.from(JSON.stringify({ ...claims, tid })).toString("base64url"), signature].join(".");
}
const liveApp = () => sim.scenario.tenants[0]!.apps.find((app) => app.clientId === appIds.healthy)!;

beforeAll(async () => {
  sim = await startSimulator({ scenario: scenario(), stateDir: testSimulatorStateDir });
  cloud = customCloud({ authorityHost: sim.origin, graphHost: sim.origin });
  verify = (input) => runChecks(input, { cloud, timeoutMs: 5_000 });
});
afterAll(async () => {
  await sim?.close();
});

describe.each(testEngines())("uploading the switch's certificate for the admin on $name", (engine) => {
  let database: Database;
  let actor: { id: string; email: string };
  let id: string;

  beforeAll(async () => {
    database = await engine.open();
    actor = await database.prisma.user.create({ data: { email: "upload@example.com", displayName: "U", role: "admin" }, select: { id: true, email: true } });
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await database.prisma.connection.deleteMany();
    sim.setScenario(scenario());
    id = (await createConnection(database.prisma, ring, secretConnectionInput("Upload for me"), { actor })).id;
  });

  const refusal = async (raw: string) => {
    const error = await uploadPendingCertificate(database.prisma, cloud, id, raw, { actor }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserFacingError);
    return (error as UserFacingError).fieldErrors.token;
  };

  it("adds the certificate to the app beside the ones it has, then the switch records the Object ID and Certificate ID, and the token is kept nowhere", async () => {
    const other = await generateCertificateCredential({ commonName: "kept", privateKeyPem: fixtureKeys.a });
    const kept = uploadCertificate(liveApp(), other.certificatePem);
    const pending = await startCertificateSwitch(database.prisma, ring, id, { validityMonths: 12, privateKeyPem: fixtureKeys.c });
    const admin = token();
    const uploaded = await uploadPendingCertificate(database.prisma, cloud, id, `Bearer ${admin}\n`, { actor });
    // Entra changed at once: on record before any switch.
    expect(await database.prisma.auditEvent.count({ where: { action: "connection.certificate-upload", targetId: id, summary: { contains: uploaded.keyId } } })).toBe(1);
    expect(uploaded.applicationObjectId).toBe(applicationObjectId(sim.scenario.tenants[0]!, liveApp()));
    expect(liveApp().certificates.map((certificate) => certificate.keyId)).toEqual([kept.keyId, uploaded.keyId]);

    const version = (await getConnection(database.prisma, id))!.version;
    expect((await completeCertificateSwitch(database.prisma, ring, id, version, { applicationObjectId: null, keyId: null }, verify, { actor })).ok).toBe(true);
    expect(await getConnection(database.prisma, id)).toMatchObject({
      credentialKind: "certificate",
      certificateThumbprint: pending.thumbprintSha256,
      applicationObjectId: uploaded.applicationObjectId,
      certificateKeyId: uploaded.keyId,
    });
    const stored = JSON.stringify([
      await database.prisma.connection.findMany(),
      await database.prisma.auditEvent.findMany({ select: { summary: true, targetLabel: true } }),
      await database.prisma.checkRun.findMany({ select: { report: true } }),
    ]);
    expect(stored).not.toContain(admin.split(".")[2]!);
  });

  it("refuses a token that is not one, is for another tenant or cannot change apps, and changes nothing", async () => {
    await startCertificateSwitch(database.prisma, ring, id, { validityMonths: 12, privateKeyPem: fixtureKeys.c });
    expect(await refusal("not a token")).toMatch(/not an access token/);
    expect(await refusal(withTenant(token(), "0b0b0b0b-0000-4000-8000-000000000000"))).toMatch(/is for tenant 0b0b0b0b-.*connection's app is in tenant/);
    expect(await refusal(token(["User.Read"]))).toMatch(/lacks Application.ReadWrite.All/);
    expect(liveApp().certificates).toHaveLength(0);
    expect((await getConnection(database.prisma, id))?.applicationObjectId).toBeNull();
  });

  it("a token that reads the tenant policy learns its certificate lifetime cap: a longer certificate is refused, and the next one is capped", async () => {
    sim.setScenario(scenario(30));
    await startCertificateSwitch(database.prisma, ring, id, { validityMonths: 12, privateKeyPem: fixtureKeys.c });
    expect(await refusal(token(SETUP_APP_SCOPES))).toMatch(/at most 30 days/);
    expect(liveApp().certificates).toHaveLength(0);
    const capped = await startCertificateSwitch(database.prisma, ring, id, { validityMonths: 12, privateKeyPem: fixtureKeys.c });
    expect(Math.round((capped.expiresAt.getTime() - Date.now()) / DAY)).toBe(30);
    await uploadPendingCertificate(database.prisma, cloud, id, token(SETUP_APP_SCOPES), { actor });
    expect(liveApp().certificates).toHaveLength(1);
  });

  it("Entra's own refusal of a certificate longer than its policy is explained, when the token could not read the policy", async () => {
    sim.setScenario(scenario(30));
    await startCertificateSwitch(database.prisma, ring, id, { validityMonths: 12, privateKeyPem: fixtureKeys.c });
    expect(await refusal(token(CLI_SCOPES))).toMatch(/policy allows certificates only for a shorter time/);
    expect(liveApp().certificates).toHaveLength(0);
  });
});
