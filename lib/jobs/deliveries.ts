import "server-only";
import { createHmac, randomUUID } from "node:crypto";
import nodemailer from "nodemailer";
import { request } from "undici";
import { recordAudit, type AuditActor } from "@/lib/audit/audit";
import type { KeyRing } from "@/lib/crypto/seal";
import { Prisma } from "@/lib/db/generated/client";
import type { AppPrismaClient, DbClient } from "@/lib/db/types";
import { getEnv } from "@/lib/env";
import { UserFacingError } from "@/lib/errors";
import { alertPayloadSchema, emailRecipients, type AlertPayload } from "@/lib/jobs/channel-schemas";
import { getSendableChannels, type SendableChannel } from "@/lib/jobs/notification-channels";
import { PRIVATE_ADDRESS_CODE, refusesLiteralHost, webhookDispatcher, webhookPolicy, type Resolve } from "@/lib/jobs/webhook-target";
import { log } from "@/lib/log";

/**
 * Sends queued alerts. Deliveries are leased like scheduled checks (SKIP LOCKED, an owner and an
 * expiry), sent concurrently with a per-request time limit so one dead target cannot hold up the
 * others, and retried with growing delays until the last attempt marks them failed.
 */

export type SmtpSettings = { url: string; from: string };

export type SendOptions = {
  /** Per-request time limit for a webhook POST or an SMTP conversation. */
  timeoutMs?: number;
  /** Defaults to CALSYNC_SMTP_URL / CALSYNC_SMTP_FROM; null when email is not configured. */
  smtp?: SmtpSettings | null;
  /** Defaults to the system resolver; tests answer with a rebinding DNS. */
  resolve?: Resolve;
};

export type DeliveryOptions = SendOptions & {
  instanceId: string;
  now?: () => Date;
  /** How long a leased delivery stays ours; after that another instance may send it. */
  leaseMs?: number;
  batchSize?: number;
  concurrency?: number;
  /** Wait before each retry; attempts = length + 1. */
  retryDelaysMs?: readonly number[];
};

export const DEFAULT_RETRY_DELAYS_MS = [30_000, 120_000, 600_000, 3_600_000] as const;
const DEFAULT_TIMEOUT_MS = 10_000;

export type SendResult = { ok: true } | { ok: false; error: string };

export function smtpFromEnv(): SmtpSettings | null {
  const env = getEnv();
  return env.CALSYNC_SMTP_URL && env.CALSYNC_SMTP_FROM ? { url: env.CALSYNC_SMTP_URL, from: env.CALSYNC_SMTP_FROM } : null;
}

/** `sha256=<hex>` over `<timestamp>.<body>`: binding the timestamp lets receivers refuse replays. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function refusedMessage(url: URL): string {
  return `Refused: private address. ${url.host} is or resolves to a loopback, private, link-local or cloud-metadata address; alerts go there only when CALSYNC_WEBHOOK_ALLOW_HOSTS lists it.`;
}

/** Names the failure in words for the admin, from Node's and undici's error codes only: nothing the remote sent. */
function networkError(error: unknown, url: URL, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return `No answer from ${url.host} within ${seconds(timeoutMs)}.`;
  const err = error as NodeJS.ErrnoException | undefined;
  const code = err?.code ?? (err?.cause as NodeJS.ErrnoException | undefined)?.code ?? "";
  if (code === PRIVATE_ADDRESS_CODE) return refusedMessage(url);
  if (code === "UND_ERR_CONNECT_TIMEOUT" || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") return `No answer from ${url.host} within ${seconds(timeoutMs)}.`;
  if (code === "ECONNREFUSED") return `Could not connect to ${url.host}: the connection was refused (nothing listening there?).`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "ENODATA") return `The host name ${url.hostname} could not be found.`;
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "UND_ERR_CLOSED") return `${url.host} closed the connection before answering.`;
  if (/CERT|SSL|TLS/i.test(code)) return `The TLS certificate of ${url.host} is not trusted (${code}).`;
  return `Could not reach ${url.host}${code ? ` (${code})` : ""}.`;
}

async function sendWebhook(channel: SendableChannel, deliveryId: string, payload: AlertPayload, timeoutMs: number, resolve?: Resolve): Promise<SendResult> {
  if (!channel.secret) return { ok: false, error: "This webhook has no signing secret; delete it and add it again." };
  const url = new URL(channel.target);
  const policy = webhookPolicy(getEnv().CALSYNC_WEBHOOK_ALLOW_HOSTS);
  if (refusesLiteralHost(url, policy)) return { ok: false, error: refusedMessage(url) };
  const body = JSON.stringify(payload);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const dispatcher = webhookDispatcher(policy, resolve);
  try {
    // undici's request follows no redirect, which could carry the signed body to a host the admin never configured.
    const response = await request(url, {
      method: "POST",
      dispatcher,
      headers: {
        "content-type": "application/json",
        "user-agent": "Calsync-Console-Webhook/1",
        "x-calsync-event": payload.type,
        "x-calsync-delivery": deliveryId,
        "x-calsync-timestamp": timestamp,
        "x-calsync-signature": webhookSignature(channel.secret, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body.dump().catch(() => undefined);
    if (response.statusCode >= 200 && response.statusCode < 300) return { ok: true };
    // The reason phrase and body are the remote's words; echoing them would make this a service probe.
    return { ok: false, error: `The webhook answered HTTP ${response.statusCode}; it must answer with a 2xx status.` };
  } catch (error) {
    return { ok: false, error: networkError(error, url, timeoutMs) };
  } finally {
    await dispatcher.destroy().catch(() => undefined);
  }
}

function emailText(payload: AlertPayload): { subject: string; text: string } {
  const lines = [payload.summary, ""];
  if (payload.connection) {
    lines.push(`Connection: ${payload.connection.name}`, `Tenant: ${payload.connection.tenant} (${payload.connection.tenantId})`);
  }
  if (payload.stateChange) {
    lines.push(`State: ${payload.stateChange.from} → ${payload.stateChange.to}`, `Cause: ${payload.stateChange.cause}`);
    if (payload.stateChange.code) lines.push(`Code: ${payload.stateChange.code}`);
  }
  if (payload.expiry) lines.push(`${payload.type === "connection.certificate_expiring" ? "Certificate" : "Secret"} expires: ${payload.expiry.expiresAt} (${payload.expiry.daysLeft} days left)`);
  if (payload.connection) lines.push("", `Open it: ${payload.connection.url}`);
  lines.push("", `Event: ${payload.type} at ${payload.occurredAt} (${payload.eventKey})`);
  const subject = `[Calsync] ${payload.summary.split(". ")[0]!.slice(0, 150)}`;
  return { subject, text: lines.join("\n") };
}

function smtpError(error: unknown): string {
  const err = error as { code?: string; responseCode?: number; response?: string; message?: string };
  if (err.code === "ECONNREFUSED") return "Could not connect to the SMTP server: the connection was refused.";
  if (err.code === "ETIMEDOUT" || err.code === "ESOCKET" || err.code === "ECONNECTION") return `The SMTP server did not answer in time or dropped the connection (${err.code}).`;
  if (err.code === "EAUTH") return "The SMTP server refused the user name or password in CALSYNC_SMTP_URL.";
  if (err.responseCode) return `The SMTP server refused the message: ${err.responseCode} ${(err.response ?? "").split("\n")[0]!.slice(0, 200)}`;
  return `Sending the email failed${err.code ? ` (${err.code})` : ""}.`;
}

/** One plain-text email through CALSYNC_SMTP_URL; alerts and "connect your calendar" links both go this way. */
export async function sendMail(
  smtp: SmtpSettings | null,
  message: { to: string[]; subject: string; text: string; headers?: Record<string, string> },
  timeoutMs: number = DEFAULT_TIMEOUT_MS,
): Promise<SendResult> {
  if (!smtp) return { ok: false, error: "Email is not configured on this console: set CALSYNC_SMTP_URL and CALSYNC_SMTP_FROM." };
  const transport = nodemailer.createTransport({ url: smtp.url, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs });
  try {
    await transport.sendMail({ from: smtp.from, ...message });
    return { ok: true };
  } catch (error) {
    return { ok: false, error: smtpError(error) };
  } finally {
    transport.close();
  }
}

function sendEmail(channel: SendableChannel, payload: AlertPayload, smtp: SmtpSettings | null, timeoutMs: number): Promise<SendResult> {
  const { subject, text } = emailText(payload);
  return sendMail(smtp, { to: emailRecipients(channel.target), subject, text, headers: { "X-Calsync-Event": payload.type } }, timeoutMs);
}

export async function sendAlert(channel: SendableChannel, deliveryId: string, payload: AlertPayload, options: SendOptions = {}): Promise<SendResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return channel.kind === "webhook"
    ? sendWebhook(channel, deliveryId, payload, timeoutMs, options.resolve)
    : sendEmail(channel, payload, options.smtp === undefined ? smtpFromEnv() : options.smtp, timeoutMs);
}

type LeasedDelivery = { id: bigint; channel_id: string; payload: unknown; attempts: number };

async function leaseDeliveries(db: DbClient, instanceId: string, now: Date, leaseMs: number, limit: number): Promise<LeasedDelivery[]> {
  const until = new Date(now.getTime() + leaseMs);
  return db.$queryRaw<LeasedDelivery[]>(Prisma.sql`
    UPDATE notification_deliveries SET lease_owner = ${instanceId}, lease_expires_at = ${until}
    WHERE id IN (
      SELECT id FROM notification_deliveries
      WHERE status = 'pending' AND next_attempt_at <= ${now} AND (lease_expires_at IS NULL OR lease_expires_at <= ${now})
      ORDER BY next_attempt_at, id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )
    RETURNING id, channel_id, payload, attempts`);
}

async function runPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

export type DeliveryRunSummary = { delivered: number; retrying: number; failed: number };

/** Leases due deliveries, sends them and records the outcome. Returns what happened. */
export async function deliverPendingNotifications(db: DbClient, ring: KeyRing, options: DeliveryOptions): Promise<DeliveryRunSummary> {
  const now = options.now ?? (() => new Date());
  const retryDelays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const maxAttempts = retryDelays.length + 1;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // The lease outlives the slowest send, so nobody else picks a delivery up while it is in flight.
  const leaseMs = options.leaseMs ?? Math.max(60_000, timeoutMs * 3);
  const leased = await leaseDeliveries(db, options.instanceId, now(), leaseMs, options.batchSize ?? 50);
  const summary: DeliveryRunSummary = { delivered: 0, retrying: 0, failed: 0 };
  if (leased.length === 0) return summary;
  const channels = await getSendableChannels(db, ring, [...new Set(leased.map((row) => row.channel_id))]);

  await runPool(leased, options.concurrency ?? 8, async (row) => {
    const id = BigInt(row.id);
    const channel = channels.get(row.channel_id);
    const payload = alertPayloadSchema.safeParse(row.payload);
    let result: SendResult;
    if (!channel) result = { ok: false, error: "The channel was deleted." };
    else if (!channel.enabled) result = { ok: false, error: "The channel is disabled." };
    else if (!payload.success) result = { ok: false, error: "The queued alert could not be read." };
    else result = await sendAlert(channel, id.toString(), payload.data, { ...options, timeoutMs });

    const attempts = row.attempts + 1;
    const finished = now();
    const final = result.ok || attempts >= maxAttempts || !channel?.enabled || !payload.success;
    const data = result.ok
      ? { status: "delivered", attempts, deliveredAt: finished, lastError: null }
      : final
        ? { status: "failed", attempts, lastError: result.error }
        : { status: "pending", attempts, lastError: result.error, nextAttemptAt: new Date(finished.getTime() + retryDelays[attempts - 1]!) };
    // Guarded by the lease owner: a delivery whose lease was taken over is the new owner's to settle.
    await db.notificationDelivery.updateMany({
      where: { id, leaseOwner: options.instanceId },
      data: { ...data, leaseOwner: null, leaseExpiresAt: null },
    });
    if (result.ok) summary.delivered++;
    else if (final) {
      summary.failed++;
      log.warn("Notification failed for good", { deliveryId: id.toString(), channelId: row.channel_id, attempts });
    } else summary.retrying++;
  });
  return summary;
}

/**
 * The settings page's Send test button: sends a test event now (not through the queue) and records
 * it as a delivery so the page shows the outcome as the channel's last delivery.
 */
export async function sendTestNotification(
  db: AppPrismaClient,
  ring: KeyRing,
  channelId: string,
  context: { actor: AuditActor; ip?: string | null; publicUrl: string },
  options: SendOptions = {},
): Promise<SendResult & { channelName: string }> {
  const channel = (await getSendableChannels(db, ring, [channelId])).get(channelId);
  if (!channel) throw new UserFacingError("This channel no longer exists.");
  const eventKey = `test:${randomUUID()}`;
  const occurredAt = new Date();
  const payload: AlertPayload = {
    type: "test",
    eventKey,
    occurredAt: occurredAt.toISOString(),
    summary: `Test alert from Calsync Console at ${context.publicUrl}. If you can read this, the channel “${channel.name}” works.`,
    connection: null,
  };
  const delivery = await db.notificationDelivery.create({
    data: { channelId, eventKey, payload, status: "pending", attempts: 0, leaseOwner: "test-button", leaseExpiresAt: new Date(occurredAt.getTime() + 60_000) },
    select: { id: true },
  });
  const result = await sendAlert(channel, delivery.id.toString(), payload, options);
  await db.notificationDelivery.update({
    where: { id: delivery.id },
    data: result.ok
      ? { status: "delivered", attempts: 1, deliveredAt: new Date(), leaseOwner: null, leaseExpiresAt: null }
      : { status: "failed", attempts: 1, lastError: result.error, leaseOwner: null, leaseExpiresAt: null },
    select: { id: true },
  });
  await recordAudit(db, {
    actor: context.actor,
    action: "notification_channel.test",
    target: { type: "notification_channel", id: channel.id, label: channel.name },
    summary: result.ok ? `Sent a test alert to “${channel.name}”` : `Test alert to “${channel.name}” failed: ${result.error}`,
    ip: context.ip,
  });
  return { ...result, channelName: channel.name };
}
