import "server-only";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getEnv } from "@/lib/env";
import { isHttpsPublicUrl } from "@/lib/public-url";
import { requestContext, SESSION_COOKIE_ATTRIBUTES, setSessionCookie } from "@/lib/auth/current-user";
import { findPendingSignIn, type PendingPurpose, type PendingSignInView } from "@/lib/auth/mfa/pending-sign-in";
import { getPrisma } from "@/lib/db/client";

/** The pending sign-in's cookie: a name of its own, so no session lookup ever sees its token. */
function pendingCookieName(): string {
  return isHttpsPublicUrl(getEnv()) ? "__Host-calsync_pending_sign_in" : "calsync_pending_sign_in";
}

export const SECOND_STEP_PATHS: Record<PendingPurpose, string> = { verify: "/sign-in/verify", enrol: "/sign-in/enrol", enrolled: "/sign-in/enrol" };

export async function pendingSignInToken(): Promise<string | undefined> {
  return (await cookies()).get(pendingCookieName())?.value;
}

export async function currentPendingSignIn(): Promise<PendingSignInView | null> {
  return findPendingSignIn(await getPrisma(), await pendingSignInToken());
}

export async function clearPendingSignInCookie(): Promise<void> {
  const { secure } = await requestContext();
  (await cookies()).delete({ name: pendingCookieName(), ...SESSION_COOKIE_ATTRIBUTES, secure });
}

/**
 * Where a right first factor leads: with a session, to `returnTo`; with a pending sign-in, to the
 * second step (or the enrolment the policy demands), which then goes on to `returnTo`.
 */
export async function continueSignIn(result: { token: string; expiresAt: Date; pending?: PendingPurpose }, returnTo: string): Promise<never> {
  if (result.pending) {
    const { secure } = await requestContext();
    (await cookies()).set(pendingCookieName(), result.token, { ...SESSION_COOKIE_ATTRIBUTES, secure, expires: result.expiresAt });
    redirect(SECOND_STEP_PATHS[result.pending]);
  }
  await clearPendingSignInCookie();
  await setSessionCookie(result.token, result.expiresAt);
  redirect(returnTo);
}
