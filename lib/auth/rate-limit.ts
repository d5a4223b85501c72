import "server-only";
import type { DbClient } from "@/lib/db/types";

/**
 * Failed attempts (sign-in passwords, setup codes, current passwords) are counted in the database, so
 * the limits hold across restarts and across console instances. A bucket is one thing being guessed
 * from one place; when it holds `limit` failures within the window, attempts under it are refused.
 * No bucket is keyed by account alone: anyone could fill it and lock the owner out.
 */
export const FAILURE_WINDOW_MINUTES = 15;

export const FAILURE_LIMITS = {
  signInPerAccountAndAddress: 5,
  signInPerAddress: 20,
  setupCodePerAddress: 10,
  currentPasswordPerAccount: 5,
  secondFactorPerAccountAndAddress: 5,
} as const;

/** `counts` names what the bucket counts, for the audit entry when it fills ("wrong setup codes from …"). */
export type FailureBucket = { key: string; limit: number; counts: string };

const windowStart = (now: Date) => new Date(now.getTime() - FAILURE_WINDOW_MINUTES * 60_000);
const addressOf = (ip: string | null) => ip ?? "an unknown address";

/** One account guessed from one address; a successful sign-in from there forgives it. */
export function signInAccountBucket(email: string, ip: string | null): FailureBucket {
  return {
    key: `sign-in:${email} from ${addressOf(ip)}`,
    limit: FAILURE_LIMITS.signInPerAccountAndAddress,
    counts: `wrong passwords for ${email} from ${addressOf(ip)}`,
  };
}

export function signInBuckets(email: string, ip: string | null): FailureBucket[] {
  return [
    signInAccountBucket(email, ip),
    ...(ip ? [{ key: `sign-in from ${ip}`, limit: FAILURE_LIMITS.signInPerAddress, counts: `failed sign-ins from ${ip}` }] : []),
  ];
}

export function setupCodeBuckets(ip: string | null): FailureBucket[] {
  return [{ key: `setup-code from ${addressOf(ip)}`, limit: FAILURE_LIMITS.setupCodePerAddress, counts: `wrong setup codes from ${addressOf(ip)}` }];
}

/** A stolen session must not become a way to guess the password, which outlives it. */
export function currentPasswordBuckets(userId: string): FailureBucket[] {
  return [{ key: `current-password:${userId}`, limit: FAILURE_LIMITS.currentPasswordPerAccount, counts: "wrong current passwords" }];
}

/**
 * Wrong second factors (TOTP codes, recovery codes, passkeys) after a right password. Filling it ends
 * the half-finished sign-in, so the next guesses need the password again.
 */
export function secondFactorBuckets(userId: string, ip: string | null): FailureBucket[] {
  return [
    {
      key: `second-factor:${userId} from ${addressOf(ip)}`,
      limit: FAILURE_LIMITS.secondFactorPerAccountAndAddress,
      counts: `wrong second factors from ${addressOf(ip)}`,
    },
    ...(ip ? [{ key: `sign-in from ${ip}`, limit: FAILURE_LIMITS.signInPerAddress, counts: `failed sign-ins from ${ip}` }] : []),
  ];
}

/** The first bucket that is full, so that attempts under it are refused; null when none is. */
export async function fullBucket(db: DbClient, buckets: FailureBucket[], now = new Date()): Promise<FailureBucket | null> {
  const counts = await Promise.all(buckets.map((bucket) => db.signInFailure.count({ where: { bucket: bucket.key, occurredAt: { gte: windowStart(now) } } })));
  return buckets.find((bucket, index) => counts[index]! >= bucket.limit) ?? null;
}

/** Records one failure in each bucket and returns the buckets this failure filled (a lockout starts). */
export async function recordFailure(db: DbClient, buckets: FailureBucket[], now = new Date()): Promise<FailureBucket[]> {
  await db.signInFailure.createMany({ data: buckets.map((bucket) => ({ bucket: bucket.key, occurredAt: now })) });
  // Old rows carry no information; trimming here keeps the table small without a separate job.
  await db.signInFailure.deleteMany({ where: { occurredAt: { lt: new Date(now.getTime() - FAILURE_WINDOW_MINUTES * 60_000 * 4) } } });
  const counts = await Promise.all(buckets.map((bucket) => db.signInFailure.count({ where: { bucket: bucket.key, occurredAt: { gte: windowStart(now) } } })));
  return buckets.filter((bucket, index) => counts[index] === bucket.limit);
}

/**
 * For a check that parallel requests could otherwise all pass before one failure is counted: each
 * attempt takes a place in the bucket first, and only the first `limit` places go ahead. `release`
 * gives the place back once the outcome is counted (or cleared).
 */
export async function reserveAttempt(db: DbClient, bucket: FailureBucket, now = new Date()): Promise<{ ok: boolean; release: () => Promise<void> }> {
  const reserved = await db.signInFailure.create({ data: { bucket: `${bucket.key} (being checked)`, occurredAt: now }, select: { id: true } });
  const release = async () => {
    await db.signInFailure.deleteMany({ where: { id: reserved.id } });
  };
  const [failures, checking] = await Promise.all([
    db.signInFailure.count({ where: { bucket: bucket.key, occurredAt: { gte: windowStart(now) } } }),
    db.signInFailure.count({ where: { bucket: `${bucket.key} (being checked)`, occurredAt: { gte: windowStart(now) }, id: { lte: reserved.id } } }),
  ]);
  return { ok: failures + checking <= bucket.limit, release };
}

export async function clearFailures(db: DbClient, buckets: FailureBucket[]): Promise<void> {
  await db.signInFailure.deleteMany({ where: { bucket: { in: buckets.map((bucket) => bucket.key) } } });
}

/*
 * Per account, failures from anywhere slow guessing down instead of locking: after the first few
 * (typing mistakes), each wrong password doubles the time before the account's next password check,
 * up to a minute (at most 60 guesses an hour, however many addresses guess). The time is stored with
 * the account, so no request waits for it: an attempt before it is answered at once.
 */
const FREE_FAILURES = 3;
const FIRST_WAIT_MS = 1000;
const MAX_WAIT_MS = 60_000;
// While a password is being checked the account is held, so parallel guesses cannot all slip through
// before the first one is counted; the check's outcome replaces the hold at once.
const CHECK_HOLD_MS = 10_000;

export function accountWaitMs(failures: number): number {
  return failures < FREE_FAILURES ? 0 : Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** (failures - FREE_FAILURES));
}

/** What a successful sign-in (or the right password for a deactivated account) writes to the account. */
export const accountThrottleCleared = { failedSignIns: 0, signInNotBefore: null } as const;

/** Claims the account's next password check, or says until when it has to wait. */
export async function claimAccountAttempt(db: DbClient, userId: string, now = new Date()): Promise<{ ok: true } | { ok: false; until: Date }> {
  // Failures with nothing after them for a whole window are forgotten.
  await db.user.updateMany({ where: { id: userId, signInNotBefore: { lt: windowStart(now) } }, data: { failedSignIns: 0 } });
  const claimed = await db.user.updateMany({
    where: { id: userId, OR: [{ signInNotBefore: null }, { signInNotBefore: { lte: now } }] },
    data: { signInNotBefore: new Date(now.getTime() + CHECK_HOLD_MS) },
  });
  if (claimed.count === 1) return { ok: true };
  const account = await db.user.findUnique({ where: { id: userId }, select: { signInNotBefore: true } });
  return { ok: false, until: account?.signInNotBefore ?? now };
}

export async function recordAccountFailure(db: DbClient, userId: string, now = new Date()): Promise<number> {
  const { failedSignIns } = await db.user.update({ where: { id: userId }, data: { failedSignIns: { increment: 1 } }, select: { failedSignIns: true } });
  await db.user.update({ where: { id: userId }, data: { signInNotBefore: new Date(now.getTime() + accountWaitMs(failedSignIns)) }, select: { id: true } });
  return failedSignIns;
}

/**
 * An address with no account gets the same waits, worked out from its recorded failures, so that the
 * answers do not tell whether an account exists.
 */
export function unknownAccountBucket(email: string): FailureBucket {
  return { key: `sign-in:${email} (no account)`, limit: Number.POSITIVE_INFINITY, counts: "wrong passwords for an address with no account" };
}

export async function unknownAccountWaitUntil(db: DbClient, email: string, now = new Date()): Promise<Date | null> {
  const recent = await db.signInFailure.aggregate({
    where: { bucket: unknownAccountBucket(email).key, occurredAt: { gte: windowStart(now) } },
    _count: { _all: true },
    _max: { occurredAt: true },
  });
  const last = recent._max.occurredAt;
  return last ? new Date(last.getTime() + accountWaitMs(recent._count._all)) : null;
}

function unknownAccountHoldKey(email: string): string {
  return `sign-in:${email} (no account, being checked)`;
}

/**
 * The check hold of claimAccountAttempt for an address with no account: without it, parallel
 * attempts would be answered "try again" only where an account exists. The earliest hold within
 * CHECK_HOLD_MS is the one that goes ahead; `release` ends it once the check is over. (With no
 * account row to update atomically, two holds written in the same instant may both go ahead; that is
 * one extra check of a password no account has, not a difference in the answers.)
 */
export async function claimUnknownAccountAttempt(
  db: DbClient,
  email: string,
  now = new Date(),
): Promise<{ ok: true; release: () => Promise<void> } | { ok: false; until: Date }> {
  const bucket = unknownAccountHoldKey(email);
  const mine = await db.signInFailure.create({ data: { bucket, occurredAt: now }, select: { id: true } });
  const first = await db.signInFailure.findFirst({
    where: { bucket, occurredAt: { gt: new Date(now.getTime() - CHECK_HOLD_MS) } },
    orderBy: { id: "asc" },
    select: { id: true, occurredAt: true },
  });
  const release = async () => {
    await db.signInFailure.deleteMany({ where: { id: mine.id } });
  };
  if (!first || first.id === mine.id) return { ok: true, release };
  await release();
  return { ok: false, until: new Date(first.occurredAt.getTime() + CHECK_HOLD_MS) };
}
