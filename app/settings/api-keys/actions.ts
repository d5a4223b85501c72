"use server";

import { revalidatePath } from "next/cache";
import type { ActionState } from "@/lib/action-state";
import { createApiKeySchema, revokeApiKeySchema } from "@/lib/api/api-key-form";
import { createApiKey, revokeApiKey } from "@/lib/api/api-keys";
import { requestContext } from "@/lib/auth/current-user";
import { runAction } from "@/lib/auth/run-action";
import { getPrisma } from "@/lib/db/client";

export async function createApiKeyAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("createApiKeyAction", createApiKeySchema, formData, async (values, caller) => {
    const { ip } = await requestContext();
    const db = await getPrisma();
    const { key, view } = await db.$transaction((tx) => createApiKey(tx, values, { actor: caller, ip }));
    revalidatePath("/settings/api-keys");
    return {
      status: "success",
      message: `Created “${view.name}” (${view.prefix}). Copy the key now and store it with the engine: it is shown only this once.`,
      reveal: { label: "API key", value: key },
    };
  });
}

export async function revokeApiKeyAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("revokeApiKeyAction", revokeApiKeySchema, formData, async (values, caller) => {
    const { ip } = await requestContext();
    const view = await (await getPrisma()).$transaction((tx) => revokeApiKey(tx, values.keyId, { actor: caller, ip }));
    revalidatePath("/settings/api-keys");
    return { status: "success", message: `Revoked “${view.name}” (${view.prefix}). Engines using it are refused from now on.` };
  });
}
