"use server";

import type { ActionState } from "@/lib/action-state";
import { requestContext, sessionPolicy } from "@/lib/auth/current-user";
import { acceptInviteSchema } from "@/lib/auth/form-schemas";
import { acceptInvite } from "@/lib/auth/invites";
import { runAction } from "@/lib/auth/run-action";
import { continueSignIn } from "@/lib/auth/mfa/pending-cookie";
import { nextSignInStep } from "@/lib/auth/mfa/pending-sign-in";
import { getPrisma } from "@/lib/db/client";

export async function acceptInviteAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("acceptInviteAction", acceptInviteSchema, formData, async (values) => {
    const db = await getPrisma();
    const context = await requestContext();
    const user = await acceptInvite(db, { token: values.token, displayName: values.displayName, password: values.password, ip: context.ip });
    const step = await nextSignInStep(db, { id: user.userId, email: user.email, role: user.role }, { ip: context.ip, userAgent: context.userAgent, returnTo: "/" }, sessionPolicy());
    return continueSignIn(step, "/");
  });
}
