"use server";

import { revalidatePath } from "next/cache";
import type { ActionState } from "@/lib/action-state";
import { requestContext } from "@/lib/auth/current-user";
import { saveConsoleSignIn } from "@/lib/auth/oidc/settings";
import { consoleSignInFormSchema } from "@/lib/auth/oidc/settings-schema";
import { runAction } from "@/lib/auth/run-action";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";
import { UserFacingError } from "@/lib/errors";

export async function saveConsoleSignInAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("saveConsoleSignInAction", consoleSignInFormSchema, formData, async (values, caller) => {
    const { ip } = await requestContext();
    const result = await saveConsoleSignIn(await getPrisma(), getKeyRing(), values, { actor: caller, ip });
    revalidatePath("/settings/sign-in");
    if (!result.saved) {
      const failed = result.checks.find((check) => check.status === "fail");
      throw new UserFacingError(`Not saved: ${failed ? `${failed.title}. ${failed.detail}` : "Microsoft did not accept these settings."}`);
    }
    return { status: "success", message: "Saved and verified with Microsoft. Staff can now use Sign in with Microsoft." };
  });
}
