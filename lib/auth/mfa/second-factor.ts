import "server-only";
import type { DbClient } from "@/lib/db/types";
import { logRefusedAttempt, recordAuthFailure } from "@/lib/auth/auth-failures";
import { claimAccountAttempt, clearFailures, fullBucket, recordAccountFailure, secondFactorBuckets } from "@/lib/auth/rate-limit";
import type { SessionPolicy } from "@/lib/auth/sessions";
import { slowedSignIn } from "@/lib/auth/sign-in";
import { completePendingSignIn, endPendingSignIn, findPendingSignIn, markEnrolled, type PendingSignInView } from "@/lib/auth/mfa/pending-sign-in";

export const PENDING_SIGN_IN_ENDED = "Your sign-in has ended. Enter your email and password again.";
export const TOO_MANY_SECOND_FACTORS = "Too many wrong codes. Enter your email and password again in 15 minutes.";

/** `session` is null where the factor was one being set up: the sign-in then waits at `enrolled`. */
export type SecondFactorResult =
  | { ok: true; session: { token: string; expiresAt: Date } | null; pending: PendingSignInView }
  | { ok: false; message: string; ended: boolean };

/**
 * The second step of a sign-in, for every kind of factor: `check` says whether what the person gave
 * (a code, a recovery code, a passkey's answer, or a code from an app they are setting up) is right.
 * Limited and audited like passwords: per account and address a few failures end the pending sign-in,
 * and the account's wait grows with each failure from anywhere.
 */
export async function completeSecondFactor(
  db: DbClient,
  input: {
    token: string | undefined;
    purpose: "verify" | "enrol";
    method: string;
    ip: string | null;
    userAgent: string | null;
    check: (pending: PendingSignInView) => Promise<boolean>;
  },
  policy: SessionPolicy,
  now = new Date(),
): Promise<SecondFactorResult> {
  const pending = await findPendingSignIn(db, input.token, now);
  if (!pending || pending.purpose !== input.purpose) return { ok: false, message: PENDING_SIGN_IN_ENDED, ended: true };
  const { user } = pending;
  const buckets = secondFactorBuckets(user.id, input.ip);
  if (await fullBucket(db, buckets, now)) {
    await endPendingSignIn(db, pending.id);
    logRefusedAttempt("second-factor", input.ip);
    return { ok: false, message: TOO_MANY_SECOND_FACTORS, ended: true };
  }
  const claim = await claimAccountAttempt(db, user.id, now);
  if (!claim.ok) {
    logRefusedAttempt("second-factor", input.ip);
    return { ok: false, message: slowedSignIn(claim.until, now), ended: false };
  }
  if (!(await input.check(pending))) {
    await recordAccountFailure(db, user.id, now);
    await recordAuthFailure(
      db,
      { kind: "second-factor", buckets, actor: null, target: { type: "user", id: user.id, label: user.email }, summary: `Sign-in failed: wrong ${input.method}`, ip: input.ip },
      now,
    );
    if (await fullBucket(db, buckets, now)) {
      await endPendingSignIn(db, pending.id);
      return { ok: false, message: TOO_MANY_SECOND_FACTORS, ended: true };
    }
    return { ok: false, message: `That ${input.method} is not right. Try again.`, ended: false };
  }
  await clearFailures(db, [buckets[0]!]);
  if (input.purpose === "enrol") {
    if (!(await markEnrolled(db, pending))) return { ok: false, message: PENDING_SIGN_IN_ENDED, ended: true };
    return { ok: true, session: null, pending };
  }
  const session = await completePendingSignIn(db, pending, { ip: input.ip, userAgent: input.userAgent }, policy, input.method, now);
  if (!session) return { ok: false, message: PENDING_SIGN_IN_ENDED, ended: true };
  return { ok: true, session, pending };
}
