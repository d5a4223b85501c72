"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { ActionState } from "@/lib/action-state";
import { recordAudit } from "@/lib/audit/audit";
import { requestContext } from "@/lib/auth/current-user";
import { confirmTotp, recoveryCodesAfterEnrolment, removeTotp, getMfaStatus, hasSecondFactor } from "@/lib/auth/mfa/factors";
import { passkeyIdSchema, passkeyRegistrationSchema, totpCodeSchema } from "@/lib/auth/mfa/form-schemas";
import { requirePasskeySupport } from "@/lib/auth/mfa/passkey-env";
import { passkeyRegistrationOptions, registerPasskey, removePasskey } from "@/lib/auth/mfa/passkeys";
import type { RegistrationResponseJSON } from "@simplewebauthn/server";
import { getMfaPolicy, mfaRequiredFor } from "@/lib/auth/mfa/policy";
import { replaceRecoveryCodes } from "@/lib/auth/mfa/recovery-codes";
import { runAction } from "@/lib/auth/run-action";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";
import { UserFacingError } from "@/lib/errors";

export async function confirmTotpAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("confirmTotpAction", totpCodeSchema, formData, async (values, caller) => {
    const db = await getPrisma();
    if (!(await confirmTotp(db, getKeyRing(), caller.id, values.code))) {
      throw new UserFacingError("That code is not right. Check that the app shows this account, then try the next code.", { code: "Not the current code" });
    }
    const { ip } = await requestContext();
    await recordAudit(db, { actor: caller, action: "mfa.totp-added", target: { type: "user", id: caller.id, label: caller.email }, summary: "Set up an authenticator app", ip });
    const codes = await recoveryCodesAfterEnrolment(db, caller.id);
    return {
      status: "success",
      message: "Your authenticator app is set up. You will be asked for a code when you sign in.",
      ...(codes && { reveal: { label: "Recovery codes", value: codes.join(" ") } }),
    };
  });
}

export async function removeTotpAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("removeTotpAction", z.object({}), formData, async (_values, caller) => {
    const db = await getPrisma();
    const { ip } = await requestContext();
    await removeTotp(db, caller, mfaRequiredFor(await getMfaPolicy(db), caller.role), ip);
    revalidatePath("/account/security");
    return { status: "success", message: "Your authenticator app was removed." };
  });
}

export async function replaceRecoveryCodesAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("replaceRecoveryCodesAction", z.object({}), formData, async (_values, caller) => {
    const db = await getPrisma();
    if (!hasSecondFactor(await getMfaStatus(db, caller.id))) throw new UserFacingError("Set up a second factor first: recovery codes stand in for one.");
    const codes = await replaceRecoveryCodes(db, caller.id);
    const { ip } = await requestContext();
    await recordAudit(db, {
      actor: caller,
      action: "mfa.recovery-codes-replaced",
      target: { type: "user", id: caller.id, label: caller.email },
      summary: "Made new recovery codes; the earlier ones no longer work",
      ip,
    });
    return { status: "success", message: "New recovery codes made. The earlier ones no longer work.", reveal: { label: "Recovery codes", value: codes.join(" ") } };
  });
}

export async function passkeyOptionsAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("passkeyOptionsAction", z.object({}), formData, async (_values, caller) => {
    const options = await passkeyRegistrationOptions(await getPrisma(), requirePasskeySupport(), caller);
    return { status: "success", message: "Follow your browser's prompts.", payload: JSON.stringify(options) };
  });
}

export async function addPasskeyAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("addPasskeyAction", passkeyRegistrationSchema, formData, async (values, caller) => {
    const db = await getPrisma();
    const added = await registerPasskey(db, requirePasskeySupport(), caller.id, { response: values.response as unknown as RegistrationResponseJSON, name: values.name });
    if (!added) throw new UserFacingError("The passkey could not be verified. Try again.");
    const { ip } = await requestContext();
    await recordAudit(db, { actor: caller, action: "mfa.passkey-added", target: { type: "user", id: caller.id, label: caller.email }, summary: `Added the passkey "${values.name}"`, ip });
    const codes = await recoveryCodesAfterEnrolment(db, caller.id);
    revalidatePath("/account/security");
    return {
      status: "success",
      message: `The passkey "${values.name}" is added. Sign-ins can use it as your second factor.`,
      ...(codes && { reveal: { label: "Recovery codes", value: codes.join(" ") } }),
    };
  });
}

export async function removePasskeyAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("removePasskeyAction", passkeyIdSchema, formData, async (values, caller) => {
    const db = await getPrisma();
    const { ip } = await requestContext();
    await removePasskey(db, caller, values.passkeyId, mfaRequiredFor(await getMfaPolicy(db), caller.role), ip);
    revalidatePath("/account/security");
    return { status: "success", message: "The passkey was removed." };
  });
}
