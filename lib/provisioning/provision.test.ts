import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantNamesFor } from "@/lib/connections/tenant-names";
import { KeyRing } from "@/lib/crypto/seal";
import type { Database } from "@/lib/db/client";
import { resolveCloud } from "@/lib/entra/cloud-config";
import type { Cloud } from "@/lib/entra/clouds";
import type { ChecklistItem } from "@/lib/provisioning/preflight";
import { createAdminGraph } from "@/lib/provisioning/admin-graph";
import { CONSOLE_APP_TAG, provisioningTag, runProvisioning, startProvisioning, undoProvisioning, type RunOptions } from "@/lib/provisioning/provision";
import { getProvisioning, replaceProvisioningToken } from "@/lib/provisioning/records";
import type { FaultInput } from "@/simulator/scenario";
import { testEngines } from "@/test-support/databases";
import { adminToken, CLI_SCOPES, provisioningScenario, provisioningUsers, SETUP_APP_SCOPES } from "@/test-support/provisioning-scenario";
import { simulatorCloudForFile } from "@/test-support/simulator-cloud";
import { startDemoSimulatorForFile } from "@/test-support/simulator-trust";
import { fixtureKeys, pemBody } from "@/test-support/certificate-fixtures";

// The orchestration against the simulator with the real msal-node verification, on both databases.

const { sim, pristine } = startDemoSimulatorForFile();
simulatorCloudForFile(sim);
const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);
const backoff = { baseMs: 5, capMs: 40, boundMs: 3_000 };

function tenantApps(name: string) {
  return sim.scenario.tenants[0]!.apps.filter((app) => app.displayName === name);
}

function writes(path: RegExp): number {
  return sim.requests.filter((request) => request.method !== "GET" && path.test(request.path) && request.status >= 200 && request.status < 300).length;
}

describe.each(testEngines())("provisioning on $name", (engine) => {
  let database: Database;
  let cloud: Cloud;
  let actor: { id: string; email: string };
  beforeAll(async () => {
    database = await engine.open();
    cloud = resolveCloud("custom")!;
    actor = await database.prisma.user.create({ data: { email: `owner-${engine.name}@example.com`, displayName: "Owner", role: "admin" }, select: { id: true, email: true } });
  });
  afterAll(async () => {
    await database.close();
  });

  async function provision(token: string, name: string, extra: Partial<RunOptions> = {}) {
    const id = await startProvisioning(database.prisma, ring, { cloud, token, displayName: name, secretMonths: 6 }, actor);
    const events: ChecklistItem[] = [];
    const outcome = await runProvisioning(database.prisma, ring, cloud, id, { actor, backoff, onEvent: (event) => events.push(event.item), ...extra });
    return { id, outcome, events };
  }

  it("a Global Administrator signed in through the setup app: created, granted, verified and saved; the token is gone afterwards", async () => {
    sim.setScenario(provisioningScenario(pristine()));
    const token = adminToken(sim, provisioningUsers.globalAdmin.id, SETUP_APP_SCOPES);
    const { id, outcome } = await provision(token, `Calsync GA ${engine.name}`);
    expect(outcome.status, outcome.message).toBe("done");
    expect(outcome.grantedRoles).toEqual(["Calendars.ReadWrite", "User.Read.All"]);
    expect(outcome.items.find((item) => item.id === "policy")?.status).toBe("pass");
    const row = await getProvisioning(database.prisma, id);
    expect(row).toMatchObject({ status: "done", connectionId: outcome.connectionId });
    const sealed = await database.prisma.provisioning.findUniqueOrThrow({ where: { id }, select: { tokenSealed: true, secretSealed: true } });
    expect(sealed).toEqual({ tokenSealed: null, secretSealed: null });
    const connection = await database.prisma.connection.findUniqueOrThrow({ where: { id: outcome.connectionId! }, select: { clientId: true, consentGrantedAt: true } });
    expect(connection.clientId).toBe(row?.appId);
    // The console granted the consent itself: the access-denied diagnosis knows Exchange may lag behind it.
    expect(Date.now() - connection.consentGrantedAt!.getTime()).toBeLessThan(60_000);
    const audit = await database.prisma.auditEvent.findMany({ where: { targetId: id }, select: { action: true, summary: true } });
    expect(audit.map((entry) => entry.action).sort()).toEqual(["provisioning.create-app", "provisioning.create-service-principal", "provisioning.credential", "provisioning.grant", "provisioning.grant"]);
    expect(JSON.stringify(audit)).not.toContain(token.split(".")[2]);
    // The tenant's name was read in the pre-flight's round trip, so the status board can show it.
    const tenant = sim.scenario.tenants[0]!;
    expect(await tenantNamesFor(database.prisma, [tenant.id])).toEqual(new Map([[tenant.id.toLowerCase(), tenant.displayName]]));
  });

  it("an Azure CLI token cannot read policies: shown as unknown, not as a failure, and the run completes", async () => {
    sim.setScenario(provisioningScenario(pristine()));
    const { outcome } = await provision(adminToken(sim, provisioningUsers.globalAdmin.id, CLI_SCOPES), `Calsync CLI ${engine.name}`);
    expect(outcome.status, outcome.message).toBe("done");
    expect(outcome.items.find((item) => item.id === "policy")).toMatchObject({ status: "unknown", detail: expect.stringContaining("this token cannot read tenant policies") });
  });

  it("an Application Administrator: the app is created and the grant handed off; after a Global Administrator consents, the resume completes", async () => {
    sim.setScenario(provisioningScenario(pristine()));
    const { id, outcome } = await provision(adminToken(sim, provisioningUsers.applicationAdmin.id, SETUP_APP_SCOPES), `Calsync AA ${engine.name}`);
    expect(outcome.status, outcome.message).toBe("handoff");
    expect(outcome.handOff?.url).toContain("/adminconsent");
    expect(outcome.handOff?.message).toContain("Calendars.ReadWrite");
    const [app] = tenantApps(`Calsync AA ${engine.name}`);
    expect(app?.grantedRoles).toEqual([]);
    // The Global Administrator approves through the link: the simulator grants what the app requests.
    app!.grantedRoles = [...app!.requestedRoles];
    const handedOffAt = new Date();
    const resumed = await runProvisioning(database.prisma, ring, cloud, id, { actor, backoff });
    expect(resumed.status, resumed.message).toBe("done");
    expect(tenantApps(`Calsync AA ${engine.name}`)).toHaveLength(1);
    // Consent given through the hand-off link: recorded when the resume found it.
    const connection = await database.prisma.connection.findUniqueOrThrow({ where: { id: resumed.connectionId! }, select: { consentGrantedAt: true } });
    expect(connection.consentGrantedAt!.getTime()).toBeGreaterThanOrEqual(handedOffAt.getTime());
  });

  it("a user with no admin role in a tenant that forbids registering apps: stopped before any write, with the explanation", async () => {
    sim.setScenario(provisioningScenario(pristine(), (scenario) => (scenario.tenants[0]!.usersCanRegisterApps = false)));
    sim.clearRequests();
    const { outcome } = await provision(adminToken(sim, provisioningUsers.noRole.id, SETUP_APP_SCOPES), `Calsync none ${engine.name}`);
    expect(outcome.status).toBe("stopped");
    expect(outcome.message).toContain("does not let users register apps");
    expect(sim.requests.filter((request) => request.method !== "GET")).toEqual([]);
  });

  it("waits out replication delays on each step with back-off, then succeeds", async () => {
    sim.setScenario(provisioningScenario(pristine()));
    const faults: FaultInput[] = [
      { kind: "replication", path: "/v1.0/servicePrincipals", method: "POST", requests: 2 },
      { kind: "replication", path: "/v1.0/servicePrincipals/*/appRoleAssignedTo", method: "POST", requests: 2 },
      { kind: "replication", path: "/v1.0/applications/*/addPassword", requests: 1 },
      { kind: "replication", path: "*/oauth2/v2.0/token", requests: 1 },
    ];
    sim.setFaults(faults);
    const { outcome, events } = await provision(adminToken(sim, provisioningUsers.globalAdmin.id, SETUP_APP_SCOPES), `Calsync wait ${engine.name}`);
    expect(outcome.status, outcome.message).toBe("done");
    const waits = events.filter((item) => item.status === "waiting").map((item) => item.detail);
    expect(waits.some((detail) => /Waiting for Microsoft Entra to replicate \(attempt 2, next try in \d+ s\)/.test(detail))).toBe(true);
    expect(events.filter((item) => item.id === "verify" && item.status === "waiting")).not.toHaveLength(0);
  });

  it("gives up after the bound with a clear message, and a later attempt resumes without duplicates", async () => {
    sim.setScenario(provisioningScenario(pristine()));
    sim.setFaults([{ kind: "replication", path: "/v1.0/servicePrincipals", method: "POST", requests: 10_000 }]);
    const name = `Calsync bound ${engine.name}`;
    const { id, outcome } = await provision(adminToken(sim, provisioningUsers.globalAdmin.id, SETUP_APP_SCOPES), name, { backoff: { baseMs: 5, capMs: 20, boundMs: 150 } });
    expect(outcome.status).toBe("waiting");
    expect(outcome.message).toMatch(/had not finished replicating.*object id passed where an application \(client\) ID belongs/s);
    sim.setFaults([]);
    const resumed = await runProvisioning(database.prisma, ring, cloud, id, { actor, backoff });
    expect(resumed.status, resumed.message).toBe("done");
    expect(tenantApps(name)).toHaveLength(1);
  });

  for (const step of ["create-app", "create-service-principal", "grant", "credential", "verify"]) {
    it(`resumes after a crash right after ${step} without creating anything twice`, async () => {
      sim.setScenario(provisioningScenario(pristine()));
      sim.clearRequests();
      const name = `Calsync crash ${step} ${engine.name}`;
      const token = adminToken(sim, provisioningUsers.globalAdmin.id, SETUP_APP_SCOPES);
      const id = await startProvisioning(database.prisma, ring, { cloud, token, displayName: name, secretMonths: 6 }, actor);
      await expect(runProvisioning(database.prisma, ring, cloud, id, { actor, backoff, crashAfter: step })).rejects.toThrow("simulated crash");
      const resumed = await runProvisioning(database.prisma, ring, cloud, id, { actor, backoff });
      expect(resumed.status, resumed.message).toBe("done");
      expect(tenantApps(name)).toHaveLength(1);
      expect(writes(/^\/v1\.0\/applications$/)).toBe(1);
      expect(writes(/^\/v1\.0\/servicePrincipals$/)).toBe(1);
      expect(writes(/addPassword$/)).toBe(1);
      expect(tenantApps(name)[0]?.secrets).toHaveLength(1);
    });
  }

  describe("an app found again by its tag after a crash that lost its record", () => {
    async function crashAndLoseRecord(name: string) {
      const token = adminToken(sim, provisioningUsers.globalAdmin.id, SETUP_APP_SCOPES);
      const id = await startProvisioning(database.prisma, ring, { cloud, token, displayName: name, secretMonths: 6 }, actor);
      await expect(runProvisioning(database.prisma, ring, cloud, id, { actor, backoff, crashAfter: "create-app" })).rejects.toThrow("simulated crash");
      // The crash came between Microsoft's answer and the record: only the app's tag knows it.
      await database.prisma.provisioning.update({ where: { id }, data: { applicationObjectId: null, appId: null }, select: { id: true } });
      await database.prisma.provisioningStep.deleteMany({ where: { provisioningId: id, step: "create-app" } });
      return id;
    }

    /** Another user of the tenant registers an app of their own, with this setup's tag copied onto it. */
    async function plant(userId: string, name: string, tag: string): Promise<string> {
      const graph = createAdminGraph(cloud, adminToken(sim, userId, SETUP_APP_SCOPES));
      const created = await graph.request<{ id: string }>("POST", "/applications", { body: { displayName: name, signInAudience: "AzureADMyOrg", tags: [CONSOLE_APP_TAG, tag] } });
      if (!created.ok) throw new Error(`planting failed: ${created.failure.code}`);
      return created.value.id;
    }

    it("the real crash-resume adopts its own app: one app, created once", async () => {
      sim.setScenario(provisioningScenario(pristine()));
      sim.clearRequests();
      const name = `Calsync lost record ${engine.name}`;
      const id = await crashAndLoseRecord(name);
      const resumed = await runProvisioning(database.prisma, ring, cloud, id, { actor, backoff });
      expect(resumed.status, resumed.message).toBe("done");
      expect(tenantApps(name)).toHaveLength(1);
      expect(writes(/^\/v1\.0\/applications$/)).toBe(1);
      expect(sim.requests.some((request) => /^\/v1\.0\/applications\/[^/]+\/owners$/.test(request.path))).toBe(true);
      const row = await getProvisioning(database.prisma, id);
      expect(row?.applicationObjectId).toBe(tenantApps(name)[0]?.objectId);
    });

    it("a tag planted on someone else's app beside ours: refused, nothing reused, nothing granted", async () => {
      sim.setScenario(provisioningScenario(pristine()));
      const name = `Calsync planted ${engine.name}`;
      const id = await crashAndLoseRecord(name);
      const planted = await plant(provisioningUsers.noRole.id, name, provisioningTag(id));
      const resumed = await runProvisioning(database.prisma, ring, cloud, id, { actor, backoff });
      expect(resumed.status).toBe("failed");
      expect(resumed.message).toContain("2 apps carry the tag");
      expect(resumed.message).toContain(planted);
      for (const app of tenantApps(name)) expect(app).toMatchObject({ hasServicePrincipal: false, grantedRoles: [], secrets: [] });
      const row = await getProvisioning(database.prisma, id);
      expect(row?.applicationObjectId).toBeNull();
      const audit = await database.prisma.auditEvent.findMany({ where: { targetId: id, action: "provisioning.tagged-app-refused" }, select: { summary: true } });
      expect(audit).toHaveLength(1);
    });

    /** Ours gone, the planted app the only one with the tag; `dress` makes it look as much like ours as its planter can. */
    async function plantAlone(name: string, dress: (app: ReturnType<typeof tenantApps>[number]) => void) {
      const id = await crashAndLoseRecord(name);
      const tenant = sim.scenario.tenants[0]!;
      tenant.apps.splice(tenant.apps.findIndex((app) => app.displayName === name), 1);
      const planted = await plant(provisioningUsers.noRole.id, name, provisioningTag(id));
      dress(tenantApps(name)[0]!);
      return { id, planted };
    }

    it.each([
      ["the administrator added as a second owner", "not its only owner", (app: ReturnType<typeof tenantApps>[number]) => app.ownerIds.push(provisioningUsers.globalAdmin.id)],
      [
        "the administrator made the only owner, but a secret left on it",
        "credential",
        (app: ReturnType<typeof tenantApps>[number]) => {
          app.ownerIds = [provisioningUsers.globalAdmin.id];
          app.secrets.push({ id: "0c0c0c0c-0000-4000-8000-000000000001", value: "planted~secret~0000000000000000000000", expiresAt: "2030-01-01T00:00:00Z" });
        },
      ],
      [
        "the administrator made the only owner, but a federated credential left on it",
        "credential",
        (app: ReturnType<typeof tenantApps>[number]) => {
          app.ownerIds = [provisioningUsers.globalAdmin.id];
          app.federatedIdentityCredentials.push({ id: "0c0c0c0c-0000-4000-8000-000000000002", name: "ci", issuer: "https://token.actions.githubusercontent.com", subject: "repo:attacker/x:ref:refs/heads/main", audiences: ["api://AzureADTokenExchange"] });
        },
      ],
      [
        "the administrator made the only owner, but its service principal made in advance",
        "service principal",
        (app: ReturnType<typeof tenantApps>[number]) => {
          app.ownerIds = [provisioningUsers.globalAdmin.id];
          app.hasServicePrincipal = true;
        },
      ],
    ])("a planted app, the only one with the tag, %s: refused for good, nothing granted, the token discarded", async (_case, reason, dress) => {
      sim.setScenario(provisioningScenario(pristine()));
      const name = `Calsync planted dressed ${engine.name} ${reason}`;
      const { id, planted } = await plantAlone(name, dress);
      const resumed = await runProvisioning(database.prisma, ring, cloud, id, { actor, backoff });
      expect(resumed.status).toBe("failed");
      expect(resumed.message).toContain(reason);
      expect(resumed.message).toContain(planted);
      expect(tenantApps(name)).toEqual([expect.objectContaining({ grantedRoles: [] })]);
      expect(await getProvisioning(database.prisma, id)).toMatchObject({ status: "refused", applicationObjectId: null });
      expect(await database.prisma.provisioning.findUniqueOrThrow({ where: { id }, select: { tokenSealed: true } })).toEqual({ tokenSealed: null });
      // No later attempt continues it, even with a new token (the command line can hand one over).
      await replaceProvisioningToken(database.prisma, ring, id, adminToken(sim, provisioningUsers.globalAdmin.id, SETUP_APP_SCOPES));
      const again = await runProvisioning(database.prisma, ring, cloud, id, { actor, backoff });
      expect(again.status).toBe("stopped");
      expect(tenantApps(name)[0]?.grantedRoles).toEqual([]);
    });

    it("a resume whose search for the tagged app fails creates nothing: stopped with the reason", async () => {
      sim.setScenario(provisioningScenario(pristine()));
      const name = `Calsync tag search down ${engine.name}`;
      const id = await crashAndLoseRecord(name);
      sim.clearRequests();
      // Both searches of /applications (by name and by tag) stay unavailable through the client's own retries.
      sim.setFaults([{ kind: "unavailable", path: "/v1.0/applications", method: "GET", status: 503, retryAfterSeconds: 0 }]);
      const resumed = await runProvisioning(database.prisma, ring, cloud, id, { actor, backoff });
      sim.setFaults([]);
      expect(resumed.status).toBe("stopped");
      expect(resumed.message).toContain("could not look for an app an earlier attempt may have created");
      expect(writes(/^\/v1\.0\/applications$/)).toBe(0);
      expect(tenantApps(name)).toHaveLength(1);
    });

    it("the only tagged app, but owned by someone else (ours is gone): refused", async () => {
      sim.setScenario(provisioningScenario(pristine()));
      const name = `Calsync planted alone ${engine.name}`;
      const id = await crashAndLoseRecord(name);
      const tenant = sim.scenario.tenants[0]!;
      tenant.apps.splice(tenant.apps.findIndex((app) => app.displayName === name), 1);
      const planted = await plant(provisioningUsers.noRole.id, name, provisioningTag(id));
      const resumed = await runProvisioning(database.prisma, ring, cloud, id, { actor, backoff });
      expect(resumed.status).toBe("failed");
      expect(resumed.message).toContain("not its only owner");
      expect(resumed.message).toContain(planted);
      expect(tenantApps(name)).toEqual([expect.objectContaining({ hasServicePrincipal: false, grantedRoles: [], secrets: [] })]);
    });

    it("a tagged app of the administrator's own that Microsoft registered before the setup began: refused", async () => {
      sim.setScenario(provisioningScenario(pristine()));
      const name = `Calsync old tagged ${engine.name}`;
      const id = await crashAndLoseRecord(name);
      const [app] = tenantApps(name);
      app!.createdAt = new Date(Date.now() - 60 * 60_000).toISOString();
      const resumed = await runProvisioning(database.prisma, ring, cloud, id, { actor, backoff });
      expect(resumed.status).toBe("failed");
      expect(resumed.message).toContain("registered it before this setup began");
      expect(tenantApps(name)).toEqual([expect.objectContaining({ hasServicePrincipal: false })]);
    });
  });

  it("two runs of one provisioning at once: one runs, the other is told so, and one app is created", async () => {
    sim.setScenario(provisioningScenario(pristine()));
    const name = `Calsync twice ${engine.name}`;
    const id = await startProvisioning(database.prisma, ring, { cloud, token: adminToken(sim, provisioningUsers.globalAdmin.id, SETUP_APP_SCOPES), displayName: name, secretMonths: 6 }, actor);
    const outcomes = await Promise.all([1, 2].map(() => runProvisioning(database.prisma, ring, cloud, id, { actor, backoff })));
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(["busy", "done"]);
    expect(tenantApps(name)).toHaveLength(1);
    const lease = await database.prisma.provisioning.findUniqueOrThrow({ where: { id }, select: { leaseUntil: true } });
    expect(lease.leaseUntil).toBeNull();
  });

  it("a run whose lease lapsed while it waited and was taken by another stops before its next write, and leaves the record to the other", async () => {
    sim.setScenario(provisioningScenario(pristine()));
    const name = `Calsync lease taken ${engine.name}`;
    const id = await startProvisioning(database.prisma, ring, { cloud, token: adminToken(sim, provisioningUsers.globalAdmin.id, SETUP_APP_SCOPES), displayName: name, secretMonths: 6 }, actor);
    // Enough refusals that the other window's write lands while this run still waits.
    sim.setFaults([{ kind: "replication", path: "/v1.0/servicePrincipals", method: "POST", requests: 5 }]);
    const takenUntil = new Date(Date.now() + 60 * 60_000);
    let taken: Promise<unknown> | undefined;
    const outcome = await runProvisioning(database.prisma, ring, cloud, id, {
      actor,
      backoff,
      // While the service principal waits for replication, another window takes the (as if lapsed) lease.
      onEvent: (event) => {
        if (!taken && "item" in event && event.item.id === "create-service-principal" && event.item.status === "waiting") {
          // Prisma's queries run when awaited or then'd, not when built.
          taken = database.prisma.provisioning.update({ where: { id }, data: { leaseUntil: takenUntil, status: "running" }, select: { id: true } }).then(() => undefined);
        }
      },
    });
    sim.setFaults([]);
    await taken;
    expect(outcome.status, outcome.message).toBe("busy");
    expect(tenantApps(name)[0]).toMatchObject({ secrets: [], grantedRoles: [] });
    expect(await database.prisma.provisioning.findUniqueOrThrow({ where: { id }, select: { leaseUntil: true, status: true } })).toEqual({ leaseUntil: takenUntil, status: "running" });
  });

  it("a policy that forbids secrets: a certificate is generated, uploaded and saved, whether the token reads the policy or meets the refusal", async () => {
    const forbids = (scenario: Parameters<typeof provisioningScenario>[0]) => (scenario.tenants[0]!.appManagementPolicy = { passwordCredentialsAllowed: false, id: "538f1913-366a-440a-95a0-e195cb55b282" });
    sim.setScenario(provisioningScenario(pristine(), forbids));
    sim.clearRequests();
    const readable = await provision(adminToken(sim, provisioningUsers.globalAdmin.id, SETUP_APP_SCOPES), `Calsync policy ${engine.name}`, { certificateKeyPem: fixtureKeys.a });
    expect(readable.outcome.status, readable.outcome.message).toBe("done");
    expect(readable.outcome.items.find((item) => item.id === "policy")?.detail).toContain("does not allow client secrets, so the console will generate a certificate");
    expect(writes(/addPassword$/)).toBe(0);
    const [app] = tenantApps(`Calsync policy ${engine.name}`);
    expect(app?.secrets).toEqual([]);
    expect(app?.certificates).toHaveLength(1);
    const row = await getProvisioning(database.prisma, readable.id);
    expect(app?.certificates[0]?.keyId).toBe(row?.credentialKeyId);
    const connection = await database.prisma.connection.findUniqueOrThrow({
      where: { id: readable.outcome.connectionId! },
      select: { credentialKind: true, applicationObjectId: true, certificateKeyId: true, certificateGenerated: true, clientSecretSealed: true },
    });
    expect(connection).toMatchObject({ credentialKind: "certificate", applicationObjectId: row?.applicationObjectId, certificateKeyId: row?.credentialKeyId, certificateGenerated: true });
    // The private key is in no audit entry and no step record.
    const audit = JSON.stringify(await database.prisma.auditEvent.findMany({ where: { targetId: readable.id }, select: { summary: true } }));
    const steps = JSON.stringify(row?.steps);
    for (const text of [audit, steps]) expect(text).not.toContain(pemBody(fixtureKeys.a).slice(40, 120));

    sim.setScenario(provisioningScenario(pristine(), forbids));
    const unreadable = await provision(adminToken(sim, provisioningUsers.globalAdmin.id, CLI_SCOPES), `Calsync policy cli ${engine.name}`, { certificateKeyPem: fixtureKeys.a });
    expect(unreadable.outcome.status, unreadable.outcome.message).toBe("done");
    expect(unreadable.outcome.items.find((item) => item.id === "credential")?.detail).toContain("since the tenant's policy refuses client secrets");
    expect(tenantApps(`Calsync policy cli ${engine.name}`)[0]?.certificates).toHaveLength(1);
  });

  it("a secret lifetime cap: a certificate instead when readable, and after the refusal when not; a certificate cap shortens the certificate", async () => {
    sim.setScenario(
      provisioningScenario(pristine(), (scenario) => (scenario.tenants[0]!.appManagementPolicy = { passwordCredentialsAllowed: true, maxPasswordLifetimeDays: 30, maxCertificateLifetimeDays: 90, id: "538f1913-366a-440a-95a0-e195cb55b282" })),
    );
    const capped = await provision(adminToken(sim, provisioningUsers.globalAdmin.id, SETUP_APP_SCOPES), `Calsync cap ${engine.name}`, { certificateKeyPem: fixtureKeys.a });
    expect(capped.outcome.status, capped.outcome.message).toBe("done");
    const row = await getProvisioning(database.prisma, capped.id);
    expect(row?.credentialKind).toBe("certificate");
    expect(row!.credentialExpiresAt!.getTime() - Date.now()).toBeLessThanOrEqual(90 * 86_400_000);
    const unreadable = await provision(adminToken(sim, provisioningUsers.globalAdmin.id, CLI_SCOPES), `Calsync cap cli ${engine.name}`, { certificateKeyPem: fixtureKeys.a });
    // Twelve months is beyond the certificate cap this token cannot read: explained, nothing saved.
    expect(unreadable.outcome.status).toBe("failed");
    expect(unreadable.outcome.message).toContain("caps");
  });

  it("a certificate when the administrator chooses one, resumed after a crash right after its upload without a second key", async () => {
    sim.setScenario(provisioningScenario(pristine()));
    sim.clearRequests();
    const name = `Calsync chosen cert ${engine.name}`;
    const id = await startProvisioning(database.prisma, ring, { cloud, token: adminToken(sim, provisioningUsers.globalAdmin.id, SETUP_APP_SCOPES), displayName: name, secretMonths: 6, credentialKind: "certificate" }, actor);
    await expect(runProvisioning(database.prisma, ring, cloud, id, { actor, backoff, crashAfter: "credential", certificateKeyPem: fixtureKeys.b })).rejects.toThrow("simulated crash");
    const resumed = await runProvisioning(database.prisma, ring, cloud, id, { actor, backoff, certificateKeyPem: fixtureKeys.c });
    expect(resumed.status, resumed.message).toBe("done");
    expect(writes(/addPassword$/)).toBe(0);
    const [app] = tenantApps(name);
    expect(app?.certificates).toHaveLength(1);
    const row = await getProvisioning(database.prisma, id);
    expect(app?.certificates[0]?.keyId).toBe(row?.credentialKeyId);
    const connection = await database.prisma.connection.findUniqueOrThrow({ where: { id: resumed.connectionId! }, select: { certificatePem: true } });
    expect(connection.certificatePem).toBe(row?.certificatePem);
  });

  it("explains a missing role (403) and a full quota", async () => {
    sim.setScenario(provisioningScenario(pristine(), (scenario) => (scenario.tenants[0]!.appQuota = 0)));
    const quota = await provision(adminToken(sim, provisioningUsers.globalAdmin.id, SETUP_APP_SCOPES), `Calsync quota ${engine.name}`);
    expect(quota.outcome).toMatchObject({ status: "failed", message: expect.stringContaining("directory object quota") });
    sim.setScenario(provisioningScenario(pristine()));
    // A Global Administrator whose token lacks AppRoleAssignment.ReadWrite.All: the grant is handed off, not attempted.
    const scopes = SETUP_APP_SCOPES.filter((scope) => scope !== "AppRoleAssignment.ReadWrite.All");
    const noScope = await provision(adminToken(sim, provisioningUsers.globalAdmin.id, scopes), `Calsync scope ${engine.name}`);
    expect(noScope.outcome.status).toBe("handoff");
    expect(noScope.outcome.items.find((item) => item.id === "roles")?.detail).toContain("lacks AppRoleAssignment.ReadWrite.All");
  });

  it("reads the roles from /me/transitiveMemberOf when the token has no wids", async () => {
    sim.setScenario(provisioningScenario(pristine(), (scenario) => {
      for (const user of scenario.tenants[0]!.users) user.omitWids = true;
    }));
    const { outcome } = await provision(adminToken(sim, provisioningUsers.applicationAdmin.id, CLI_SCOPES), `Calsync nowids ${engine.name}`);
    expect(outcome.status, outcome.message).toBe("handoff");
    expect(sim.requests.some((request) => request.path.endsWith("/transitiveMemberOf/microsoft.graph.directoryRole"))).toBe(true);
  });

  it("undo deletes the app, and permanently when asked; both are audited", async () => {
    sim.setScenario(provisioningScenario(pristine()));
    const token = adminToken(sim, provisioningUsers.globalAdmin.id, SETUP_APP_SCOPES);
    const name = `Calsync undo ${engine.name}`;
    const { id, outcome } = await provision(token, name);
    expect(outcome.status).toBe("done");
    const result = await undoProvisioning(database.prisma, cloud, id, { token, permanent: true }, { actor, backoff });
    expect(result).toMatchObject({ ok: true });
    expect(tenantApps(name)).toHaveLength(0);
    expect(sim.scenario.tenants[0]!.deletedApps.filter((app) => app.displayName === name)).toHaveLength(0);
    expect(await database.prisma.connection.count({ where: { id: outcome.connectionId! } })).toBe(0);
    const actions = (await database.prisma.auditEvent.findMany({ where: { targetId: id }, select: { action: true } })).map((entry) => entry.action);
    expect(actions).toEqual(expect.arrayContaining(["provisioning.undo", "provisioning.purge"]));
  });

  it("refuses a token for another cloud's Graph before anything is stored", async () => {
    sim.setScenario(provisioningScenario(pristine()));
    const token = adminToken(sim, provisioningUsers.globalAdmin.id, SETUP_APP_SCOPES, { audience: "https://graph.microsoft.us" });
    await expect(startProvisioning(database.prisma, ring, { cloud, token, displayName: "x", secretMonths: 6 }, actor)).rejects.toThrow(/not for Microsoft Graph/);
    expect(await database.prisma.provisioning.count({ where: { displayName: "x" } })).toBe(0);
  });
});
