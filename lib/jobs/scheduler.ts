import "server-only";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { getKeyRing } from "@/lib/crypto/key-store";
import type { KeyRing } from "@/lib/crypto/seal";
import { getPrisma } from "@/lib/db/client";
import type { AppPrismaClient } from "@/lib/db/types";
import { getEnv } from "@/lib/env";
import { enqueueExpiryWarnings } from "@/lib/jobs/alerts";
import { runDueRenewals } from "@/lib/credentials/renewal";
import { MAILBOX_APP_RENEWAL_KEY } from "@/lib/delegated/delegated-app-renewal";
import { deliverPendingNotifications, type DeliveryOptions, type DeliveryRunSummary } from "@/lib/jobs/deliveries";
import { pruneSignInAttempts } from "@/lib/delegated/sign-in";
import { pruneMicrosoftSignIns } from "@/lib/auth/oidc/sign-in";
import { pruneCheckRuns } from "@/lib/jobs/retention";
import {
  deferScheduledCheck,
  leaseDueConnections,
  runScheduledCheck,
  type CheckRunner,
  type ConnectionLease,
  type ScheduledCheckOutcome,
} from "@/lib/jobs/scheduled-checks";
import { log } from "@/lib/log";

/**
 * The in-process scheduler. Every instance runs one; leases in the database make each scheduled
 * check and each delivery happen once across instances (on PGlite there is only one instance).
 *
 * Two loops run side by side so that neither holds the other up: checks (lease a due connection,
 * run it, record it; `concurrency` at a time) and notifications (queue due expiry warnings, send
 * pending deliveries, prune old check runs once an hour).
 */

export type CheckPhaseOptions = {
  db: AppPrismaClient;
  ring: KeyRing;
  instanceId: string;
  now?: () => Date;
  concurrency: number;
  leaseMs?: number;
  defaultIntervalMinutes: number;
  random?: () => number;
  throttleBackoffMs?: number;
  checkTimeoutMs?: number;
  runCheck?: CheckRunner;
  signal?: AbortSignal;
  /** Stops the phase after this many leases (tests; a fresh install with thousands of due rows). */
  maxChecks?: number;
  onCheck?: (lease: ConnectionLease, outcome: ScheduledCheckOutcome | { outcome: "deferred" } | { outcome: "error" }) => void;
};

export type CheckPhaseSummary = { recorded: number; deferred: number; lostLeases: number; errors: number };

// Long enough for the slowest possible validation (per-check time limits plus the throttling budget).
export const DEFAULT_CHECK_LEASE_MS = 5 * 60_000;

/** Runs due checks until none is left, `concurrency` at a time; each slot leases one connection at a time. */
export async function runDueChecks(options: CheckPhaseOptions): Promise<CheckPhaseSummary> {
  const now = options.now ?? (() => new Date());
  const summary: CheckPhaseSummary = { recorded: 0, deferred: 0, lostLeases: 0, errors: 0 };
  // Tenants that throttled in this pass: their other due connections are handed back, not run.
  const throttledUntil = new Map<string, Date>();
  let leased = 0;
  const slot = async () => {
    while (!options.signal?.aborted && (options.maxChecks === undefined || leased < options.maxChecks)) {
      const [lease] = await leaseDueConnections(options.db, { instanceId: options.instanceId, now: now(), leaseMs: options.leaseMs ?? DEFAULT_CHECK_LEASE_MS, limit: 1 });
      if (!lease) return;
      leased++;
      const until = throttledUntil.get(lease.tenantId);
      if (until && until > now()) {
        await deferScheduledCheck(options.db, { id: lease.id, instanceId: options.instanceId, until });
        summary.deferred++;
        options.onCheck?.(lease, { outcome: "deferred" });
        continue;
      }
      try {
        const outcome = await runScheduledCheck(options.db, options.ring, lease, { ...options, ...(options.signal ? { signal: options.signal } : {}) });
        if (outcome.outcome === "recorded") {
          summary.recorded++;
          if (outcome.throttled) throttledUntil.set(lease.tenantId, outcome.nextCheckAt);
        }
        if (outcome.outcome === "lost-lease") summary.lostLeases++;
        options.onCheck?.(lease, outcome);
      } catch (error) {
        // A bug or a database hiccup: the lease runs out and the check is retried then.
        summary.errors++;
        log.error("Scheduled check failed", { connectionId: lease.id, error: error instanceof Error ? `${error.name}: ${error.message.split("\n")[0]}` : "non-error thrown" });
        options.onCheck?.(lease, { outcome: "error" });
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, slot));
  return summary;
}

export type NotificationPhaseOptions = Omit<DeliveryOptions, "now"> & { db: AppPrismaClient; ring: KeyRing; now?: () => Date };

/** Queues due expiry warnings and sends what is pending. */
export async function runNotificationPhase(options: NotificationPhaseOptions): Promise<DeliveryRunSummary & { expiryQueued: number }> {
  const now = options.now ?? (() => new Date());
  const expiryQueued = await enqueueExpiryWarnings(options.db, { now: now() });
  const delivery = await deliverPendingNotifications(options.db, options.ring, { ...options, now });
  return { ...delivery, expiryQueued };
}

export type StartSchedulerOptions = Partial<Omit<CheckPhaseOptions, "db" | "ring" | "signal">> & {
  /** Pause between passes of each loop. Default 30 s. */
  tickMs?: number;
  pruneEveryMs?: number;
  retentionDays?: number;
  delivery?: Partial<Omit<DeliveryOptions, "instanceId" | "now">>;
  /** Defaults to the process-wide database and key ring (set up by startConsole). */
  database?: () => Promise<AppPrismaClient>;
  keyRing?: () => KeyRing;
  /** Ignore CALSYNC_SCHEDULER (the worker script and tests decide for themselves). */
  force?: boolean;
};

export type SchedulerHandle = { instanceId: string; running: boolean; stop(): Promise<void> };

export function defaultInstanceId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Starts both loops and returns a handle whose stop() cancels running checks (their slots are handed
 * back at once) and resolves when both loops have finished. Does nothing when CALSYNC_SCHEDULER=off.
 */
export function startScheduler(options: StartSchedulerOptions = {}): SchedulerHandle {
  const env = getEnv();
  const instanceId = options.instanceId ?? defaultInstanceId();
  if (env.CALSYNC_SCHEDULER === "off" && !options.force) {
    log.info("Scheduler is off (CALSYNC_SCHEDULER=off); this instance runs no scheduled checks or notifications", { instanceId });
    return { instanceId, running: false, stop: async () => undefined };
  }
  const controller = new AbortController();
  const signal = controller.signal;
  const tickMs = options.tickMs ?? 30_000;
  const now = options.now ?? (() => new Date());
  const database = options.database ?? getPrisma;
  const keyRing = options.keyRing ?? getKeyRing;
  const pruneEveryMs = options.pruneEveryMs ?? 3_600_000;

  const loop = async (name: string, pass: () => Promise<void>) => {
    while (!signal.aborted) {
      try {
        await pass();
      } catch (error) {
        log.error("Scheduler pass failed", { loop: name, instanceId, error: error instanceof Error ? `${error.name}: ${error.message.split("\n")[0]}` : "non-error thrown" });
      }
      await pause(tickMs, signal);
    }
  };

  const checks = loop("checks", async () => {
    await runDueChecks({
      concurrency: env.CALSYNC_CHECK_CONCURRENCY,
      defaultIntervalMinutes: env.CALSYNC_CHECK_INTERVAL_MINUTES,
      ...options,
      db: await database(),
      ring: keyRing(),
      instanceId,
      now,
      signal,
    });
  });

  let lastPrune = 0;
  const notifications = loop("notifications", async () => {
    const db = await database();
    await runNotificationPhase({ ...options.delivery, db, ring: keyRing(), instanceId, now });
    if (now().getTime() - lastPrune >= pruneEveryMs) {
      lastPrune = now().getTime();
      const { deleted } = await pruneCheckRuns(db, { now: now(), retentionDays: options.retentionDays ?? env.CALSYNC_RETENTION_DAYS });
      if (deleted > 0) log.info("Pruned old check runs", { deleted });
      const attempts = await pruneSignInAttempts(db, now());
      if (attempts > 0) log.info("Pruned old mailbox sign-in attempts", { deleted: attempts });
      const consoleAttempts = await pruneMicrosoftSignIns(db, now());
      if (consoleAttempts > 0) log.info("Pruned old Microsoft sign-in attempts", { deleted: consoleAttempts });
    }
  });

  const renewals = loop("renewals", async () => {
    const outcomes = await runDueRenewals(await database(), keyRing(), { instanceId, now: now(), renewDays: env.CALSYNC_CERT_RENEW_DAYS });
    for (const [key, outcome] of outcomes) {
      const owner = key === MAILBOX_APP_RENEWAL_KEY ? { app: "mailbox sign-in" } : { connectionId: key };
      if (outcome.outcome === "renewed") log.info("Certificate renewed", { ...owner, oldThumbprint: outcome.oldThumbprint, newThumbprint: outcome.newThumbprint });
      if (outcome.outcome === "blocked") log.warn("Certificate renewal blocked", { ...owner, reason: outcome.reason });
    }
  });

  log.info("Scheduler started", { instanceId, concurrency: options.concurrency ?? env.CALSYNC_CHECK_CONCURRENCY });
  const finished = Promise.all([checks, notifications, renewals]);
  const handle: SchedulerHandle = {
    instanceId,
    running: true,
    async stop() {
      controller.abort();
      await finished;
      handle.running = false;
    },
  };
  return handle;
}

// Plain module state: only start-up (instrumentation.ts, once per process) starts the scheduler.
let processScheduler: SchedulerHandle | undefined;

/** Starts this process's scheduler unless it is already running; what startup code calls. */
export function ensureScheduler(options: StartSchedulerOptions = {}): SchedulerHandle {
  if (processScheduler?.running) return processScheduler;
  processScheduler = startScheduler(options);
  return processScheduler;
}
