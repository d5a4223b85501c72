import "server-only";
import { EXPIRED_BY_MICROSOFT, EXPIRED_SECRET_CODE, secretExpiredByMicrosoft } from "@/lib/connections/secret-expiry";
import { connectionStateLabels, type ConnectionState } from "@/lib/connections/state";
import type { DbClient } from "@/lib/db/types";
import { getEnv } from "@/lib/env";
import type { AlertPayload } from "@/lib/jobs/channel-schemas";
import { publicUrl } from "@/lib/public-url";

/**
 * Turns events into queued deliveries, one row per channel. The unique (channel, event key) index is
 * the de-duplication: enqueueing the same event again (a second instance, a retried tick) inserts
 * nothing, so an alert goes out once per change, never once per check.
 */

export const EXPIRY_THRESHOLDS_DAYS = [30, 14, 7, 1] as const;
const DAY_MS = 86_400_000;

type ConnectionRef = { id: string; name: string; tenant: string; tenantId: string };

function connectionPart(connection: ConnectionRef): NonNullable<AlertPayload["connection"]> {
  return { ...connection, url: `${publicUrl(getEnv())}/connections/${connection.id}` };
}

export function stateChangeEventKey(stateChangeId: bigint): string {
  return `state:${stateChangeId}`;
}

export function expiryEventKey(subject: string, expiresAt: Date, threshold: number): string {
  return `expiry:${subject}:${expiresAt.toISOString().slice(0, 10)}:${threshold}`;
}

async function enqueue(db: DbClient, channelIds: string[], eventKey: string, payload: AlertPayload): Promise<number> {
  if (channelIds.length === 0) return 0;
  const { count } = await db.notificationDelivery.createMany({
    data: channelIds.map((channelId) => ({ channelId, eventKey, payload })),
    skipDuplicates: true,
  });
  return count;
}

/**
 * Queues one alert per channel for a state change. Called by recordCheckRun inside the transaction
 * that records the change, so an alert exists exactly when the change does. A connection's first
 * result (from "never checked") is not alerted: the person who created it has just seen it.
 */
export async function enqueueStateChangeAlerts(
  tx: DbClient,
  change: { id: bigint; connectionId: string; from: ConnectionState; to: ConnectionState; cause: string; code: string | null; occurredAt: Date },
): Promise<number> {
  if (change.from === "never_checked") return 0;
  const channels = await tx.notificationChannel.findMany({ where: { enabled: true, onStateChange: true }, select: { id: true } });
  if (channels.length === 0) return 0;
  const connection = await tx.connection.findUnique({
    where: { id: change.connectionId },
    select: { id: true, name: true, tenant: true, tenantId: true },
  });
  if (!connection) return 0;
  const eventKey = stateChangeEventKey(change.id);
  const payload: AlertPayload = {
    type: "connection.state_changed",
    eventKey,
    occurredAt: change.occurredAt.toISOString(),
    summary: (
      `${connection.name}: ${connectionStateLabels[change.from]} → ${connectionStateLabels[change.to]}. ${change.cause}` +
      (change.code === EXPIRED_SECRET_CODE ? ` Client secret: ${EXPIRED_BY_MICROSOFT}.` : "")
    ).slice(0, 1200),
    connection: connectionPart(connection),
    stateChange: { from: change.from, to: change.to, cause: change.cause, code: change.code },
  };
  return enqueue(
    tx,
    channels.map((channel) => channel.id),
    eventKey,
    payload,
  );
}

function startOfUtcDay(date: Date): number {
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
}

/** Whole days from today (UTC) to the expiry date; 0 on the day it expires. */
export function daysUntil(expiresAt: Date, now: Date): number {
  return Math.round((startOfUtcDay(expiresAt) - startOfUtcDay(now)) / DAY_MS);
}

/**
 * The warning due now: the smallest threshold not below the days left. A secret entered with 5 days
 * left warns once at 7 (not at 30 and 14 as well), then at 1. Expired secrets get none: the checks
 * fail and the state change alerts instead.
 */
export function expiryThreshold(expiresAt: Date, now: Date): number | null {
  const days = daysUntil(expiresAt, now);
  if (days < 0) return null;
  const due = EXPIRY_THRESHOLDS_DAYS.filter((threshold) => days <= threshold);
  return due.length ? Math.min(...due) : null;
}

/** Queues the expiry warnings that are due; safe to call every tick and from every instance. */
export async function enqueueExpiryWarnings(db: DbClient, { now = new Date() }: { now?: Date } = {}): Promise<number> {
  const channels = await db.notificationChannel.findMany({ where: { enabled: true, onExpiry: true }, select: { id: true } });
  if (channels.length === 0) return 0;
  const today = new Date(startOfUtcDay(now));
  const connections = await db.connection.findMany({
    where: { secretExpiresAt: { gte: today, lte: new Date(today.getTime() + EXPIRY_THRESHOLDS_DAYS[0] * DAY_MS) } },
    select: { id: true, name: true, tenant: true, tenantId: true, secretExpiresAt: true, lastReport: true },
  });
  const channelIds = channels.map((channel) => channel.id);
  let queued = 0;
  for (const { secretExpiresAt, lastReport, ...connection } of connections) {
    // Microsoft already refused the secret as expired: counting down to the typed date would contradict it.
    if (!secretExpiresAt || secretExpiredByMicrosoft(lastReport)) continue;
    const warning = expiryWarning(secretExpiresAt, now);
    if (!warning) continue;
    const eventKey = expiryEventKey(connection.id, secretExpiresAt, warning.threshold);
    queued += await enqueue(db, channelIds, eventKey, {
      type: "connection.secret_expiring",
      eventKey,
      occurredAt: now.toISOString(),
      summary: `${connection.name}: the client secret expires ${warning.when} (${warning.expiresAt}). Rotate it before then.`,
      connection: connectionPart(connection),
      expiry: { expiresAt: warning.expiresAt, daysLeft: warning.daysLeft, threshold: warning.threshold },
    });
  }
  queued += await enqueueCertificateWarnings(db, channelIds, now);
  // Every mailbox connection signs in through the one mailbox sign-in app: its credential expiring
  // stops them all at once.
  const signInApp = await db.delegatedApp.findUnique({
    where: { id: 1 },
    select: { credentialKind: true, credentialExpiresAt: true, certificateGenerated: true, applicationObjectId: true, renewalWarning: true },
  });
  const appWarning = signInApp?.credentialExpiresAt ? expiryWarning(signInApp.credentialExpiresAt, now) : null;
  // A certificate Calsync renews itself warns only once a renewal should already have happened.
  const renewable = signInApp?.credentialKind === "certificate" && signInApp.certificateGenerated && signInApp.applicationObjectId !== null;
  if (signInApp?.credentialExpiresAt && appWarning && !(renewable && appWarning.threshold >= getEnv().CALSYNC_CERT_RENEW_DAYS)) {
    const eventKey = expiryEventKey("mailbox-sign-in-app", signInApp.credentialExpiresAt, appWarning.threshold);
    const credential = signInApp.credentialKind === "certificate" ? "certificate" : "client secret";
    queued += await enqueue(db, channelIds, eventKey, {
      type: "mailbox_sign_in.credential_expiring",
      eventKey,
      occurredAt: now.toISOString(),
      summary: renewable
        ? `The mailbox sign-in app's certificate expires ${appWarning.when} (${appWarning.expiresAt}) and Calsync has not renewed it yet${
            signInApp.renewalWarning ? `: ${signInApp.renewalWarning}` : ". Open Mailbox sign-in to see why"
          }. Without a new certificate, mailbox connections stop syncing.`
        : `The mailbox sign-in app's ${credential} expires ${appWarning.when} (${appWarning.expiresAt}). Renew it under Mailbox sign-in before then, or mailbox connections stop syncing.`,
      connection: null,
      expiry: { expiresAt: appWarning.expiresAt, daysLeft: appWarning.daysLeft, threshold: appWarning.threshold },
    });
  }
  return queued;
}

/**
 * A certificate's expiry is exact. One the console can renew is renewed CALSYNC_CERT_RENEW_DAYS before
 * it ends, so it warns only at thresholds inside that window, when a renewal should already have happened.
 */
async function enqueueCertificateWarnings(db: DbClient, channelIds: string[], now: Date): Promise<number> {
  const renewDays = getEnv().CALSYNC_CERT_RENEW_DAYS;
  const connections = await db.connection.findMany({
    where: { credentialKind: "certificate", certificateExpiresAt: { gte: now, lte: new Date(startOfUtcDay(now) + EXPIRY_THRESHOLDS_DAYS[0] * DAY_MS) } },
    select: { id: true, name: true, tenant: true, tenantId: true, certificateExpiresAt: true, certificateGenerated: true, applicationObjectId: true },
  });
  let queued = 0;
  for (const { certificateExpiresAt, certificateGenerated, applicationObjectId, ...connection } of connections) {
    const warning = certificateExpiresAt ? expiryWarning(certificateExpiresAt, now) : null;
    if (!certificateExpiresAt || !warning) continue;
    const renewable = certificateGenerated && applicationObjectId !== null;
    if (renewable && warning.threshold >= renewDays) continue;
    const eventKey = expiryEventKey(`${connection.id}:certificate`, certificateExpiresAt, warning.threshold);
    queued += await enqueue(db, channelIds, eventKey, {
      type: "connection.certificate_expiring",
      eventKey,
      occurredAt: now.toISOString(),
      summary: renewable
        ? `${connection.name}: the certificate expires ${warning.when} (${warning.expiresAt}) and Calsync has not renewed it yet. Open the connection to see why, or switch it to a new certificate.`
        : `${connection.name}: the certificate expires ${warning.when} (${warning.expiresAt}). Calsync cannot renew it itself (${
            certificateGenerated ? "the application's object ID is unknown" : "it was uploaded, not made by Calsync"
          }): give the connection a new certificate before then.`,
      connection: connectionPart(connection),
      expiry: { expiresAt: warning.expiresAt, daysLeft: warning.daysLeft, threshold: warning.threshold },
    });
  }
  return queued;
}

function expiryWarning(expiresAt: Date, now: Date): { threshold: number; daysLeft: number; expiresAt: string; when: string } | null {
  const threshold = expiryThreshold(expiresAt, now);
  if (threshold === null) return null;
  const daysLeft = daysUntil(expiresAt, now);
  return { threshold, daysLeft, expiresAt: expiresAt.toISOString().slice(0, 10), when: daysLeft === 0 ? "today" : `in ${daysLeft} day${daysLeft === 1 ? "" : "s"}` };
}
