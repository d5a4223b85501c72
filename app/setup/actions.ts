"use server";

import type { ActionState } from "@/lib/action-state";
import { claimConsoleSchema } from "@/lib/auth/form-schemas";
import { requestContext, sessionPolicy } from "@/lib/auth/current-user";
import { runAction } from "@/lib/auth/run-action";
import { continueSignIn } from "@/lib/auth/mfa/pending-cookie";
import { nextSignInStep } from "@/lib/auth/mfa/pending-sign-in";
import { claimConsole } from "@/lib/auth/setup";
import { getPrisma } from "@/lib/db/client";

export async function claimConsoleAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("claimConsoleAction", claimConsoleSchema, formData, async (values) => {
    const db = await getPrisma();
    const context = await requestContext();
    const admin = await claimConsole(db, { ...values, ip: context.ip });
    const step = await nextSignInStep(db, { id: admin.userId, email: admin.email, role: admin.role }, { ip: context.ip, userAgent: context.userAgent, returnTo: "/?welcome=1" }, sessionPolicy());
    return continueSignIn(step, "/?welcome=1");
  });
}
