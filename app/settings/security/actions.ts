"use server";

import { revalidatePath } from "next/cache";
import type { ActionState } from "@/lib/action-state";
import { requestContext } from "@/lib/auth/current-user";
import { resetMfa } from "@/lib/auth/mfa/factors";
import { mfaPolicySchema, userIdSchema } from "@/lib/auth/mfa/form-schemas";
import { saveMfaPolicy } from "@/lib/auth/mfa/policy";
import { runAction } from "@/lib/auth/run-action";
import { getPrisma } from "@/lib/db/client";
import { UserFacingError } from "@/lib/errors";

export async function saveMfaPolicyAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("saveMfaPolicyAction", mfaPolicySchema, formData, async (values, caller) => {
    const { ip } = await requestContext();
    const policy = { requireAll: values.requirement === "everyone", requireAdmins: values.requirement !== "optional" };
    await saveMfaPolicy(await getPrisma(), policy, { actor: caller, ip });
    revalidatePath("/settings/security");
    return { status: "success", message: "Saved. People who must set up a second factor are asked to at their next sign-in." };
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
