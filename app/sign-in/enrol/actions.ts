"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import type { ActionState } from "@/lib/action-state";
import { recordAudit } from "@/lib/audit/audit";
import { requestContext, sessionPolicy, setSessionCookie } from "@/lib/auth/current-user";
import { confirmTotp, recoveryCodesAfterEnrolment } from "@/lib/auth/mfa/factors";
import { passkeyRegistrationSchema, totpCodeSchema } from "@/lib/auth/mfa/form-schemas";
import { requirePasskeySupport } from "@/lib/auth/mfa/passkey-env";
import { passkeyRegistrationOptions, registerPasskey } from "@/lib/auth/mfa/passkeys";
import type { RegistrationResponseJSON } from "@simplewebauthn/server";
import { currentPendingSignIn , clearPendingSignInCookie, pendingSignInToken } from "@/lib/auth/mfa/pending-cookie";
import { UserFacingError } from "@/lib/errors";
import { completePendingSignIn, findPendingSignIn } from "@/lib/auth/mfa/pending-sign-in";
import { completeSecondFactor, PENDING_SIGN_IN_ENDED } from "@/lib/auth/mfa/second-factor";
import { runAction } from "@/lib/auth/run-action";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";

/**
 * The enrolment the policy demands: the new factor's first right answer is the sign-in's second
 * factor. No cookie changes here: that would make Next render the page again, and the recovery codes
 * would be gone before they were read.
 */
async function enrolAtSignIn(method: string, audit: { action: string; summary: string }, check: (userId: string) => Promise<boolean>): Promise<ActionState> {
  const db = await getPrisma();
  const context = await requestContext();
  const result = await completeSecondFactor(
    db,
    { token: await pendingSignInToken(), purpose: "enrol", method, ip: context.ip, userAgent: context.userAgent, check: (pending) => check(pending.user.id) },
    sessionPolicy(),
  );
  if (!result.ok) {
    if (result.ended) await clearPendingSignInCookie();
    return { status: "error", code: "failed", message: result.message };
  }
  const { user } = result.pending;
  await recordAudit(db, { actor: user, action: audit.action, target: { type: "user", id: user.id, label: user.email }, summary: audit.summary, ip: context.ip });
  const codes = await recoveryCodesAfterEnrolment(db, user.id);
  return { status: "success", message: "Your second factor is set up.", ...(codes && { reveal: { label: "Recovery codes", value: codes.join(" ") } }) };
}

export async function enrolTotpAtSignInAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("enrolTotpAtSignInAction", totpCodeSchema, formData, async (values) => {
    const db = await getPrisma();
    return enrolAtSignIn("code from the new authenticator app", { action: "mfa.totp-added", summary: "Set up an authenticator app" }, (userId) =>
      confirmTotp(db, getKeyRing(), userId, values.code),
    );
  });
}

export async function passkeyEnrolmentOptionsAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("passkeyEnrolmentOptionsAction", z.object({}), formData, async () => {
    const pending = await currentPendingSignIn();
    if (pending?.purpose !== "enrol") throw new UserFacingError(PENDING_SIGN_IN_ENDED);
    const options = await passkeyRegistrationOptions(await getPrisma(), requirePasskeySupport(), pending.user);
    return { status: "success", message: "Follow your browser's prompts.", payload: JSON.stringify(options) };
  });
}

export async function enrolPasskeyAtSignInAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("enrolPasskeyAtSignInAction", passkeyRegistrationSchema, formData, async (values) => {
    const db = await getPrisma();
    const support = requirePasskeySupport();
    return enrolAtSignIn("new passkey", { action: "mfa.passkey-added", summary: `Added the passkey "${values.name}"` }, (userId) =>
      registerPasskey(db, support, userId, { response: values.response as unknown as RegistrationResponseJSON, name: values.name }),
    );
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
