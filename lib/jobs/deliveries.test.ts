import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { secret as clientSecret } from "@/test-support/check-scenario";
import { KeyRing } from "@/lib/crypto/seal";
import type { Database } from "@/lib/db/client";
import { alertPayloadSchema, createChannelSchema } from "@/lib/jobs/channel-schemas";
import { deliverPendingNotifications, sendTestNotification } from "@/lib/jobs/deliveries";
import { createNotificationChannel, deleteNotificationChannel, listNotificationChannels } from "@/lib/jobs/notification-channels";
import { cannedReport, insertConnection } from "@/test-support/jobs";
import { recordCheckRun } from "@/lib/monitoring/check-runs";
import { testEngines } from "@/test-support/databases";
import { startSmtpSink } from "@/test-support/smtp-sink";

const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);

type Received = { headers: IncomingHttpHeaders; body: string };

/** A local webhook receiver: answers with `status()` (or never, for "hang") and keeps what it got. */
async function receiver(status: () => number | "hang" = () => 204) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      const answer = status();
      if (answer === "hang") return;
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/calsync`;
  return {
    url,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Verifies a delivery the way a receiver would, independently of the sender's code. */
function verifySignature(signingSecret: string, received: Received): boolean {
  const timestamp = String(received.headers["x-calsync-timestamp"]);
  const expected = `sha256=${createHmac("sha256", signingSecret).update(`${timestamp}.${received.body}`).digest("hex")}`;
  const actual = String(received.headers["x-calsync-signature"]);
  return actual.length === expected.length && timingSafeEqual(Buffer.from(actual), Buffer.from(expected));
}

const actor = null;
const form = (values: Record<string, string>) => createChannelSchema.parse({ onStateChange: "on", onExpiry: "on", ...values });

describe.each(testEngines())("notifications on $name", (engine) => {
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
  });

  /** A healthy connection that fails its next check: one state change, alerts queued for every channel. */
  async function stateChange() {
    const id = await insertConnection(database.prisma, ring, { name: "Contoso sync" });
    const run = await recordCheckRun(database.prisma, { connectionId: id, report: cannedReport("fail"), trigger: "scheduled" });
    return { connectionId: id, stateChangeId: run.stateChange!.id };
  }

  it("creates a webhook with a sealed signing secret shown once; delete needs the name", async () => {
    const created = await createNotificationChannel(database.prisma, ring, form({ kind: "webhook", name: "Ops hook", target: "https://hooks.example.com/x" }), { actor });
    expect(created.signingSecret).toMatch(/^whsec_/);
    const raw = await database.prisma.notificationChannel.findUniqueOrThrow({ where: { id: created.id } });
    expect(raw).not.toHaveProperty("secretSealed");
    const sealed = await database.prisma.notificationChannel.findUniqueOrThrow({ where: { id: created.id }, select: { secretSealed: true } });
    expect(sealed.secretSealed).not.toContain(created.signingSecret!);
    const [view] = await listNotificationChannels(database.prisma);
    expect(view).toMatchObject({ name: "Ops hook", kind: "webhook", onStateChange: true, onExpiry: true, lastDelivery: null });
    expect(JSON.stringify(view)).not.toContain(created.signingSecret!);
    const audit = await database.prisma.auditEvent.findMany({ where: { targetId: created.id }, select: { action: true, summary: true } });
    expect(audit).toEqual([{ action: "notification_channel.create", summary: expect.stringContaining("Ops hook") }]);
    expect(JSON.stringify(audit)).not.toContain(created.signingSecret!);

    await expect(deleteNotificationChannel(database.prisma, { id: created.id, confirmName: "ops hook" }, { actor })).rejects.toThrow(/exactly/);
    await deleteNotificationChannel(database.prisma, { id: created.id, confirmName: "Ops hook" }, { actor });
    expect(await database.prisma.notificationChannel.count()).toBe(0);
  });

  it("the channel form: kind-specific targets, normalised email lists, at least one trigger", () => {
    expect(createChannelSchema.safeParse({ kind: "webhook", name: "x", target: "ftp://x", onStateChange: "on" }).success).toBe(false);
    expect(createChannelSchema.safeParse({ kind: "webhook", name: "x", target: "https://u:p@x.example/", onStateChange: "on" }).success).toBe(false);
    expect(createChannelSchema.safeParse({ kind: "email", name: "x", target: "ops@example.com, nope", onStateChange: "on" }).success).toBe(false);
    expect(createChannelSchema.safeParse({ kind: "email", name: "x", target: "ops@example.com" }).success).toBe(false);
    expect(form({ kind: "email", name: "x", target: " Ops@Example.com ,b@example.com,", onExpiry: "" })).toMatchObject({
      target: "ops@example.com, b@example.com",
      onStateChange: true,
      onExpiry: false,
    });
  });

  it("queues alerts in the transaction that records the change; a first result is not alerted", async () => {
    await createNotificationChannel(database.prisma, ring, form({ kind: "email", name: "mail", target: "ops@example.com" }), { actor });
    const fresh = await insertConnection(database.prisma, ring, { state: "never_checked" });
    const first = await recordCheckRun(database.prisma, { connectionId: fresh, report: cannedReport("pass"), trigger: "wizard" });
    expect(first.stateChange).toMatchObject({ from: "never_checked", to: "healthy" });
    expect(await database.prisma.notificationDelivery.count()).toBe(0);

    const id = await insertConnection(database.prisma, ring);
    await expect(
      database.prisma.$transaction(async (tx) => {
        await recordCheckRun(tx, { connectionId: id, report: cannedReport("fail"), trigger: "edit" });
        throw new Error("the edit is rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await database.prisma.stateChange.count({ where: { connectionId: id } })).toBe(0);
    expect(await database.prisma.notificationDelivery.count()).toBe(0);
    await recordCheckRun(database.prisma, { connectionId: id, report: cannedReport("fail"), trigger: "manual" });
    expect(await database.prisma.notificationDelivery.count()).toBe(1);
  });

  it("delivers a signed JSON webhook the receiver can verify, with no secrets in it", async () => {
    const hook = await receiver();
    try {
      const { signingSecret } = await createNotificationChannel(database.prisma, ring, form({ kind: "webhook", name: "hook", target: hook.url }), { actor });
      const { connectionId, stateChangeId } = await stateChange();
      expect(await deliverPendingNotifications(database.prisma, ring, { instanceId: "i1" })).toEqual({ delivered: 1, retrying: 0, failed: 0 });
      expect(hook.received).toHaveLength(1);
      const [got] = hook.received;
      expect(verifySignature(signingSecret!, got!)).toBe(true);
      expect(verifySignature("whsec_wrong", got!)).toBe(false);
      expect(got!.headers["content-type"]).toBe("application/json");
      expect(got!.headers["x-calsync-event"]).toBe("connection.state_changed");
      expect(Math.abs(Number(got!.headers["x-calsync-timestamp"]) - Date.now() / 1000)).toBeLessThan(60);
      const payload = alertPayloadSchema.parse(JSON.parse(got!.body));
      expect(payload).toMatchObject({
        eventKey: `state:${stateChangeId}`,
        connection: { id: connectionId, name: "Contoso sync", tenantId: expect.any(String), url: expect.stringContaining(`/connections/${connectionId}`) },
        stateChange: { from: "healthy", to: "failing", code: "AADSTS7000215" },
      });
      expect(got!.body).not.toContain(signingSecret!);
      expect(got!.body).not.toContain(clientSecret);
      const row = await database.prisma.notificationDelivery.findFirstOrThrow({ select: { id: true, status: true, attempts: true, deliveredAt: true, leaseOwner: true } });
      expect(got!.headers["x-calsync-delivery"]).toBe(row.id.toString());
      expect(row).toMatchObject({ status: "delivered", attempts: 1, leaseOwner: null });
      // Delivered once: nothing left to send.
      expect(await deliverPendingNotifications(database.prisma, ring, { instanceId: "i1" })).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    } finally {
      await hook.close();
    }
  });

  it("retries with growing delays, then marks the delivery failed and keeps the last error", async () => {
    const hook = await receiver(() => 500);
    try {
      await createNotificationChannel(database.prisma, ring, form({ kind: "webhook", name: "flaky", target: hook.url }), { actor });
      await stateChange();
      let clock = Date.now();
      const deliver = () => deliverPendingNotifications(database.prisma, ring, { instanceId: "i1", now: () => new Date(clock), retryDelaysMs: [1_000, 4_000] });
      const row = () => database.prisma.notificationDelivery.findFirstOrThrow({ select: { status: true, attempts: true, nextAttemptAt: true, lastError: true } });

      expect(await deliver()).toEqual({ delivered: 0, retrying: 1, failed: 0 });
      expect(await row()).toMatchObject({ status: "pending", attempts: 1, nextAttemptAt: new Date(clock + 1_000), lastError: expect.stringContaining("HTTP 500") });
      clock += 999;
      expect(await deliver()).toEqual({ delivered: 0, retrying: 0, failed: 0 });
      clock += 1;
      expect(await deliver()).toEqual({ delivered: 0, retrying: 1, failed: 0 });
      expect(await row()).toMatchObject({ attempts: 2, nextAttemptAt: new Date(clock + 4_000) });
      clock += 4_000;
      expect(await deliver()).toEqual({ delivered: 0, retrying: 0, failed: 1 });
      expect(await row()).toMatchObject({ status: "failed", attempts: 3, lastError: "The webhook answered HTTP 500 Internal Server Error; it must answer with a 2xx status." });
      expect(hook.received).toHaveLength(3);
      clock += 3_600_000;
      expect(await deliver()).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    } finally {
      await hook.close();
    }
  });

  it("a target that never answers or refuses does not hold up the others", async () => {
    const [hanging, healthy] = await Promise.all([receiver(() => "hang"), receiver()]);
    const closed = await receiver();
    await closed.close();
    try {
      for (const [name, target] of [["hanging", hanging.url], ["healthy", healthy.url], ["refused", closed.url]] as const) {
        await createNotificationChannel(database.prisma, ring, form({ kind: "webhook", name, target }), { actor });
      }
      await stateChange();
      const started = performance.now();
      const summary = await deliverPendingNotifications(database.prisma, ring, { instanceId: "i1", timeoutMs: 400 });
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(summary).toEqual({ delivered: 1, retrying: 2, failed: 0 });
      expect(healthy.received).toHaveLength(1);
      const errors = Object.fromEntries((await listNotificationChannels(database.prisma)).map((channel) => [channel.name, channel.lastDelivery]));
      expect(errors.healthy).toMatchObject({ status: "delivered" });
      expect(errors.hanging).toMatchObject({ status: "pending", lastError: expect.stringMatching(/^No answer from 127\.0\.0\.1:\d+ within 0\.4 s\.$/) });
      expect(errors.refused).toMatchObject({ status: "pending", lastError: expect.stringContaining("connection was refused") });
    } finally {
      await Promise.all([hanging.close(), healthy.close()]);
    }
  });

  it("sends email through SMTP (a real local SMTP sink)", async () => {
    const sink = await startSmtpSink();
    const mails = sink.mails;
    const smtp = { url: sink.url, from: "calsync@example.com" };
    try {
      const channel = await createNotificationChannel(database.prisma, ring, form({ kind: "email", name: "ops mail", target: "ops@example.com, oncall@example.com" }), { actor });
      expect(channel.signingSecret).toBeNull();
      const { connectionId } = await stateChange();
      expect(await deliverPendingNotifications(database.prisma, ring, { instanceId: "i1", smtp })).toEqual({ delivered: 1, retrying: 0, failed: 0 });
      expect(mails).toHaveLength(1);
      expect(mails[0]).toMatchObject({ from: "calsync@example.com", to: ["ops@example.com", "oncall@example.com"] });
      expect(mails[0]!.data).toMatch(/^Subject: \[Calsync\] Contoso sync: Healthy → Failing|^Subject: =\?UTF-8\?/m);
      expect(mails[0]!.data).toContain(`/connections/${connectionId}`);
      expect(mails[0]!.data).toContain("AADSTS7000215");
      expect(mails[0]!.data).not.toContain(clientSecret);

      // Not configured: the test button says so in plain words instead of failing obscurely.
      const result = await sendTestNotification(database.prisma, ring, channel.id, { actor, publicUrl: "http://localhost:3000" }, { smtp: null });
      expect(result).toMatchObject({ ok: false, error: "Email is not configured on this console: set CALSYNC_SMTP_URL and CALSYNC_SMTP_FROM." });
      const ok = await sendTestNotification(database.prisma, ring, channel.id, { actor, publicUrl: "http://localhost:3000" }, { smtp });
      expect(ok).toMatchObject({ ok: true, channelName: "ops mail" });
      expect(mails).toHaveLength(2);
      expect(mails[1]!.data).toContain("Test alert from Calsync Console");
    } finally {
      await sink.close();
    }
  });

  it("the test button sends now, reports the error in words, shows as the last delivery and is audited", async () => {
    const hook = await receiver();
    const down = await receiver();
    await down.close();
    try {
      const good = await createNotificationChannel(database.prisma, ring, form({ kind: "webhook", name: "good", target: hook.url }), { actor });
      const bad = await createNotificationChannel(database.prisma, ring, form({ kind: "webhook", name: "bad", target: down.url }), { actor });
      const context = { actor, publicUrl: "http://localhost:3000" };
      expect(await sendTestNotification(database.prisma, ring, good.id, context)).toEqual({ ok: true, channelName: "good" });
      expect(verifySignature(good.signingSecret!, hook.received[0]!)).toBe(true);
      expect(hook.received[0]!.headers["x-calsync-event"]).toBe("test");
      const failed = await sendTestNotification(database.prisma, ring, bad.id, context);
      expect(failed).toMatchObject({ ok: false, error: expect.stringMatching(/^Could not connect to 127\.0\.0\.1:\d+: the connection was refused/) });
      const views = Object.fromEntries((await listNotificationChannels(database.prisma)).map((channel) => [channel.name, channel.lastDelivery]));
      expect(views.good).toMatchObject({ status: "delivered", attempts: 1 });
      expect(views.bad).toMatchObject({ status: "failed", lastError: failed.ok ? null : failed.error });
      const audit = await database.prisma.auditEvent.findMany({ where: { action: "notification_channel.test", targetId: { in: [good.id, bad.id] } }, select: { summary: true }, orderBy: { id: "asc" } });
      expect(audit.map((event) => event.summary)).toEqual(['Sent a test alert to “good”', expect.stringContaining("Test alert to “bad” failed: Could not connect")]);
      // Test deliveries are settled on the spot; the worker never sends them again.
      expect(await deliverPendingNotifications(database.prisma, ring, { instanceId: "i1" })).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    } finally {
      await hook.close();
    }
  });
});
