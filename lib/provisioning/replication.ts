import type { AdminGraphFailure } from "@/lib/provisioning/admin-graph";

/**
 * Microsoft Entra's eventual consistency: an app or service principal created a moment ago may be
 * invisible to the next request. Only the answers known to mean that are retried (see
 * simulator/recorded/application-errors.json for where each was seen), with capped exponential
 * back-off and full jitter, for a bounded time; any other error is final at once.
 */

export type ProvisioningStepId = "create-app" | "create-service-principal" | "grant" | "credential" | "verify";

const NOT_FOUND = /does not exist or one of its queried reference-property objects are not present/i;
const NO_BACKING = /NoBackingApplicationObject|does not reference a valid application object/i;
const BACKING_DENIED = /backing application|service principal.*application object/i;

/** Whether a Graph refusal is one of the documented replication delays. */
export function isReplicationFailure(failure: AdminGraphFailure): boolean {
  const codes = [failure.code, ...failure.detailCodes];
  if (failure.status === 404 && (codes.includes("Request_ResourceNotFound") || NOT_FOUND.test(failure.message))) return true;
  if (codes.includes("NoBackingApplicationObject") || NO_BACKING.test(failure.message)) return true;
  if (failure.status === 400 && failure.message.trim() === "Not a valid reference update.") return true;
  if (failure.status === 403 && codes.includes("Authorization_RequestDenied") && BACKING_DENIED.test(failure.message)) return true;
  return false;
}

/** AADSTS codes that mean "the new app or its new credential has not reached the token service yet". */
export const replicationTokenCodes = ["AADSTS700016", "AADSTS7000215", "AADSTS700027"] as const;

export type BackoffOptions = {
  /** First wait; each next one doubles up to `capMs`. */
  baseMs: number;
  capMs: number;
  /** Give up once this much time has passed since the first attempt. */
  boundMs: number;
  /**
   * No wait longer than this share of the time already waited: an object that appears after a
   * delay D is then seen by about D × (1 + share) plus a round trip, rather than D plus a whole
   * doubled step, while a wait of minutes still settles at `capMs` between attempts.
   */
  elapsedShare?: number;
  random?: () => number;
};

/**
 * The first retry follows the first refusal at once (its wait is shorter than a round trip and
 * counts from the refused request's start); waits then grow with the time already waited, up to
 * the cap. The bound comes from CALSYNC_PROVISION_REPLICATION_MINUTES (see `provisioningBackoff`).
 */
export const defaultBackoff: BackoffOptions = { baseMs: 100, capMs: 10_000, boundMs: 10 * 60_000, elapsedShare: 0.1 };

/**
 * The wait before attempt `attempt + 1` (attempt counts from 1), `elapsedMs` after the first
 * attempt began: full jitter under a capped exponential, capped again by a share of `elapsedMs`.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, elapsedMs = Number.POSITIVE_INFINITY): number {
  const share = options.elapsedShare === undefined ? Number.POSITIVE_INFINITY : Math.max(options.baseMs, elapsedMs * options.elapsedShare);
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** (attempt - 1), share);
  const random = options.random ?? Math.random;
  // Never below a tenth of the ceiling, so a run of small draws cannot turn into a busy loop.
  return Math.round(ceiling * (0.1 + 0.9 * random()));
}

export type WaitEvent = { attempt: number; nextInMs: number };

export type RetryOutcome<T> =
  | { ok: true; value: T; attempts: number }
  | { ok: false; failure: AdminGraphFailure; attempts: number; replication: boolean };

/**
 * Runs `attempt` until it succeeds, fails with something other than replication, or the bound runs
 * out. Each wait counts from the start of the refused attempt, so the round trip that brought the
 * refusal is part of it. `onWait` is told before each wait so the checklist can say "attempt 3,
 * next try in 4 s".
 */
export async function withReplicationRetry<T>(
  run: () => Promise<{ ok: true; value: T } | { ok: false; failure: AdminGraphFailure }>,
  options: BackoffOptions & { onWait?: (event: WaitEvent) => void; signal?: AbortSignal; isReplication?: (failure: AdminGraphFailure) => boolean },
): Promise<RetryOutcome<T>> {
  const started = Date.now();
  const replicating = options.isReplication ?? isReplicationFailure;
  for (let attempt = 1; ; attempt += 1) {
    const attemptStarted = Date.now();
    const result = await run();
    if (result.ok) return { ok: true, value: result.value, attempts: attempt };
    if (!replicating(result.failure)) return { ok: false, failure: result.failure, attempts: attempt, replication: false };
    const now = Date.now();
    const wait = Math.max(0, attemptStarted + backoffDelay(attempt, options, now - started) - now);
    if (now - started + wait > options.boundMs || options.signal?.aborted) {
      return { ok: false, failure: result.failure, attempts: attempt, replication: true };
    }
    options.onWait?.({ attempt: attempt + 1, nextInMs: wait });
    if (wait === 0) continue;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait);
      options.signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
}
