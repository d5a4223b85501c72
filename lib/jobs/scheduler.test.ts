import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CheckInput } from "@/lib/checks/schema";
import { KeyRing } from "@/lib/crypto/seal";
import type { Database } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { enqueueExpiryWarnings, enqueueStateChangeAlerts, expiryThreshold } from "@/lib/jobs/alerts";
import { pruneCheckRuns } from "@/lib/jobs/retention";
import { runDueChecks, startScheduler } from "@/lib/jobs/scheduler";
import { JITTER_FRACTION, jitteredIntervalMs, leaseDueConnections, runScheduledCheck, type CheckRunner } from "@/lib/jobs/scheduled-checks";
import { cannedReport, insertConnection } from "@/test-support/jobs";
import { testEngines } from "@/test-support/databases";

const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);
const MINUTE = 60_000;
const DAY = 86_400_000;
const otherTenant = "0f0f0f0f-0000-4000-8000-000000000000";

describe("jitter", () => {
  it("spreads the interval by at most ±10% and uses the whole range", () => {
    expect(jitteredIntervalMs(360, () => 0)).toBe(324 * MINUTE);
    expect(JITTER_FRACTION).toBe(0.1);
    expect(jitteredIntervalMs(360, () => 1)).toBe(396 * MINUTE);
    const samples = Array.from({ length: 2000 }, () => jitteredIntervalMs(60));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(54 * MINUTE);
    expect(Math.max(...samples)).toBeLessThanOrEqual(66 * MINUTE);
    // Spread, not a constant: both halves of the window are used.
    expect(samples.some((value) => value < 59 * MINUTE) && samples.some((value) => value > 61 * MINUTE)).toBe(true);
  });

  it("expiry thresholds: the smallest one not below the days left, none once expired", () => {
    const expires = new Date("2027-01-31T00:00:00Z");
    const at = (days: number) => new Date(expires.getTime() - days * DAY + 13 * 3_600_000);
    expect([31, 30, 15, 14, 8, 7, 2, 1, 0, -1].map((days) => expiryThreshold(expires, at(days)))).toEqual([null, 30, 30, 14, 14, 7, 7, 1, 1, null]);
  });
});

describe.each(testEngines())("scheduler on $name", (engine) => {
  let database: Database;
  beforeAll(async () => {
    database = await engine.open();
  });
  afterAll(async () => {
    await database.close();
  });
  beforeEach(async () => {
    await database.prisma.notificationChannel.deleteMany();
    await database.prisma.connection.deleteMany();
    await database.prisma.delegatedApp.deleteMany();
  });

  const runnerFor = (kinds: Record<string, "pass" | "fail" | "throttled">, calls: string[] = []): CheckRunner => {
    return async (input: CheckInput) => {
      calls.push(input.clientId);
      return cannedReport(kinds[input.clientId] ?? "pass");
    };
  };

  const base = { instanceId: "test-instance", concurrency: 4, defaultIntervalMinutes: 360 };

  it("re-checks a propagating scope at +30 min, +1 h and +2 h of the change, on the scheduler's clock, then falls back to the interval", async () => {
    const changedAt = new Date("2026-12-02T10:00:00Z");
    const id = await insertConnection(database.prisma, ring, { nextCheckAt: new Date("2026-12-02T10:05:00Z"), scopeMode: "rbac", scopeChangedAt: changedAt });
    const seen: { scopeChangedAt?: string; now?: string }[] = [];
    // Exchange never applies the change here; the checks see the scheduler's clock and the connection's change time.
    const runner: CheckRunner = async (input, options) => {
      const now = options.now!();
      seen.push({ ...(input.scopeChangedAt ? { scopeChangedAt: input.scopeChangedAt } : {}), now: now.toISOString() });
      const waiting = now.getTime() - changedAt.getTime() < 2 * 60 * MINUTE;
      const report = cannedReport("fail", now);
      return { ...report, ok: waiting, checks: [{ id: "calendar", status: waiting ? "warn" : "fail", title: "t", detail: "d", code: waiting ? "scope-propagating" : "ErrorAccessDenied", durationMs: 1 }] };
    };
    const nextAt = async () => (await database.prisma.connection.findUniqueOrThrow({ where: { id }, select: { nextCheckAt: true } })).nextCheckAt.toISOString();
    let clock = new Date("2026-12-02T10:05:00Z");
    const pass = () => runDueChecks({ ...base, db: database.prisma, ring, now: () => clock, runCheck: runner, random: () => 0.5 });
    await pass();
    expect(await nextAt()).toBe("2026-12-02T10:30:00.000Z");
    clock = new Date("2026-12-02T10:30:00Z");
    await pass();
    expect(await nextAt()).toBe("2026-12-02T11:00:00.000Z");
    clock = new Date("2026-12-02T11:00:00Z");
    await pass();
    expect(await nextAt()).toBe("2026-12-02T12:00:00.000Z");
    clock = new Date("2026-12-02T12:00:00Z");
    await pass();
    // Two hours on, the failure is real and the connection goes back to its regular interval.
    expect(await nextAt()).toBe("2026-12-02T18:00:00.000Z");
    expect(seen.map((entry) => entry.now)).toEqual(["2026-12-02T10:05:00.000Z", "2026-12-02T10:30:00.000Z", "2026-12-02T11:00:00.000Z", "2026-12-02T12:00:00.000Z"]);
    expect(seen.every((entry) => entry.scopeChangedAt === changedAt.toISOString())).toBe(true);
  });

  it("checks due connections once, leaves the rest alone, and reschedules within the jitter window", async () => {
    const now = new Date();
    const due = await Promise.all([1, 2, 3].map(() => insertConnection(database.prisma, ring, { nextCheckAt: new Date(now.getTime() - MINUTE) })));
    const custom = await insertConnection(database.prisma, ring, { nextCheckAt: new Date(now.getTime() - MINUTE), checkIntervalMinutes: 60 });
    const later = await insertConnection(database.prisma, ring, { nextCheckAt: new Date(now.getTime() + 10 * MINUTE) });

    const summary = await runDueChecks({ ...base, db: database.prisma, ring, now: () => now, runCheck: runnerFor({}) });
    expect(summary).toEqual({ recorded: 4, deferred: 0, lostLeases: 0, errors: 0 });

    const rows = await database.prisma.connection.findMany({ select: { id: true, nextCheckAt: true, leaseOwner: true, leaseExpiresAt: true, lastCheckedAt: true } });
    for (const row of rows) {
      expect(row.leaseOwner).toBeNull();
      expect(row.leaseExpiresAt).toBeNull();
      const delay = row.nextCheckAt.getTime() - now.getTime();
      const [low, high] = row.id === custom ? [54, 66] : [324, 396];
      if (row.id !== later) {
        expect(delay).toBeGreaterThanOrEqual(low * MINUTE);
        expect(delay).toBeLessThanOrEqual(high * MINUTE);
      }
      if (row.id === later) expect(row.lastCheckedAt).toBeNull();
    }
    const runs = await database.prisma.checkRun.groupBy({ by: ["connectionId"], _count: { _all: true }, where: { trigger: "scheduled" } });
    expect(runs.map((run) => [run.connectionId, run._count._all]).sort()).toEqual([...due, custom].map((id) => [id, 1]).sort());

    // A second pass at the same moment finds nothing due.
    expect((await runDueChecks({ ...base, db: database.prisma, ring, now: () => now, runCheck: runnerFor({}) })).recorded).toBe(0);
  });

  it("honours the concurrency limit", async () => {
    const now = new Date();
    for (let index = 0; index < 7; index++) await insertConnection(database.prisma, ring, { nextCheckAt: new Date(now.getTime() - MINUTE) });
    let inFlight = 0;
    let peak = 0;
    const runCheck: CheckRunner = async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 15));
      inFlight--;
      return cannedReport("pass");
    };
    const summary = await runDueChecks({ ...base, concurrency: 2, db: database.prisma, ring, now: () => now, runCheck });
    expect(summary.recorded).toBe(7);
    expect(peak).toBe(2);
  });

  it("backs off a throttled connection and the other connections of its tenant, not other tenants", async () => {
    const now = new Date();
    const backoff = 20 * MINUTE;
    const throttled = await insertConnection(database.prisma, ring, { name: "a-throttled", clientId: "aaaaaaaa-0000-4000-8000-000000000001", nextCheckAt: new Date(now.getTime() - 3 * MINUTE), checkIntervalMinutes: 5 });
    const sibling = await insertConnection(database.prisma, ring, { name: "b-sibling", clientId: "aaaaaaaa-0000-4000-8000-000000000002", nextCheckAt: new Date(now.getTime() - 2 * MINUTE) });
    const soonSibling = await insertConnection(database.prisma, ring, { name: "c-soon", clientId: "aaaaaaaa-0000-4000-8000-000000000003", nextCheckAt: new Date(now.getTime() + 5 * MINUTE) });
    const stranger = await insertConnection(database.prisma, ring, { name: "d-stranger", tenantId: otherTenant, clientId: "aaaaaaaa-0000-4000-8000-000000000004", nextCheckAt: new Date(now.getTime() - MINUTE) });
    const calls: string[] = [];
    const summary = await runDueChecks({
      ...base,
      concurrency: 1,
      db: database.prisma,
      ring,
      now: () => now,
      throttleBackoffMs: backoff,
      runCheck: runnerFor({ "aaaaaaaa-0000-4000-8000-000000000001": "throttled" }, calls),
    });
    // The throttled one ran first (oldest due); its sibling was not checked, the other tenant was.
    expect(calls).toEqual(["aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000004"]);
    expect(summary).toMatchObject({ recorded: 2 });
    const next = Object.fromEntries(
      (await database.prisma.connection.findMany({ select: { id: true, nextCheckAt: true } })).map((row) => [row.id, row.nextCheckAt.getTime() - now.getTime()]),
    );
    expect(next[throttled]).toBe(backoff); // not its 5-minute interval
    expect(next[sibling]).toBe(backoff);
    expect(next[soonSibling]).toBe(backoff);
    expect(next[stranger]).toBeGreaterThan(300 * MINUTE);
  });

  it("persistent throttling doubles the wait each time, up to the normal interval", async () => {
    const now = new Date();
    const wait = 20 * MINUTE;
    const withStreak = async (streak: number) => {
      const id = await insertConnection(database.prisma, ring, { tenantId: `0e0e0e0e-0000-4000-8000-00000000000${streak}`, nextCheckAt: new Date(now.getTime() - MINUTE) });
      for (let index = 0; index < streak; index++) {
        await database.prisma.checkRun.create({
          data: { connectionId: id, startedAt: new Date(now.getTime() - (index + 1) * MINUTE), durationMs: 1, trigger: "scheduled", ok: false, state: "failing", code: "ApplicationThrottled", report: cannedReport("throttled") },
          select: { id: true },
        });
      }
      return id;
    };
    const ids = [await withStreak(0), await withStreak(2), await withStreak(6)];
    await runDueChecks({ ...base, db: database.prisma, ring, now: () => now, throttleBackoffMs: wait, runCheck: async () => cannedReport("throttled") });
    const next = await Promise.all(ids.map(async (id) => (await database.prisma.connection.findUniqueOrThrow({ where: { id }, select: { nextCheckAt: true } })).nextCheckAt.getTime() - now.getTime()));
    expect(next[0]).toBe(wait);
    expect(next[1]).toBe(4 * wait);
    // 64 × 20 minutes would be days: capped at the (jittered) 6-hour interval.
    expect(next[2]).toBeGreaterThanOrEqual(324 * MINUTE);
    expect(next[2]).toBeLessThanOrEqual(396 * MINUTE);
  });

  it("a state change alerts each subscribed channel once, however often the check keeps failing", async () => {
    const channels = await Promise.all(
      [
        { kind: "webhook", name: "hook", target: "http://127.0.0.1:9/hook" },
        { kind: "email", name: "mail", target: "ops@example.com" },
        { kind: "email", name: "expiry only", target: "x@example.com", onStateChange: false },
        { kind: "email", name: "disabled", target: "y@example.com", enabled: false },
      ].map((data) => database.prisma.notificationChannel.create({ data, select: { id: true, name: true } })),
    );
    let clock = Date.now();
    const id = await insertConnection(database.prisma, ring, { name: "Contoso sync", nextCheckAt: new Date(clock - MINUTE) });
    const tick = async (kind: "pass" | "fail") => {
      await runDueChecks({ ...base, db: database.prisma, ring, now: () => new Date(clock), runCheck: async () => cannedReport(kind) });
      clock += 7 * 3_600_000;
    };
    for (const kind of ["fail", "fail", "fail", "pass", "pass"] as const) await tick(kind);

    expect(await database.prisma.checkRun.count({ where: { connectionId: id } })).toBe(5);
    const changes = await database.prisma.stateChange.findMany({ where: { connectionId: id }, orderBy: { id: "asc" }, select: { id: true, fromState: true, toState: true } });
    expect(changes.map((change) => [change.fromState, change.toState])).toEqual([
      ["healthy", "failing"],
      ["failing", "healthy"],
    ]);
    const deliveries = await database.prisma.notificationDelivery.findMany({ select: { channelId: true, eventKey: true, payload: true }, orderBy: { id: "asc" } });
    const names = new Map(channels.map((channel) => [channel.id, channel.name]));
    expect(deliveries.map((delivery) => [names.get(delivery.channelId), delivery.eventKey]).sort()).toEqual(
      [
        ["hook", `state:${changes[0]!.id}`],
        ["mail", `state:${changes[0]!.id}`],
        ["hook", `state:${changes[1]!.id}`],
        ["mail", `state:${changes[1]!.id}`],
      ].sort(),
    );
    expect(deliveries[0]!.payload).toMatchObject({
      type: "connection.state_changed",
      connection: { id, name: "Contoso sync", url: expect.stringMatching(new RegExp(`/connections/${id}$`)) },
      stateChange: { from: "healthy", to: "failing", code: "AADSTS7000215", cause: expect.stringContaining("Client secret is wrong") },
    });
  });

  it("a late finisher whose lease was taken over records nothing; an expired lease is leased again", async () => {
    const now = new Date();
    const id = await insertConnection(database.prisma, ring, { nextCheckAt: new Date(now.getTime() - MINUTE) });
    const [lease] = await leaseDueConnections(database.prisma, { instanceId: "slow", now, leaseMs: 1_000, limit: 10 });
    expect(lease?.id).toBe(id);
    expect(await leaseDueConnections(database.prisma, { instanceId: "other", now, leaseMs: 1_000, limit: 10 })).toEqual([]);
    // After the lease runs out, another instance takes the same slot over.
    const [takeover] = await leaseDueConnections(database.prisma, { instanceId: "other", now: new Date(now.getTime() + 1_001), leaseMs: 60_000, limit: 10 });
    expect(takeover?.id).toBe(id);
    const late = await runScheduledCheck(database.prisma, ring, lease!, { instanceId: "slow", defaultIntervalMinutes: 360, runCheck: async () => cannedReport("fail") });
    expect(late).toEqual({ outcome: "lost-lease" });
    expect(await database.prisma.checkRun.count({ where: { connectionId: id } })).toBe(0);
    const done = await runScheduledCheck(database.prisma, ring, takeover!, { instanceId: "other", defaultIntervalMinutes: 360, runCheck: async () => cannedReport("pass") });
    expect(done.outcome).toBe("recorded");
    expect(await database.prisma.checkRun.count({ where: { connectionId: id } })).toBe(1);

    // A row left behind by a dead instance is picked up once its lease has expired, not before.
    const orphan = await insertConnection(database.prisma, ring, { nextCheckAt: new Date(now.getTime() - MINUTE), leaseOwner: "dead", leaseExpiresAt: new Date(now.getTime() - 1) });
    const held = await insertConnection(database.prisma, ring, { nextCheckAt: new Date(now.getTime() - MINUTE), leaseOwner: "alive", leaseExpiresAt: new Date(now.getTime() + MINUTE) });
    const leased = (await leaseDueConnections(database.prisma, { instanceId: "other", now, leaseMs: 1_000, limit: 10 })).map((row) => row.id);
    expect(leased).toContain(orphan);
    expect(leased).not.toContain(held);
  });

  it("expiry warnings fire at 30, 14, 7 and 1 days, once each, to onExpiry channels", async () => {
    const mail = await database.prisma.notificationChannel.create({ data: { kind: "email", name: "mail", target: "ops@example.com", onStateChange: false }, select: { id: true } });
    await database.prisma.notificationChannel.create({ data: { kind: "email", name: "changes only", target: "x@example.com", onExpiry: false }, select: { id: true } });
    const expires = new Date("2027-03-01T00:00:00Z");
    const id = await insertConnection(database.prisma, ring, { name: "Expiring", secretExpiresAt: expires, nextCheckAt: new Date(Date.now() + DAY) });
    await insertConnection(database.prisma, ring, { name: "Far away", secretExpiresAt: new Date("2028-01-01T00:00:00Z") });
    // Every 12 hours from 40 days before until 3 days after: many ticks, four warnings.
    for (let at = expires.getTime() - 40 * DAY; at <= expires.getTime() + 3 * DAY; at += 12 * 3_600_000) {
      await enqueueExpiryWarnings(database.prisma, { now: new Date(at) });
    }
    const deliveries = await database.prisma.notificationDelivery.findMany({ select: { channelId: true, eventKey: true, payload: true }, orderBy: { id: "asc" } });
    expect(deliveries.every((delivery) => delivery.channelId === mail.id)).toBe(true);
    expect(deliveries.map((delivery) => delivery.eventKey)).toEqual([30, 14, 7, 1].map((threshold) => `expiry:${id}:2027-03-01:${threshold}`));
    expect(deliveries.map((delivery) => (delivery.payload as { expiry: { daysLeft: number } }).expiry.daysLeft)).toEqual([30, 14, 7, 1]);
    expect(deliveries[0]!.payload).toMatchObject({ type: "connection.secret_expiring", expiry: { expiresAt: "2027-03-01", threshold: 30 } });
  });

  it("certificates warn with their exact expiry: one Calsync cannot renew at every threshold, one it renews only once renewal is overdue", async () => {
    await database.prisma.notificationChannel.create({ data: { kind: "email", name: "mail", target: "ops@example.com" }, select: { id: true } });
    const expires = new Date("2027-03-01T15:30:00Z");
    const uploaded = await insertConnection(database.prisma, ring, { name: "Uploaded" });
    const generated = await insertConnection(database.prisma, ring, { name: "Generated" });
    await database.prisma.connection.update({ where: { id: uploaded }, data: { credentialKind: "certificate", certificateExpiresAt: expires, certificateGenerated: false } });
    await database.prisma.connection.update({
      where: { id: generated },
      data: { credentialKind: "certificate", certificateExpiresAt: expires, certificateGenerated: true, applicationObjectId: "0f0e0d0c-0b0a-4908-8706-050403020100" },
    });
    for (let at = expires.getTime() - 40 * DAY; at <= expires.getTime() + 3 * DAY; at += 12 * 3_600_000) {
      await enqueueExpiryWarnings(database.prisma, { now: new Date(at) });
    }
    const deliveries = await database.prisma.notificationDelivery.findMany({ select: { eventKey: true, payload: true }, orderBy: { id: "asc" } });
    const keys = deliveries.map((delivery) => delivery.eventKey);
    expect(keys.filter((key) => key.includes(uploaded))).toEqual([30, 14, 7, 1].map((threshold) => `expiry:${uploaded}:certificate:2027-03-01:${threshold}`));
    expect(keys.filter((key) => key.includes(generated))).toEqual([14, 7, 1].map((threshold) => `expiry:${generated}:certificate:2027-03-01:${threshold}`));
    const first = deliveries.find((delivery) => delivery.eventKey.includes(uploaded))!.payload as { type: string; summary: string };
    expect(first.type).toBe("connection.certificate_expiring");
    expect(first.summary).toContain("Calsync cannot renew it itself (it was uploaded, not made by Calsync)");
    const overdue = deliveries.find((delivery) => delivery.eventKey.includes(generated))!.payload as { summary: string };
    expect(overdue.summary).toContain("has not renewed it yet");
  });

  it("a secret Microsoft already refused as expired gets no countdown, and its state change says Expired (Microsoft)", async () => {
    await database.prisma.notificationChannel.create({ data: { kind: "email", name: "mail", target: "ops@example.com" }, select: { id: true } });
    const expires = new Date("2027-03-01T00:00:00Z");
    const id = await insertConnection(database.prisma, ring, { name: "Refused", secretExpiresAt: expires, lastReport: cannedReport("expired") });
    await enqueueExpiryWarnings(database.prisma, { now: new Date(expires.getTime() - 10 * DAY) });
    expect(await database.prisma.notificationDelivery.count()).toBe(0);

    const change = { id: 1n, connectionId: id, from: "healthy", to: "failing", cause: "Client secret expired", code: "AADSTS7000222", occurredAt: new Date() } as const;
    await enqueueStateChangeAlerts(database.prisma, change);
    const [alert] = await database.prisma.notificationDelivery.findMany({ select: { payload: true } });
    expect((alert!.payload as { summary: string }).summary).toBe("Refused: Healthy → Failing. Client secret expired Client secret: Expired (Microsoft).");
  });

  it("the mailbox sign-in app's expiring credential is warned about too, once per threshold", async () => {
    await database.prisma.notificationChannel.create({ data: { kind: "email", name: "mail", target: "ops@example.com" }, select: { id: true } });
    const expires = new Date("2027-04-01T00:00:00Z");
    await database.prisma.delegatedApp.create({
      data: { cloud: "global", clientId: "c", homeTenant: "contoso.com", audience: "organizations", credentialKind: "secret", credentialSealed: "x", credentialHint: "abcd", credentialExpiresAt: expires },
    });
    for (let at = expires.getTime() - 10 * DAY; at <= expires.getTime(); at += 12 * 3_600_000) {
      await enqueueExpiryWarnings(database.prisma, { now: new Date(at) });
    }
    const deliveries = await database.prisma.notificationDelivery.findMany({ select: { eventKey: true, payload: true }, orderBy: { id: "asc" } });
    expect(deliveries.map((delivery) => delivery.eventKey)).toEqual([14, 7, 1].map((threshold) => `expiry:mailbox-sign-in-app:2027-04-01:${threshold}`));
    expect(deliveries[0]!.payload).toMatchObject({ type: "mailbox_sign_in.credential_expiring", connection: null, expiry: { daysLeft: 10, threshold: 14 } });
  });

  it("the mailbox sign-in app's certificate that Calsync renews warns that the renewal has not happened, and why", async () => {
    await database.prisma.notificationChannel.create({ data: { kind: "email", name: "mail", target: "ops@example.com" }, select: { id: true } });
    const expires = new Date("2027-05-01T00:00:00Z");
    await database.prisma.delegatedApp.create({
      data: {
        cloud: "global", clientId: "c", homeTenant: "contoso.com", audience: "organizations", credentialKind: "certificate", credentialSealed: "x", credentialHint: "AB".repeat(32),
        credentialExpiresAt: expires, certificateGenerated: true, applicationObjectId: "0f0e0d0c-0b0a-4908-8706-050403020100", renewalWarning: "Microsoft refused to add the new certificate.",
      },
    });
    await enqueueExpiryWarnings(database.prisma, { now: new Date(expires.getTime() - 10 * DAY) });
    const [delivery] = await database.prisma.notificationDelivery.findMany({ select: { payload: true } });
    expect((delivery!.payload as { summary: string }).summary).toMatch(/certificate expires .* and Calsync has not renewed it yet: Microsoft refused to add the new certificate\./);
  });

  it("prunes old check runs in batches but keeps each connection's latest run and runs behind state changes", async () => {
    const now = new Date();
    const ago = (days: number) => new Date(now.getTime() - days * DAY);
    const busy = await insertConnection(database.prisma, ring);
    const quiet = await insertConnection(database.prisma, ring);
    const run = (connectionId: string, days: number) =>
      database.prisma.checkRun.create({
        data: { connectionId, startedAt: ago(days), durationMs: 1, trigger: "scheduled", ok: true, state: "healthy", report: cannedReport("pass") },
        select: { id: true },
      });
    const old = await Promise.all([200, 180, 120, 100].map((days) => run(busy, days)));
    const cause = await run(busy, 150);
    const recent = await run(busy, 10);
    const onlyRun = await run(quiet, 300);
    await database.prisma.stateChange.create({ data: { connectionId: busy, occurredAt: ago(150), fromState: "healthy", toState: "failing", cause: "x", checkRunId: cause.id }, select: { id: true } });
    await database.prisma.stateChange.create({ data: { connectionId: quiet, occurredAt: ago(400), fromState: "healthy", toState: "failing", cause: "ancient" }, select: { id: true } });

    expect(await pruneCheckRuns(database.prisma, { now, retentionDays: 90, batchSize: 1 })).toEqual({ deleted: old.length });
    const left = (await database.prisma.checkRun.findMany({ select: { id: true } })).map((row) => row.id).sort();
    expect(left).toEqual([cause.id, recent.id, onlyRun.id].sort());
    expect(await database.prisma.stateChange.count()).toBe(2);
    expect(await pruneCheckRuns(database.prisma, { now, retentionDays: 90 })).toEqual({ deleted: 0 });
  });

  it("startScheduler runs checks in the background and stops cleanly", async () => {
    const id = await insertConnection(database.prisma, ring, { nextCheckAt: new Date(Date.now() - MINUTE) });
    let release: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const seen: string[] = [];
    const handle = startScheduler({
      force: true,
      tickMs: 10,
      concurrency: 2,
      database: async () => database.prisma,
      keyRing: () => ring,
      runCheck: async (_input, { signal }) => {
        seen.push("run");
        if (seen.length > 1) {
          // The second connection hangs until stop() cancels it.
          // A check started as stop() begins may get a signal that is already aborted: no event follows then.
          if (!signal?.aborted) await new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve(), { once: true }));
          return { ...cannedReport("pass"), cancelled: true };
        }
        release();
        return cannedReport("pass");
      },
    });
    await blocked;
    // Generous: a loaded machine (CI beside a build) is slow, and the loops end as soon as the condition holds.
    const deadline = Date.now() + 15_000;
    while ((await database.prisma.checkRun.count({ where: { connectionId: id } })) === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await database.prisma.checkRun.count({ where: { connectionId: id } })).toBe(1);

    const hanging = await insertConnection(database.prisma, ring, { nextCheckAt: new Date(Date.now() - MINUTE) });
    while (seen.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await handle.stop();
    expect(handle.running).toBe(false);
    // Cancelled mid-check: no run recorded and the slot handed straight back for another instance.
    const row = await database.prisma.connection.findUniqueOrThrow({ where: { id: hanging }, select: { leaseOwner: true, nextCheckAt: true } });
    expect(row.leaseOwner).toBeNull();
    expect(row.nextCheckAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await database.prisma.checkRun.count({ where: { connectionId: hanging } })).toBe(0);
  });
});

describe("CALSYNC_SCHEDULER", () => {
  const saved = process.env.CALSYNC_SCHEDULER;
  afterEach(() => {
    if (saved === undefined) delete process.env.CALSYNC_SCHEDULER;
    else process.env.CALSYNC_SCHEDULER = saved;
    resetEnvCache();
  });

  it("off: startScheduler does nothing and stop() resolves", async () => {
    process.env.CALSYNC_SCHEDULER = "off";
    resetEnvCache();
    let touched = false;
    const handle = startScheduler({
      tickMs: 10,
      database: async () => {
        touched = true;
        throw new Error("must not open the database");
      },
    });
    expect(handle.running).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await handle.stop();
    expect(touched).toBe(false);
  });
});
