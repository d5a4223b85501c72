import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { secret as clientSecret } from "@/test-support/check-scenario";
import { KeyRing } from "@/lib/crypto/seal";
import type { Database } from "@/lib/db/client";
import { alertPayloadSchema, createChannelSchema, type AlertPayload } from "@/lib/jobs/channel-schemas";
import { resetEnvCache } from "@/lib/env";
import { deliverPendingNotifications, sendAlert, sendTestNotification } from "@/lib/jobs/deliveries";
import { createNotificationChannel, deleteNotificationChannel, listNotificationChannels, type SendableChannel } from "@/lib/jobs/notification-channels";
import type { Resolve } from "@/lib/jobs/webhook-target";
import { cannedReport, insertConnection } from "@/test-support/jobs";
import { recordCheckRun } from "@/lib/monitoring/check-runs";
import { testEngines } from "@/test-support/databases";
import { startSmtpSink } from "@/test-support/smtp-sink";

const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);

type Received = { headers: IncomingHttpHeaders; body: string };

type Answer = number | "hang" | { status: number; reason: string; body: string };

/** A local webhook receiver: answers with `status()` (or never, for "hang") and keeps what it got. */
async function receiver(status: () => Answer = () => 204, listen: { host?: string; port?: number } = {}) {
  const host = listen.host ?? "127.0.0.1";
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      const answer = status();
      if (answer === "hang") return;
      if (typeof answer === "number") res.writeHead(answer).end();
      else res.writeHead(answer.status, answer.reason).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(listen.port ?? 0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}/hooks/calsync`;
  return {
    url,
    port,
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

/** Sets CALSYNC_WEBHOOK_ALLOW_HOSTS for the sender, as an operator would. */
function allowHosts(value: string | undefined): void {
  if (value === undefined) delete process.env.CALSYNC_WEBHOOK_ALLOW_HOSTS;
  else process.env.CALSYNC_WEBHOOK_ALLOW_HOSTS = value;
  resetEnvCache();
}

const actor = null;
const form = (values: Record<string, string>) => createChannelSchema.parse({ onStateChange: "on", onExpiry: "on", ...values });

const savedAllowHosts = process.env.CALSYNC_WEBHOOK_ALLOW_HOSTS;
afterAll(() => allowHosts(savedAllowHosts));

describe.each(testEngines())("notifications on $name", (engine) => {
  let database: Database;
  beforeAll(async () => {
    database = await engine.open();
  });
  afterAll(async () => {
    await database.close();
  });
  // The receivers listen on loopback, which the sender refuses unless the operator allows it.
  beforeEach(() => allowHosts("127.0.0.1"));
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
    const created = await createNotificationChannel(database.prisma, ring, form({ kind: "webhook", name: "Ops hook", target: "https://hooks.example.com/x" }), { actor, smtpConfigured: true });
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

  it("alerts rules: webhooks over https only, no email without SMTP, unique names; a refusal changes nothing", async () => {
    const webhook = (target: string) => createChannelSchema.safeParse({ kind: "webhook", name: "x", target, onStateChange: "on" });
    expect(webhook("https://hooks.example.com/x").success).toBe(true);
    expect(webhook("http://hooks.example.com/x").error?.issues[0]?.message).toMatch(/^Enter an https:\/\/ URL/);
    expect(webhook("http://127.0.0.1:8080/x").success).toBe(true);
    expect(webhook("http://[::1]:8080/x").success).toBe(true);
    expect(webhook("http://127.0.0.1.example.com/x").success).toBe(false);
    expect(webhook("hooks.example.com").error?.issues[0]?.message).toMatch(/full URL/);

    await expect(createNotificationChannel(database.prisma, ring, form({ kind: "email", name: "Mail", target: "ops@example.com" }), { actor, smtpConfigured: false })).rejects.toThrow(
      /CALSYNC_SMTP_URL .* CALSYNC_SMTP_FROM/,
    );
    expect(await database.prisma.notificationChannel.count()).toBe(0);

    await createNotificationChannel(database.prisma, ring, form({ kind: "webhook", name: "Ops hook", target: "https://hooks.example.com/x" }), { actor, smtpConfigured: true });
    const again = createNotificationChannel(database.prisma, ring, form({ kind: "webhook", name: "ops HOOK", target: "https://hooks.example.com/y" }), { actor, smtpConfigured: true });
    await expect(again).rejects.toThrow("A channel named “Ops hook” already exists. Choose another name.");
    await expect(again).rejects.toMatchObject({ fieldErrors: { name: expect.any(String) } });
    // The database holds the rule too, for two admins adding the same name at the same moment.
    await expect(database.prisma.notificationChannel.create({ data: { kind: "webhook", name: "Ops hook", target: "https://x.example/" }, select: { id: true } })).rejects.toMatchObject({ code: "P2002" });
    expect(await database.prisma.notificationChannel.count()).toBe(1);
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
    await createNotificationChannel(database.prisma, ring, form({ kind: "email", name: "mail", target: "ops@example.com" }), { actor, smtpConfigured: true });
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
      const { signingSecret } = await createNotificationChannel(database.prisma, ring, form({ kind: "webhook", name: "hook", target: hook.url }), { actor, smtpConfigured: true });
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
      await createNotificationChannel(database.prisma, ring, form({ kind: "webhook", name: "flaky", target: hook.url }), { actor, smtpConfigured: true });
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
      expect(await row()).toMatchObject({ status: "failed", attempts: 3, lastError: "The webhook answered HTTP 500; it must answer with a 2xx status." });
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
        await createNotificationChannel(database.prisma, ring, form({ kind: "webhook", name, target }), { actor, smtpConfigured: true });
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
      const channel = await createNotificationChannel(database.prisma, ring, form({ kind: "email", name: "ops mail", target: "ops@example.com, oncall@example.com" }), { actor, smtpConfigured: true });
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
      const good = await createNotificationChannel(database.prisma, ring, form({ kind: "webhook", name: "good", target: hook.url }), { actor, smtpConfigured: true });
      const bad = await createNotificationChannel(database.prisma, ring, form({ kind: "webhook", name: "bad", target: down.url }), { actor, smtpConfigured: true });
      const internal = await createNotificationChannel(database.prisma, ring, form({ kind: "webhook", name: "internal", target: `http://[::1]:${hook.port}/` }), { actor, smtpConfigured: true });
      const context = { actor, publicUrl: "http://localhost:3000" };
      expect(await sendTestNotification(database.prisma, ring, good.id, context)).toEqual({ ok: true, channelName: "good" });
      expect(verifySignature(good.signingSecret!, hook.received[0]!)).toBe(true);
      expect(hook.received[0]!.headers["x-calsync-event"]).toBe("test");
      const failed = await sendTestNotification(database.prisma, ring, bad.id, context);
      expect(failed).toMatchObject({ ok: false, error: expect.stringMatching(/^Could not connect to 127\.0\.0\.1:\d+: the connection was refused/) });
      // Not a port probe: a private target that is not allow-listed is refused before any connection.
      const refused = await sendTestNotification(database.prisma, ring, internal.id, context);
      expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/^Refused: private address\. \[::1\]:\d+ is or resolves to/) });
      expect(hook.received).toHaveLength(1);
      const views = Object.fromEntries((await listNotificationChannels(database.prisma)).map((channel) => [channel.name, channel.lastDelivery]));
      expect(views.good).toMatchObject({ status: "delivered", attempts: 1 });
      expect(views.internal).toMatchObject({ status: "failed", lastError: refused.ok ? null : refused.error });
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

describe("webhook targets", () => {
  const channel = (target: string): SendableChannel => ({ id: "c1", kind: "webhook", name: "hook", target, secret: "whsec_test", enabled: true });
  const payload: AlertPayload = { type: "test", eventKey: "test:1", occurredAt: new Date(0).toISOString(), summary: "Test", connection: null };
  const send = (target: string, options: Parameters<typeof sendAlert>[3] = {}) => sendAlert(channel(target), "1", payload, { timeoutMs: 2_000, ...options });

  it("refuses loopback in every spelling, and localhost, without connecting", async () => {
    allowHosts(undefined);
    const [v4, v6] = await Promise.all([receiver(), receiver(() => 204, { host: "::1" })]);
    try {
      for (const target of [
        v4.url,
        `http://localhost:${v4.port}/`,
        `http://0x7f000001:${v4.port}/`,
        `http://2130706433:${v4.port}/`,
        `http://017700000001:${v4.port}/`,
        `http://127.1:${v4.port}/`,
        `http://[::ffff:127.0.0.1]:${v4.port}/`,
        v6.url,
      ]) {
        expect({ target, result: await send(target) }).toEqual({ target, result: { ok: false, error: expect.stringMatching(/^Refused: private address\. /) } });
      }
      expect(v4.received).toEqual([]);
      expect(v6.received).toEqual([]);
    } finally {
      await Promise.all([v4.close(), v6.close()]);
    }
  });

  it("CALSYNC_WEBHOOK_ALLOW_HOSTS is the only way through: by address or by name", async () => {
    const hook = await receiver();
    try {
      allowHosts("127.0.0.1");
      expect(await send(hook.url)).toEqual({ ok: true });
      expect(await send(`http://localhost:${hook.port}/`)).toEqual({ ok: true });
      allowHosts("localhost");
      expect(await send(`http://localhost:${hook.port}/`)).toEqual({ ok: true });
      expect(await send(hook.url)).toMatchObject({ ok: false, error: expect.stringMatching(/^Refused: private address/) });
      expect(hook.received).toHaveLength(3);
    } finally {
      await hook.close();
    }
  });

  it("reports the HTTP status only, never the remote's reason phrase or body", async () => {
    allowHosts("127.0.0.1");
    const hook = await receiver(() => ({ status: 503, reason: "Redis at 10.0.0.7 refused AUTH", body: "ERR invalid password for user default" }));
    try {
      expect(await send(hook.url)).toEqual({ ok: false, error: "The webhook answered HTTP 503; it must answer with a 2xx status." });
    } finally {
      await hook.close();
    }
  });

  it("connects to the address it checked: a DNS answer that rebinds afterwards is never used", async () => {
    allowHosts("127.0.0.1");
    const checked = await receiver();
    const rebound = await receiver(() => 204, { host: "127.0.0.2", port: checked.port });
    const answers = ["127.0.0.1", "127.0.0.2"];
    let lookups = 0;
    const resolve: Resolve = async () => [{ address: answers[Math.min(lookups++, 1)]!, family: 4 }];
    try {
      expect(await send(`http://localhost:${checked.port}/hooks/calsync`, { resolve })).toEqual({ ok: true });
      expect(lookups).toBe(1);
      expect(checked.received).toHaveLength(1);
      expect(rebound.received).toEqual([]);
      // Had the second answer been used, it would have been refused rather than delivered.
      lookups = 1;
      expect(await send(`http://localhost:${checked.port}/hooks/calsync`, { resolve })).toMatchObject({ ok: false, error: expect.stringMatching(/^Refused: private address/) });
      expect(rebound.received).toEqual([]);
    } finally {
      await Promise.all([checked.close(), rebound.close()]);
    }
  });

  it("keeps its plain words for DNS, refused connections and timeouts", async () => {
    allowHosts("127.0.0.1");
    const hanging = await receiver(() => "hang");
    const closed = await receiver();
    await closed.close();
    const notFound: Resolve = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND hooks.invalid"), { code: "ENOTFOUND" });
    };
    try {
      expect(await send("https://hooks.invalid/x", { resolve: notFound })).toEqual({ ok: false, error: "The host name hooks.invalid could not be found." });
      expect(await send(closed.url)).toMatchObject({ ok: false, error: expect.stringMatching(/^Could not connect to 127\.0\.0\.1:\d+: the connection was refused/) });
      expect(await send(hanging.url, { timeoutMs: 300 })).toMatchObject({ ok: false, error: expect.stringMatching(/^No answer from 127\.0\.0\.1:\d+ within 0\.3 s\.$/) });
    } finally {
      await hanging.close();
    }
  });
});
