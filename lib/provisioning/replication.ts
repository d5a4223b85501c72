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
  random?: () => number;
};

/**
 * Short, capped waits: most replication delays last seconds, and a wait much longer than a round
 * trip only adds to the time after the object appears. The bound comes from
 * CALSYNC_PROVISION_REPLICATION_MINUTES (see `provisioningBackoff`).
 */
export const defaultBackoff: BackoffOptions = { baseMs: 100, capMs: 400, boundMs: 10 * 60_000 };

/** The wait before attempt `attempt + 1` (attempt counts from 1): full jitter under a capped exponential. */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** (attempt - 1));
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
 * out. `onWait` is told before each wait so the checklist can say "attempt 3, next try in 4 s".
 */
export async function withReplicationRetry<T>(
  run: () => Promise<{ ok: true; value: T } | { ok: false; failure: AdminGraphFailure }>,
  options: BackoffOptions & { onWait?: (event: WaitEvent) => void; signal?: AbortSignal; isReplication?: (failure: AdminGraphFailure) => boolean },
): Promise<RetryOutcome<T>> {
  const started = Date.now();
  const replicating = options.isReplication ?? isReplicationFailure;
  for (let attempt = 1; ; attempt += 1) {
    const result = await run();
    if (result.ok) return { ok: true, value: result.value, attempts: attempt };
    if (!replicating(result.failure)) return { ok: false, failure: result.failure, attempts: attempt, replication: false };
    const wait = backoffDelay(attempt, options);
    if (Date.now() - started + wait > options.boundMs || options.signal?.aborted) {
      return { ok: false, failure: result.failure, attempts: attempt, replication: true };
    }
    options.onWait?.({ attempt: attempt + 1, nextInMs: wait });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait);
      options.signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
}
