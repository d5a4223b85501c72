import "server-only";
import { nextCheckTime } from "@/lib/checks/access-denied";
import type { CheckReport } from "@/lib/checks/schema";
import { runStoredConnectionChecks, type OrganizationCheckRunner } from "@/lib/connections/stored-checks";
import type { ConnectionState } from "@/lib/connections/state";
import type { KeyRing } from "@/lib/crypto/seal";
import { Prisma } from "@/lib/db/generated/client";
import type { AppPrismaClient, DbClient } from "@/lib/db/types";
import { recordCheckRun, type RecordedRun } from "@/lib/monitoring/check-runs";

/**
 * Scheduled checks, leased so that each due check runs once across console instances.
 *
 * A connection is due when `next_check_at` has passed and nobody holds an unexpired lease on it.
 * Leasing sets `lease_owner` and `lease_expires_at` in one UPDATE over rows picked with
 * FOR UPDATE SKIP LOCKED, so two instances leasing at once get disjoint rows. Completion records the
 * run, moves `next_check_at` on and clears the lease in one transaction, guarded by `lease_owner`:
 * an instance whose lease expired and was taken over discards its result instead of recording a
 * second run for the same slot. An instance that dies simply lets its lease run out.
 */

const MINUTE_MS = 60_000;
export const JITTER_FRACTION = 0.1;
/** Codes that mean Microsoft asked us to slow down (or was briefly unavailable), not that the connection is broken. */
export const THROTTLE_CODES: ReadonlySet<string> = new Set(["TooManyRequests", "ApplicationThrottled", "ServiceUnavailable", "AADSTS50196", "AADSTS90033"]);
export const DEFAULT_THROTTLE_BACKOFF_MS = 15 * MINUTE_MS;

export type ConnectionLease = { id: string; tenantId: string; nextCheckAt: Date; checkIntervalMinutes: number | null };

/** Runs an organisation connection's checks; tests pass canned ones. Mailbox connections always run their own. */
export type CheckRunner = OrganizationCheckRunner;

/** The interval in ms spread uniformly by ±10%, so connections added together drift apart. */
export function jitteredIntervalMs(intervalMinutes: number, random: () => number = Math.random): number {
  return Math.round(intervalMinutes * MINUTE_MS * (1 - JITTER_FRACTION + 2 * JITTER_FRACTION * random()));
}

export function isThrottled(report: Pick<CheckReport, "checks">): boolean {
  return report.checks.some((check) => (check.status === "fail" || check.status === "warn") && check.code !== undefined && THROTTLE_CODES.has(check.code));
}

export async function leaseDueConnections(
  db: DbClient,
  options: { instanceId: string; now: Date; leaseMs: number; limit: number },
): Promise<ConnectionLease[]> {
  const until = new Date(options.now.getTime() + options.leaseMs);
  const rows = await db.$queryRaw<{ id: string; tenant_id: string; next_check_at: Date; check_interval_minutes: number | null }[]>(Prisma.sql`
    UPDATE connections SET lease_owner = ${options.instanceId}, lease_expires_at = ${until}
    WHERE id IN (
      SELECT id FROM connections
      WHERE next_check_at <= ${options.now} AND (lease_expires_at IS NULL OR lease_expires_at <= ${options.now})
      ORDER BY next_check_at, id
      LIMIT ${options.limit}
      FOR UPDATE SKIP LOCKED
    )
    RETURNING id, tenant_id, next_check_at, check_interval_minutes`);
  return rows.map((row) => ({
    id: String(row.id),
    tenantId: row.tenant_id,
    nextCheckAt: new Date(row.next_check_at),
    checkIntervalMinutes: row.check_interval_minutes === null ? null : Number(row.check_interval_minutes),
  }));
}

/** Gives a leased connection back without a run, to be checked at `until` (throttled tenant, shutdown). */
export async function deferScheduledCheck(db: DbClient, options: { id: string; instanceId: string; until: Date }): Promise<boolean> {
  const { count } = await db.connection.updateMany({
    where: { id: options.id, leaseOwner: options.instanceId },
    data: { nextCheckAt: options.until, leaseOwner: null, leaseExpiresAt: null },
  });
  return count === 1;
}

/**
 * Holds off the tenant's other connections until `until`: throttling is usually per app or per tenant,
 * so checking its neighbours now would only deepen it. Connections leased by someone are left alone.
 */
export async function backOffTenant(db: DbClient, options: { tenantId: string; exceptId: string; now: Date; until: Date }): Promise<number> {
  const { count } = await db.connection.updateMany({
    where: {
      tenantId: options.tenantId,
      id: { not: options.exceptId },
      nextCheckAt: { lt: options.until },
      OR: [{ leaseExpiresAt: null }, { leaseExpiresAt: { lte: options.now } }],
    },
    data: { nextCheckAt: options.until },
  });
  return count;
}

/** How many of the connection's latest runs in a row were throttled (the CheckRun's headline code says so). */
async function throttleStreak(db: DbClient, connectionId: string): Promise<number> {
  const recent = await db.checkRun.findMany({ where: { connectionId }, orderBy: { startedAt: "desc" }, take: 8, select: { code: true } });
  const firstOther = recent.findIndex((run) => run.code === null || !THROTTLE_CODES.has(run.code));
  return firstOther === -1 ? recent.length : firstOther;
}

/**
 * The wait after a throttled run: the base wait, doubled for each throttled run before it, capped at
 * the connection's interval (or the base, when the interval is shorter). A passing throttle is
 * retried soon, so the state it caused is corrected quickly; persistent throttling backs off to the
 * normal schedule instead of hammering.
 */
export function throttleBackoffMs(streak: number, intervalMs: number, baseMs: number = DEFAULT_THROTTLE_BACKOFF_MS): number {
  return Math.min(baseMs * 2 ** Math.min(streak, 16), Math.max(baseMs, intervalMs));
}

export type ScheduledCheckOptions = {
  instanceId: string;
  now?: () => Date;
  /** CALSYNC_CHECK_INTERVAL_MINUTES; a connection's own `checkIntervalMinutes` wins. */
  defaultIntervalMinutes: number;
  random?: () => number;
  throttleBackoffMs?: number;
  checkTimeoutMs?: number;
  signal?: AbortSignal;
  runCheck?: CheckRunner;
};

export type ScheduledCheckOutcome =
  | { outcome: "recorded"; run: RecordedRun; throttled: boolean; nextCheckAt: Date }
  | { outcome: "lost-lease" }
  | { outcome: "cancelled" }
  | { outcome: "gone" };

/** Runs one leased check and records it, unless the lease was lost meanwhile. */
export async function runScheduledCheck(db: AppPrismaClient, ring: KeyRing, lease: ConnectionLease, options: ScheduledCheckOptions): Promise<ScheduledCheckOutcome> {
  const now = options.now ?? (() => new Date());
  const signal = options.signal ?? new AbortController().signal;
  const report = await runStoredConnectionChecks(db, ring, lease.id, {
    signal,
    timeoutMs: options.checkTimeoutMs ?? 15_000,
    ...(options.now ? { now: options.now } : {}),
    ...(options.runCheck ? { runOrganizationChecks: options.runCheck } : {}),
  });
  if (!report) return { outcome: "gone" };
  if (report.cancelled || signal.aborted) {
    // Shutting down: hand the slot back at once so another instance (or the next start) runs it.
    await deferScheduledCheck(db, { id: lease.id, instanceId: options.instanceId, until: lease.nextCheckAt });
    return { outcome: "cancelled" };
  }
  const finished = now();
  const throttled = isThrottled(report);
  const interval = jitteredIntervalMs(lease.checkIntervalMinutes ?? options.defaultIntervalMinutes, options.random);
  const backoff = throttled ? throttleBackoffMs(await throttleStreak(db, lease.id), interval, options.throttleBackoffMs) : 0;
  const regular = new Date(finished.getTime() + (throttled ? backoff : interval));

  return db.$transaction(async (tx): Promise<ScheduledCheckOutcome> => {
    const current = await tx.connection.findUnique({ where: { id: lease.id }, select: { state: true, scopeChangedAt: true } });
    if (!current) return { outcome: "gone" };
    const nextCheckAt = throttled ? regular : nextCheckTime({ checks: report.checks, scopeChangedAt: current.scopeChangedAt, now: finished, regular });
    const { count } = await tx.connection.updateMany({
      where: { id: lease.id, leaseOwner: options.instanceId },
      data: { nextCheckAt, leaseOwner: null, leaseExpiresAt: null },
    });
    if (count === 0) return { outcome: "lost-lease" };
    const run = await recordCheckRun(tx, { connectionId: lease.id, report, trigger: "scheduled", previousState: current.state as ConnectionState });
    if (throttled) await backOffTenant(tx, { tenantId: lease.tenantId, exceptId: lease.id, now: finished, until: nextCheckAt });
    return { outcome: "recorded", run, throttled, nextCheckAt };
  });
}
