import "server-only";
import type { AppPrismaClient } from "@/lib/db/types";
import { logRefusedAttempt, recordAuthFailure } from "@/lib/auth/auth-failures";
import { burnPasswordCheck, verifyPassword } from "@/lib/auth/passwords";
import {
  accountThrottleCleared,
  claimAccountAttempt,
  claimUnknownAccountAttempt,
  clearFailures,
  fullBucket,
  recordAccountFailure,
  signInAccountBucket,
  signInBuckets,
  unknownAccountBucket,
  unknownAccountWaitUntil,
} from "@/lib/auth/rate-limit";
import type { SessionPolicy } from "@/lib/auth/sessions";
import { nextSignInStep, type PendingPurpose } from "@/lib/auth/mfa/pending-sign-in";
import { localPasswordRefused, MICROSOFT_ONLY_SIGN_IN } from "@/lib/auth/oidc/settings";

export const GENERIC_SIGN_IN_FAILURE = "That email and password do not match an account.";
export const RATE_LIMITED_SIGN_IN = "Too many failed sign-ins. Wait 15 minutes, then try again.";
export const DEACTIVATED_SIGN_IN = "This account has been deactivated. Ask an administrator to reactivate it.";

export function slowedSignIn(until: Date, now: Date): string {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  return `Too many failed sign-ins for this account. Try again in ${seconds} second${seconds === 1 ? "" : "s"}.`;
}

/** A right password gives a session, or (with a second factor, or one to set up) a pending sign-in. */
export type SignInResult =
  | { ok: true; token: string; expiresAt: Date; userId: string; pending?: undefined }
  | { ok: true; token: string; expiresAt: Date; userId: string; pending: PendingPurpose }
  | { ok: false; message: string };

export async function signIn(
  db: AppPrismaClient,
  input: { email: string; password: string; ip: string | null; userAgent: string | null; returnTo?: string },
  policy: SessionPolicy,
  now = new Date(),
): Promise<SignInResult> {
  const buckets = signInBuckets(input.email, input.ip);
  if (await fullBucket(db, buckets, now)) {
    logRefusedAttempt("sign-in", input.ip);
    return { ok: false, message: RATE_LIMITED_SIGN_IN };
  }
  const user = await db.user.findUnique({
    where: { email: input.email },
    select: { id: true, email: true, role: true, passwordHash: true, active: true, breakGlass: true },
  });
  let releaseUnknownHold = async () => {};
  if (user) {
    const claim = await claimAccountAttempt(db, user.id, now);
    if (!claim.ok) {
      logRefusedAttempt("sign-in", input.ip);
      return { ok: false, message: slowedSignIn(claim.until, now) };
    }
  } else {
    // Held first and the wait read after, as for an account: a check that ends in between has counted.
    const claim = await claimUnknownAccountAttempt(db, input.email, now);
    const until = claim.ok ? await unknownAccountWaitUntil(db, input.email, now) : claim.until;
    if (!claim.ok || (until && until > now)) {
      if (claim.ok) await claim.release();
      logRefusedAttempt("sign-in", input.ip);
      return { ok: false, message: slowedSignIn(until ?? now, now) };
    }
    releaseUnknownHold = claim.release;
  }
  const passwordMatches = user?.passwordHash
    ? await verifyPassword(user.passwordHash, input.password)
    : (await burnPasswordCheck(input.password), false);
  if (!user || !passwordMatches) {
    if (user) await recordAccountFailure(db, user.id, now);
    await recordAuthFailure(
      db,
      {
        kind: "sign-in",
        buckets: user ? buckets : [...buckets, unknownAccountBucket(input.email)],
        actor: null,
        // The address typed is what an investigation needs; the password typed is never kept.
        target: user ? { type: "user", id: user.id, label: user.email } : { type: "email", id: input.email, label: input.email },
        summary: user ? "Sign-in failed: wrong password" : "Sign-in failed: no account has this email address",
        ip: input.ip,
      },
      now,
    );
    // Like an account's hold, released only once the failure is counted, so the next attempt sees its wait.
    await releaseUnknownHold();
    return { ok: false, message: GENERIC_SIGN_IN_FAILURE };
  }
  // Only someone who knows the password learns that the account is deactivated.
  if (!user.active) {
    await db.user.update({ where: { id: user.id }, data: accountThrottleCleared, select: { id: true } });
    return { ok: false, message: DEACTIVATED_SIGN_IN };
  }
  // Told only to someone who knows the password, like deactivation.
  if (await localPasswordRefused(db, user)) {
    await db.user.update({ where: { id: user.id }, data: accountThrottleCleared, select: { id: true } });
    return { ok: false, message: MICROSOFT_ONLY_SIGN_IN };
  }
  await clearFailures(db, [signInAccountBucket(input.email, input.ip)]);
  const step = await nextSignInStep(db, user, { ip: input.ip, userAgent: input.userAgent, returnTo: input.returnTo ?? "/" }, policy, now);
  if (!step.pending) return { ok: true, token: step.token, expiresAt: step.expiresAt, userId: user.id };
  // Only the password check's hold ends here. The count of failures stays until the second factor is
  // right too (completePendingSignIn clears it): cleared here, a right password would reset the delay
  // that wrong codes build, from any address.
  await db.user.update({ where: { id: user.id }, data: { signInNotBefore: null }, select: { id: true } });
  return { ok: true, token: step.token, expiresAt: step.expiresAt, userId: user.id, pending: step.pending };
}
