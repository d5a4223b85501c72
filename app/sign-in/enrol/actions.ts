"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import type { ActionState } from "@/lib/action-state";
import { recordAudit } from "@/lib/audit/audit";
import { requestContext, sessionPolicy, setSessionCookie } from "@/lib/auth/current-user";
import { confirmTotp, recoveryCodesAfterEnrolment } from "@/lib/auth/mfa/factors";
import { totpCodeSchema } from "@/lib/auth/mfa/form-schemas";
import { clearPendingSignInCookie, pendingSignInToken } from "@/lib/auth/mfa/pending-cookie";
import { completePendingSignIn, findPendingSignIn } from "@/lib/auth/mfa/pending-sign-in";
import { completeSecondFactor, PENDING_SIGN_IN_ENDED } from "@/lib/auth/mfa/second-factor";
import { runAction } from "@/lib/auth/run-action";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";

/** The enrolment the policy demands: the app's first right code is the sign-in's second factor. */
export async function enrolTotpAtSignInAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("enrolTotpAtSignInAction", totpCodeSchema, formData, async (values) => {
    const db = await getPrisma();
    const context = await requestContext();
    const result = await completeSecondFactor(
      db,
      {
        token: await pendingSignInToken(),
        purpose: "enrol",
        method: "code from the new authenticator app",
        ip: context.ip,
        userAgent: context.userAgent,
        check: (pending) => confirmTotp(db, getKeyRing(), pending.user.id, values.code),
      },
      sessionPolicy(),
    );
    if (!result.ok) {
      if (result.ended) await clearPendingSignInCookie();
      return { status: "error", code: "failed", message: result.message };
    }
    const { user } = result.pending;
    await recordAudit(db, { actor: user, action: "mfa.totp-added", target: { type: "user", id: user.id, label: user.email }, summary: "Set up an authenticator app", ip: context.ip });
    // No cookie changes here: that would make Next render the page again, and the codes would be gone.
    const codes = await recoveryCodesAfterEnrolment(db, user.id);
    return {
      status: "success",
      message: "Your authenticator app is set up.",
      ...(codes && { reveal: { label: "Recovery codes", value: codes.join(" ") } }),
    };
  });
}

/** After the recovery codes were shown: the enrolled pending sign-in becomes a session. */
export async function finishEnrolmentAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("finishEnrolmentAction", z.object({}), formData, async () => {
    const db = await getPrisma();
    const context = await requestContext();
    const pending = await findPendingSignIn(db, await pendingSignInToken());
    const session =
      pending?.purpose === "enrolled"
        ? await completePendingSignIn(db, pending, context, sessionPolicy(), "a new authenticator app")
        : null;
    await clearPendingSignInCookie();
    if (!pending || !session) return { status: "error", code: "failed", message: PENDING_SIGN_IN_ENDED };
    await setSessionCookie(session.token, session.expiresAt);
    redirect(pending.returnTo);
  });
}
