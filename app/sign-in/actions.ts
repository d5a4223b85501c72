"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import type { ActionState } from "@/lib/action-state";
import { endCurrentSession, requestContext, sessionPolicy } from "@/lib/auth/current-user";
import { continueSignIn } from "@/lib/auth/mfa/pending-cookie";
import { signInSchema } from "@/lib/auth/form-schemas";
import { runAction } from "@/lib/auth/run-action";
import { signIn } from "@/lib/auth/sign-in";
import { getPrisma } from "@/lib/db/client";
import { recordAudit } from "@/lib/audit/audit";

export async function signInAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("signInAction", signInSchema, formData, async (values) => {
    const context = await requestContext();
    const result = await signIn(
      await getPrisma(),
      { email: values.email, password: values.password, ip: context.ip, userAgent: context.userAgent, returnTo: values.next },
      sessionPolicy(),
    );
    if (!result.ok) return { status: "error", code: "failed", message: result.message };
    return continueSignIn(result, values.next);
  });
}

export async function signOutAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("signOutAction", z.object({}), formData, async (_values, caller) => {
    const context = await requestContext();
    if (caller) {
      await recordAudit(await getPrisma(), {
        actor: { id: caller.id, email: caller.email },
        action: "session.sign-out",
        target: { type: "user", id: caller.id, label: caller.email },
        summary: "Signed out",
        ip: context.ip,
      });
    }
    await endCurrentSession();
    redirect("/sign-in?signedOut=1");
  });
}
