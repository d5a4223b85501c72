"use server";

import { revalidatePath } from "next/cache";
import type { ActionState } from "@/lib/action-state";
import { redirect } from "next/navigation";
import { endCurrentSession, requestContext } from "@/lib/auth/current-user";
import { continueSignIn } from "@/lib/auth/mfa/pending-cookie";
import { enrolInsteadOfSession } from "@/lib/auth/mfa/pending-sign-in";
import { resetMfa } from "@/lib/auth/mfa/factors";
import { mfaPolicySchema, userIdSchema } from "@/lib/auth/mfa/form-schemas";
import { saveMfaPolicy } from "@/lib/auth/mfa/policy";
import { runAction } from "@/lib/auth/run-action";
import { getPrisma } from "@/lib/db/client";
import { UserFacingError } from "@/lib/errors";

export async function saveMfaPolicyAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("saveMfaPolicyAction", mfaPolicySchema, formData, async (values, caller) => {
    const { ip, userAgent } = await requestContext();
    const policy = { requireAll: values.requirement === "everyone", requireAdmins: values.requirement !== "optional" };
    const db = await getPrisma();
    const saved = await saveMfaPolicy(db, policy, { actor: caller, ip, currentSessionId: caller.sessionId });
    revalidatePath("/settings/security");
    if (saved.callerMustEnrol) {
      const step = await enrolInsteadOfSession(db, { id: caller.sessionId, user: caller }, { ip, userAgent, returnTo: "/settings/security" });
      await endCurrentSession();
      if (step) return continueSignIn(step, "/settings/security");
      redirect("/sign-in");
    }
    const ended = saved.endedSessions > 0 ? ` Ended ${saved.endedSessions} session${saved.endedSessions === 1 ? "" : "s"} of ${saved.people} ${saved.people === 1 ? "person" : "people"} without one: they sign in again and set it up.` : "";
    return { status: "success", message: `Saved. People who must set up a second factor are asked to at their next sign-in.${ended}` };
  });
}

export async function resetUserMfaAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("resetUserMfaAction", userIdSchema, formData, async (values, caller) => {
    const db = await getPrisma();
    const target = await db.user.findUnique({ where: { id: values.userId }, select: { id: true, email: true } });
    if (!target) throw new UserFacingError("That user no longer exists.");
    const { ip } = await requestContext();
    await resetMfa(db, target, { actor: caller, ip, via: "an administrator, on the Security settings page" });
    revalidatePath("/settings/security");
    return { status: "success", message: `Multi-factor authentication is off for ${target.email}.` };
  });
}
