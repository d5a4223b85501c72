"use server";

import { revalidatePath } from "next/cache";
import type { ActionState } from "@/lib/action-state";
import { requestContext } from "@/lib/auth/current-user";
import { runAction } from "@/lib/auth/run-action";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";
import { getEnv } from "@/lib/env";
import { createChannelSchema, deleteChannelSchema, testChannelSchema } from "@/lib/jobs/channel-schemas";
import { sendTestNotification, smtpFromEnv } from "@/lib/jobs/deliveries";
import { createNotificationChannel, deleteNotificationChannel } from "@/lib/jobs/notification-channels";
import { publicUrl } from "@/lib/public-url";

const PAGE = "/settings/notifications";

export async function createNotificationChannelAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("createNotificationChannelAction", createChannelSchema, formData, async (values, caller) => {
    const { ip } = await requestContext();
    const created = await createNotificationChannel(await getPrisma(), getKeyRing(), values, { actor: caller, ip, smtpConfigured: smtpFromEnv() !== null });
    revalidatePath(PAGE);
    if (!created.signingSecret) return { status: "success", message: `Added “${values.name}”. Use Send test to check that mail arrives.` };
    return {
      status: "success",
      message: `Added “${values.name}”. Copy the signing secret now: it is shown only once. Your receiver checks X-Calsync-Signature with it.`,
      reveal: { label: "Signing secret", value: created.signingSecret },
    };
  });
}

export async function deleteNotificationChannelAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("deleteNotificationChannelAction", deleteChannelSchema, formData, async (values, caller) => {
    const { ip } = await requestContext();
    const deleted = await deleteNotificationChannel(await getPrisma(), values, { actor: caller, ip });
    revalidatePath(PAGE);
    return { status: "success", message: `Deleted “${deleted.name}”.` };
  });
}

export async function testNotificationChannelAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("testNotificationChannelAction", testChannelSchema, formData, async (values, caller) => {
    const { ip } = await requestContext();
    const result = await sendTestNotification(await getPrisma(), getKeyRing(), values.id, { actor: caller, ip, publicUrl: publicUrl(getEnv()) });
    revalidatePath(PAGE);
    return result.ok
      ? { status: "success", message: `Test alert sent to “${result.channelName}”.` }
      : { status: "error", code: "failed", message: `The test alert to “${result.channelName}” was not delivered: ${result.error}` };
  });
}
