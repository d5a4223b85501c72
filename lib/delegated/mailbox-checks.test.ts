import { randomBytes, randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { demo } from "@/simulator/demo-ids";
import type { ScenarioUser } from "@/simulator/scenario";
import { startDemoSimulatorForFile } from "@/test-support/simulator-trust";
import { checkReportSchema, type CheckId, type CheckReport } from "@/lib/checks/schema";
import { stateFromReport } from "@/lib/connections/state";
import { runStoredConnectionChecks } from "@/lib/connections/stored-checks";
import { KeyRing, sealContext } from "@/lib/crypto/seal";
import { runMailboxChecks } from "@/lib/delegated/mailbox-checks";
import { tenantNamesFor } from "@/lib/connections/tenant-names";
import { disconnectMailbox, openTokenCache } from "@/lib/delegated/mailbox-connections";
import { leaseDueConnections, runScheduledCheck } from "@/lib/jobs/scheduled-checks";
import { connectMailbox, saveSignInAppForSuite } from "@/test-support/connect-mailbox";
import { createUserForSuite } from "@/test-support/console-users";
import { testEngines } from "@/test-support/databases";
import { openDatabaseForSuite } from "@/test-support/engine-database";
import { CALLBACK, simulatorCloudForFile } from "@/test-support/simulator-cloud";
import { patchScenario, signInScenarioBeforeEach } from "@/test-support/simulator-scenario";

/**
 * The checks of a connected mailbox against the simulator, with the real msal-node renewing the
 * member's saved sign-in and the real graph-client reading their calendar. Connections are made by
 * the real sign-in flow (the /authorize pages played with fetch).
 */

const { sim, pristine } = startDemoSimulatorForFile();
simulatorCloudForFile(sim);
signInScenarioBeforeEach(sim, pristine);

const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);

/** The live simulator user (changes apply to the next request, and keep issued refresh tokens). */
function liveUser(upn: string): ScenarioUser {
  const user = sim.scenario.tenants[0]!.users.find((candidate) => candidate.upn === upn);
  if (!user) throw new Error(`no user ${upn}`);
  return user;
}

function secretsOf(cacheJson: string): string[] {
  const cache = JSON.parse(cacheJson) as Record<string, Record<string, { secret?: string }> | undefined>;
  return ["RefreshToken", "AccessToken"].flatMap((section) => Object.values(cache[section] ?? {}).map((entry) => entry.secret ?? ""));
}

describe.each(testEngines())("mailbox checks on $name", (engine) => {
  const database = openDatabaseForSuite(engine);
  const admin = createUserForSuite(database, "admin@example.com", "Admin", "admin");
  const member = createUserForSuite(database, "alice@example.com", "Alice Member", "member");
  saveSignInAppForSuite(database, ring, admin);

  beforeEach(async () => {
    await database.prisma.connection.deleteMany();
  });

  const connect = async (login: string): Promise<string> => (await connectMailbox(database.prisma, ring, member, login)).connectionId;

  async function check(id: string, options: { retryBudgetMs?: number } = {}) {
    const report = await runMailboxChecks(database.prisma, ring, id, { timeoutMs: 10_000, ...options });
    if (!report) throw new Error("no report");
    expect(checkReportSchema.parse(report)).toEqual(report);
    // Neither the refresh token nor an access token ever reaches a report.
    const cache = await openTokenCache(database.prisma, ring, id);
    for (const secret of cache ? secretsOf(cache.cacheJson) : []) expect(JSON.stringify(report)).not.toContain(secret);
    const byId = (checkId: CheckId) => {
      const found = report.checks.find((candidate) => candidate.id === checkId);
      if (!found) throw new Error(`no ${checkId} check in ${JSON.stringify(report.checks.map((c) => c.id))}`);
      return found;
    };
    return { report, byId };
  }

  const statuses = (report: CheckReport) => report.checks.map((entry) => [entry.id, entry.status]);
  const healthyMailbox = [
    ["session", "pass"],
    ["permissions", "pass"],
    ["profile", "pass"],
    ["calendar", "pass"],
  ];

  it("passes a healthy mailbox, renewing the saved sign-in and sealing the renewed cache", async () => {
    const id = await connect(demo.users.adele.upn);
    const before = await openTokenCache(database.prisma, ring, id);
    sim.clearRequests();
    const { report, byId } = await check(id);
    expect(statuses(report)).toEqual(healthyMailbox);
    expect(report).toMatchObject({ ok: true, cancelled: false, tenantId: demo.contoso.id, cloud: "custom" });
    expect(stateFromReport(report)).toBe("healthy");
    expect(byId("permissions").detail).toMatch(/Calendars\.ReadWrite/);
    expect(byId("profile").detail).toContain(demo.users.adele.upn);
    // The session check really went to Microsoft with the refresh token, and Graph was asked as /me.
    expect(sim.requests.filter((request) => request.form?.grant_type === "refresh_token")).toHaveLength(1);
    expect(sim.requests.some((request) => request.path === "/v1.0/me/calendar")).toBe(true);
    // The renewed cache (a new refresh token) was sealed back to the row.
    const after = await openTokenCache(database.prisma, ring, id);
    expect(after!.sealed).not.toBe(before!.sealed);
    expect(secretsOf(after!.cacheJson)).not.toEqual(secretsOf(before!.cacheJson));
  });

  it("learns the tenant's display name for the status board, in the same round trip as the profile", async () => {
    const id = await connect(demo.users.adele.upn);
    await database.prisma.tenantName.deleteMany();
    sim.clearRequests();
    await check(id);
    const tenant = sim.scenario.tenants[0]!;
    expect(await tenantNamesFor(database.prisma, [tenant.id])).toEqual(new Map([[tenant.id.toLowerCase(), tenant.displayName]]));
    expect(sim.requests.filter((request) => request.path === "/v1.0/organization")).toHaveLength(1);
  });

  it("writes and removes a test event when the write test is on", async () => {
    const id = await connect(demo.users.adele.upn);
    await database.prisma.connection.update({ where: { id }, data: { writeTest: true } });
    const { report, byId } = await check(id);
    expect(statuses(report)).toEqual([...healthyMailbox, ["calendar-write", "pass"]]);
    expect(byId("calendar-write").detail).toContain(demo.users.adele.upn);
    expect(sim.requests.some((request) => request.method === "POST" && request.path === "/v1.0/me/events")).toBe(true);
    expect(liveUser(demo.users.adele.upn).events.some((event) => event.subject.startsWith("Calsync Console write test"))).toBe(false);
  });

  it.each([
    ["a member without a mailbox", demo.users.noMailbox.upn],
    ["a B2B guest", demo.users.guest.upn],
  ])("fails the calendar of %s (MailboxNotEnabledForRESTAPI), not the sign-in", async (_label, upn) => {
    const id = await connect(upn);
    await database.prisma.connection.update({ where: { id }, data: { writeTest: true } });
    const { report, byId } = await check(id);
    expect(byId("session").status).toBe("pass");
    expect(byId("calendar")).toMatchObject({ status: "fail", code: "MailboxNotEnabledForRESTAPI" });
    expect(byId("calendar").detail).toContain(upn);
    expect(byId("calendar-write").status).toBe("skip");
    expect(report.ok).toBe(false);
    expect(stateFromReport(report)).toBe("failing");
  });

  it.each<[string, string, (upn: string) => void]>([
    ["an expired refresh token", "AADSTS70008", (upn) => (liveUser(upn).refreshTokenState = "expired")],
    ["a refresh token unused for 90 days", "AADSTS700082", (upn) => (liveUser(upn).refreshTokenState = "inactive")],
    ["revoked sessions", "AADSTS50173", (upn) => sim.revokeRefreshTokens(upn)],
    ["expired MFA", "AADSTS50078", (upn) => (liveUser(upn).refreshMfaError = 50078)],
    ["MFA enrolment required", "AADSTS50079", (upn) => (liveUser(upn).refreshMfaError = 50079)],
    ["a Conditional Access block", "AADSTS53003", (upn) => (liveUser(upn).conditionalAccessBlocked = true)],
  ])("puts a mailbox whose renewal meets %s in needs re-authentication (%s)", async (_label, code, breakIt) => {
    const id = await connect(demo.users.adele.upn);
    breakIt(demo.users.adele.upn);
    const { report, byId } = await check(id);
    expect(byId("session")).toMatchObject({ status: "fail", code });
    expect(byId("session").detail).toContain("Alice Member (alice@example.com) must sign in again");
    expect(report.checks.filter((entry) => entry.id !== "session").every((entry) => entry.status === "skip")).toBe(true);
    expect(report.ok).toBe(false);
    expect(stateFromReport(report)).toBe("needs_reauth");
    // Graph was never called without a valid sign-in.
    expect(sim.requests.some((request) => request.path.startsWith("/v1.0/"))).toBe(false);
  });

  it("puts a connection without a saved sign-in in needs re-authentication", async () => {
    const id = await connect(demo.users.adele.upn);
    await database.prisma.connection.update({ where: { id }, data: { tokenCacheSealed: null } });
    sim.clearRequests();
    const { report, byId } = await check(id);
    expect(byId("session")).toMatchObject({ status: "fail", code: "no-saved-sign-in" });
    expect(stateFromReport(report)).toBe("needs_reauth");
    expect(sim.requests).toHaveLength(0);
  });

  it("disconnect deletes the tokens and is audited, by the owner only", async () => {
    const id = await connect(demo.users.adele.upn);
    const cache = (await openTokenCache(database.prisma, ring, id))!;
    const refreshToken = Object.values((JSON.parse(cache.cacheJson) as { RefreshToken: Record<string, { secret: string }> }).RefreshToken)[0]!.secret;
    const stranger = { id: randomUUID(), email: "stranger@example.com" };
    await expect(disconnectMailbox(database.prisma, id, { actor: stranger, ownerId: stranger.id })).rejects.toThrow("no longer exists");
    expect(await openTokenCache(database.prisma, ring, id)).not.toBeNull();

    await disconnectMailbox(database.prisma, id, { actor: member, ownerId: member.id, ip: "192.0.2.9" });
    expect(await database.prisma.connection.count({ where: { id } })).toBe(0);
    const audit = await database.prisma.auditEvent.findMany({ where: { action: "mailbox.disconnect", targetId: id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: member.id, ip: "192.0.2.9", targetLabel: demo.users.adele.upn });
    expect(JSON.stringify(audit, (_key, value: unknown) => (typeof value === "bigint" ? String(value) : value))).not.toContain(refreshToken);
  });

  it("needs re-authentication, not a new connection, after the operator switches sign-in apps", async () => {
    const other = demo.apps.calendarsOnly;
    patchScenario(sim, (scenario) => scenario.tenants[0]!.apps.find((app) => app.clientId === other.clientId)!.redirectUris.push(CALLBACK));
    const id = await connect(demo.users.adele.upn);
    const original = await database.prisma.delegatedApp.findUniqueOrThrow({ where: { id: 1 }, select: { clientId: true, credentialSealed: true } });
    await database.prisma.delegatedApp.update({
      where: { id: 1 },
      data: { clientId: other.clientId, credentialSealed: ring.seal(other.secret, sealContext("delegated_apps", "credential_sealed", 1)) },
    });
    try {
      const { report, byId } = await check(id);
      expect(byId("session")).toMatchObject({ status: "fail", code: "no_tokens_found" });
      expect(stateFromReport(report)).toBe("needs_reauth");
      // Reconnecting through the new app keeps the connection (and moves it to that app).
      const again = await connectMailbox(database.prisma, ring, member, demo.users.adele.upn, { reconnectId: id });
      expect(again.connectionId).toBe(id);
      expect(await database.prisma.connection.findUniqueOrThrow({ where: { id }, select: { clientId: true } })).toEqual({ clientId: other.clientId });
    } finally {
      await database.prisma.delegatedApp.update({ where: { id: 1 }, data: original });
    }
  });

  it("has nothing to check once the mailbox is disconnected", async () => {
    const id = await connect(demo.users.adele.upn);
    await disconnectMailbox(database.prisma, id, { actor: member, ownerId: member.id });
    expect(await runMailboxChecks(database.prisma, ring, id)).toBeNull();
    expect(await runStoredConnectionChecks(database.prisma, ring, id)).toBeNull();
  });

  it("treats a Microsoft outage as failing, not as needing re-authentication", async () => {
    const id = await connect(demo.users.adele.upn);
    const before = await openTokenCache(database.prisma, ring, id);
    sim.setFaults([{ kind: "unavailable", path: "*/oauth2/v2.0/token", status: 503, retryAfterSeconds: 0 }]);
    const { report, byId } = await check(id, { retryBudgetMs: 200 });
    expect(byId("session").status).toBe("fail");
    expect(byId("session").code).toBe("AADSTS90033");
    expect(report.ok).toBe(false);
    expect(stateFromReport(report)).toBe("failing");
    // The saved sign-in is untouched: it works again once Microsoft does.
    expect((await openTokenCache(database.prisma, ring, id))!.sealed).toBe(before!.sealed);
    sim.setFaults([]);
    expect(stateFromReport((await check(id)).report)).toBe("healthy");
  });

  it("is what runStoredConnectionChecks runs for a mailbox connection", async () => {
    const id = await connect(demo.users.adele.upn);
    const report = await runStoredConnectionChecks(database.prisma, ring, id, {
      timeoutMs: 10_000,
      runOrganizationChecks: () => Promise.reject(new Error("organisation checks must not run for a mailbox")),
    });
    expect(report?.checks.map((entry) => entry.id)).toEqual(["session", "permissions", "profile", "calendar"]);
  });

  it("runs scheduled checks of mailbox connections and moves a revoked one to needs re-authentication", async () => {
    const id = await connect(demo.users.adele.upn);
    const now = new Date();
    await database.prisma.connection.update({ where: { id }, data: { nextCheckAt: new Date(now.getTime() - 60_000), state: "healthy" } });
    sim.revokeRefreshTokens(demo.users.adele.upn);

    const leases = await leaseDueConnections(database.prisma, { instanceId: "i1", now, leaseMs: 60_000, limit: 10 });
    expect(leases.map((lease) => lease.id)).toEqual([id]);
    expect(leases[0]!.tenantId).toBe(demo.contoso.id);
    const outcome = await runScheduledCheck(database.prisma, ring, leases[0]!, {
      instanceId: "i1",
      now: () => now,
      defaultIntervalMinutes: 360,
      random: () => 0.5,
      checkTimeoutMs: 10_000,
      runCheck: () => Promise.reject(new Error("organisation checks must not run for a mailbox")),
    });
    expect(outcome).toMatchObject({ outcome: "recorded", throttled: false, run: { state: "needs_reauth", stateChange: { from: "healthy", to: "needs_reauth", code: "AADSTS50173" } } });
    if (outcome.outcome !== "recorded") return;
    expect(outcome.nextCheckAt.getTime()).toBe(now.getTime() + 360 * 60_000);

    const connection = await database.prisma.connection.findUniqueOrThrow({ where: { id } });
    expect(connection).toMatchObject({ state: "needs_reauth", leaseOwner: null, leaseExpiresAt: null });
    const runs = await database.prisma.checkRun.findMany({ where: { connectionId: id } });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: "scheduled", ok: false, state: "needs_reauth", failedCheck: "session", code: "AADSTS50173" });
    const changes = await database.prisma.stateChange.findMany({ where: { connectionId: id } });
    expect(changes.map((change) => [change.fromState, change.toState])).toEqual([["healthy", "needs_reauth"]]);
  });
});
