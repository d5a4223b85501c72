"use server";

import type { ActionState } from "@/lib/action-state";
import { requestContext } from "@/lib/auth/current-user";
import { changePasswordSchema } from "@/lib/auth/form-schemas";
import { runAction } from "@/lib/auth/run-action";
import { changePassword } from "@/lib/auth/users";
import { getPrisma } from "@/lib/db/client";

export async function changePasswordAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("changePasswordAction", changePasswordSchema, formData, async (values, caller) => {
    const { ip } = await requestContext();
    await changePassword(
      await getPrisma(),
      { userId: caller.id, currentPassword: values.currentPassword, newPassword: values.password, keepSessionId: caller.sessionId },
      { ip },
    );
    return { status: "success", message: "Your password has been changed. Your other sessions have been signed out." };
  });
}
