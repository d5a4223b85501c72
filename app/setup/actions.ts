"use server";

import { redirect } from "next/navigation";
import type { ActionState } from "@/lib/action-state";
import { claimConsoleSchema } from "@/lib/auth/form-schemas";
import { requestContext, sessionPolicy, setSessionCookie } from "@/lib/auth/current-user";
import { runAction } from "@/lib/auth/run-action";
import { createSession } from "@/lib/auth/sessions";
import { claimConsole } from "@/lib/auth/setup";
import { getPrisma } from "@/lib/db/client";

export async function claimConsoleAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("claimConsoleAction", claimConsoleSchema, formData, async (values) => {
    const db = await getPrisma();
    const context = await requestContext();
    const admin = await claimConsole(db, { ...values, ip: context.ip });
    const session = await createSession(db, { userId: admin.userId, ip: context.ip, userAgent: context.userAgent }, sessionPolicy());
    await setSessionCookie(session.token, session.expiresAt);
    redirect("/?welcome=1");
  });
}
