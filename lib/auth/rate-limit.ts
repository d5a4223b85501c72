import "server-only";
import type { DbClient } from "@/lib/db/types";

/**
 * Failed sign-ins are counted in the database, so the limit holds across restarts and across console
 * instances. Limits are per account (guessing one password) and per IP address (spraying many).
 */
export const SIGN_IN_LIMITS = {
  windowMinutes: 15,
  perAccount: 5,
  perIp: 20,
} as const;

export function signInBuckets(email: string, ip: string | null): string[] {
  return [`account:${email}`, ...(ip ? [`ip:${ip}`] : [])];
}

function limitFor(bucket: string): number {
  return bucket.startsWith("ip:") ? SIGN_IN_LIMITS.perIp : SIGN_IN_LIMITS.perAccount;
}

export async function isRateLimited(db: DbClient, buckets: string[], now = new Date()): Promise<boolean> {
  const since = new Date(now.getTime() - SIGN_IN_LIMITS.windowMinutes * 60_000);
  const counts = await Promise.all(
    buckets.map((bucket) => db.signInFailure.count({ where: { bucket, occurredAt: { gte: since } } })),
  );
  return counts.some((count, index) => count >= limitFor(buckets[index]!));
}

export async function recordSignInFailure(db: DbClient, buckets: string[], now = new Date()): Promise<void> {
  await db.signInFailure.createMany({ data: buckets.map((bucket) => ({ bucket, occurredAt: now })) });
  // Old rows carry no information; trimming here keeps the table small without a separate job.
  const cutoff = new Date(now.getTime() - SIGN_IN_LIMITS.windowMinutes * 60_000 * 4);
  await db.signInFailure.deleteMany({ where: { occurredAt: { lt: cutoff } } });
}

export async function clearSignInFailures(db: DbClient, buckets: string[]): Promise<void> {
  await db.signInFailure.deleteMany({ where: { bucket: { in: buckets.filter((bucket) => bucket.startsWith("account:")) } } });
}
