"use server";

import { revalidatePath } from "next/cache";
import type { ActionState } from "@/lib/action-state";
import { requestContext } from "@/lib/auth/current-user";
import { runAction } from "@/lib/auth/run-action";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";
import { UserFacingError } from "@/lib/errors";
import { saveSetupApp } from "@/lib/provisioning/setup-app";
import { setupAppFormSchema } from "@/lib/provisioning/setup-app-schema";

export async function saveSetupAppAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("saveSetupAppAction", setupAppFormSchema, formData, async (values, caller) => {
    const { ip } = await requestContext();
    const result = await saveSetupApp(await getPrisma(), getKeyRing(), values, { actor: caller, ip });
    revalidatePath("/settings/setup-app");
    if (!result.saved) {
      const failed = result.checks.find((check) => check.status === "fail");
      throw new UserFacingError(`Not saved: ${failed ? `${failed.title}. ${failed.detail}` : "Microsoft did not accept these settings."}`);
    }
    return { status: "success", message: "Saved and verified with Microsoft. Administrators can now sign in with Microsoft on Set it up for me." };
  });
}
