"use server";

import { redirect } from "next/navigation";
import type { ActionState } from "@/lib/action-state";
import { requestContext, sessionPolicy, setSessionCookie } from "@/lib/auth/current-user";
import { acceptInviteSchema } from "@/lib/auth/form-schemas";
import { acceptInvite } from "@/lib/auth/invites";
import { runAction } from "@/lib/auth/run-action";
import { createSession } from "@/lib/auth/sessions";
import { getPrisma } from "@/lib/db/client";

export async function acceptInviteAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("acceptInviteAction", acceptInviteSchema, formData, async (values) => {
    const db = await getPrisma();
    const context = await requestContext();
    const user = await acceptInvite(db, { token: values.token, displayName: values.displayName, password: values.password, ip: context.ip });
    const session = await createSession(db, { userId: user.userId, ip: context.ip, userAgent: context.userAgent }, sessionPolicy());
    await setSessionCookie(session.token, session.expiresAt);
    redirect("/");
  });
}
