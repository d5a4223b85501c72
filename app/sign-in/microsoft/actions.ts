"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import type { ActionState } from "@/lib/action-state";
import { requestContext } from "@/lib/auth/current-user";
import { safeReturnPath } from "@/lib/auth/form-schemas";
import { setBindingCookie } from "@/lib/auth/oidc/binding-cookie";
import { startMicrosoftSignIn } from "@/lib/auth/oidc/sign-in";
import { runAction } from "@/lib/auth/run-action";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";

const startSchema = z.object({ next: z.string().max(2000).optional().transform((value) => safeReturnPath(value)) });

/** Sends the visitor to Microsoft; /sign-in/microsoft/callback finishes the sign-in. */
export async function startMicrosoftSignInAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("startMicrosoftSignInAction", startSchema, formData, async (values) => {
    const { ip } = await requestContext();
    const { url, binding } = await startMicrosoftSignIn(await getPrisma(), getKeyRing(), { returnTo: values.next, ip });
    await setBindingCookie(binding);
    redirect(url);
  });
}

const oneStepSchema = z.object({ token: z.string().min(1).max(200).optional(), inviteToken: z.string().min(1).max(200).optional() });

/** Someone without a console session connects their calendar: one Microsoft sign-in, then the callback does the rest. */
export async function startOneStepConnectAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("startOneStepConnectAction", oneStepSchema, formData, async (values) => {
    const { ip } = await requestContext();
    const { url, binding } = await startMicrosoftSignIn(await getPrisma(), getKeyRing(), {
      returnTo: "/connect",
      ip,
      purpose: "connect",
      ...(values.token ? { connectLinkToken: values.token } : {}),
      ...(values.inviteToken ? { inviteToken: values.inviteToken } : {}),
    });
    await setBindingCookie(binding);
    redirect(url);
  });
}

/** A signed-in person links their Microsoft account, so that Sign in with Microsoft reaches this account. */
export async function linkMicrosoftAccountAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("linkMicrosoftAccountAction", z.object({}), formData, async (_values, caller) => {
    const { ip } = await requestContext();
    const { url, binding } = await startMicrosoftSignIn(await getPrisma(), getKeyRing(), { returnTo: "/account/microsoft", ip, purpose: "link", linkUserId: caller.id });
    await setBindingCookie(binding);
    redirect(url);
  });
}
