"use server";

import { redirect } from "next/navigation";
import type { ActionState } from "@/lib/action-state";
import { requestContext, sessionPolicy, setSessionCookie } from "@/lib/auth/current-user";
import { checkTotp } from "@/lib/auth/mfa/factors";
import { passkeyAnswerSchema, recoveryCodeSchema, totpCodeSchema } from "@/lib/auth/mfa/form-schemas";
import { requirePasskeySupport } from "@/lib/auth/mfa/passkey-env";
import { checkPasskey, passkeySignInOptions } from "@/lib/auth/mfa/passkeys";
import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { z } from "zod";
import { currentPendingSignIn , clearPendingSignInCookie, pendingSignInToken } from "@/lib/auth/mfa/pending-cookie";
import { PENDING_SIGN_IN_ENDED , completeSecondFactor } from "@/lib/auth/mfa/second-factor";
import { UserFacingError } from "@/lib/errors";
import type { PendingSignInView } from "@/lib/auth/mfa/pending-sign-in";
import { spendRecoveryCode } from "@/lib/auth/mfa/recovery-codes";
import { runAction } from "@/lib/auth/run-action";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";

/** The second step's common end: a session and the page the person asked for, or why not. */
async function finishSecondStep(method: string, check: (pending: PendingSignInView) => Promise<boolean>): Promise<ActionState> {
  const db = await getPrisma();
  const context = await requestContext();
  const result = await completeSecondFactor(
    db,
    { token: await pendingSignInToken(), purpose: "verify", method, ip: context.ip, userAgent: context.userAgent, check },
    sessionPolicy(),
  );
  if (!result.ok) {
    if (result.ended) await clearPendingSignInCookie();
    return { status: "error", code: "failed", message: result.message };
  }
  await clearPendingSignInCookie();
  if (result.session) await setSessionCookie(result.session.token, result.session.expiresAt);
  redirect(result.pending.returnTo);
}

export async function verifyTotpAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("verifyTotpAction", totpCodeSchema, formData, async (values) => {
    const db = await getPrisma();
    return finishSecondStep("code", (pending) => checkTotp(db, getKeyRing(), pending.user.id, values.code));
  });
}

export async function verifyRecoveryCodeAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("verifyRecoveryCodeAction", recoveryCodeSchema, formData, async (values) => {
    const db = await getPrisma();
    return finishSecondStep("recovery code", (pending) => spendRecoveryCode(db, pending.user.id, values.recoveryCode));
  });
}

export async function passkeySignInOptionsAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("passkeySignInOptionsAction", z.object({}), formData, async () => {
    const pending = await currentPendingSignIn();
    if (pending?.purpose !== "verify") throw new UserFacingError(PENDING_SIGN_IN_ENDED);
    const options = await passkeySignInOptions(await getPrisma(), requirePasskeySupport(), pending.user.id);
    return { status: "success", message: "Follow your browser's prompts.", payload: JSON.stringify(options) };
  });
}

export async function verifyPasskeyAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("verifyPasskeyAction", passkeyAnswerSchema, formData, async (values) => {
    const db = await getPrisma();
    const support = requirePasskeySupport();
    return finishSecondStep("passkey", (pending) => checkPasskey(db, support, pending.user.id, values.response as unknown as AuthenticationResponseJSON));
  });
}
