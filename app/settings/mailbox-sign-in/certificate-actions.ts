"use server";

import { revalidatePath } from "next/cache";
import type { ActionState } from "@/lib/action-state";
import { requestContext } from "@/lib/auth/current-user";
import { runAction } from "@/lib/auth/run-action";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";
import { generateMailboxAppCertificate } from "@/lib/delegated/delegated-app-certificate";
import { generateCertificateFormSchema } from "@/lib/wizard/draft-certificate";

export async function generateMailboxCertificateAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("generateMailboxCertificateAction", generateCertificateFormSchema, formData, async (values, caller) => {
    const { ip } = await requestContext();
    await generateMailboxAppCertificate(await getPrisma(), getKeyRing(), { validityMonths: values.validityMonths }, { actor: caller, ip });
    revalidatePath("/settings/mailbox-sign-in");
    return { status: "success", message: "Certificate generated. Download it, upload it on the app in Entra, then verify and save below." };
  });
}
