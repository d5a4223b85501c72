"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import type { ActionState } from "@/lib/action-state";
import { requestContext, sessionPolicy, setSessionCookie } from "@/lib/auth/current-user";
import { acceptInviteSchema } from "@/lib/auth/form-schemas";
import { emailSchema } from "@/lib/auth/password-policy";
import { runAction } from "@/lib/auth/run-action";
import { continueSignIn } from "@/lib/auth/mfa/pending-cookie";
import { nextSignInStep } from "@/lib/auth/mfa/pending-sign-in";
import { mailboxDisconnectScope } from "@/lib/connections/access";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";
import {
  CONNECT_LINK_PROBLEMS,
  connectLinkPath,
  createAccountFromConnectLink,
  createConnectLink,
  emailConnectLink,
  getConnectLinkStatus,
  redeemConnectLink,
  revokeConnectLink,
} from "@/lib/delegated/connect-links";
import { cleanDelegatedAppForm } from "@/lib/delegated/delegated-app-form";
import { delegatedAppFormSchema } from "@/lib/delegated/delegated-app-schema";
import { getDelegatedAppView, saveDelegatedApp } from "@/lib/delegated/delegated-app";
import { disconnectMailbox } from "@/lib/delegated/mailbox-connections";
import { NOT_CONFIGURED_MESSAGE, startMailboxSignIn } from "@/lib/delegated/sign-in";
import { getEnv } from "@/lib/env";
import { UserFacingError } from "@/lib/errors";
import { publicUrl } from "@/lib/public-url";

const startConnectSchema = z.object({
  reconnectId: z.uuid({ message: "Unknown connection" }).optional(),
  writeTest: z.literal("on").optional(),
});

/** Sends the member to Microsoft; the callback (app/connect/callback) finishes the connection. */
export async function startConnectAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("startConnectAction", startConnectSchema, formData, async (values, caller) => {
    const { url } = await startMailboxSignIn(await getPrisma(), getKeyRing(), {
      userId: caller.id,
      reconnectId: values.reconnectId ?? null,
      writeTest: values.writeTest === "on",
    });
    redirect(url);
  });
}

const disconnectSchema = z.object({ connectionId: z.uuid({ message: "Unknown connection" }) });

export async function disconnectMailboxAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("disconnectMailboxAction", disconnectSchema, formData, async (values, caller) => {
    const { ip } = await requestContext();
    const db = await getPrisma();
    await db.$transaction((tx) => disconnectMailbox(tx, values.connectionId, { actor: caller, ip, ...mailboxDisconnectScope(caller) }));
    revalidatePath("/connect");
    redirect("/connect?disconnected=1");
  });
}

const linkTokenSchema = z.object({ token: z.string().min(1).max(200) });

/**
 * A signed-in person opened their link: Microsoft's sign-in starts, and only then is the link used up
 * (if Microsoft cannot be reached, the link still works for the next try).
 */
export async function connectFromLinkAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("connectFromLinkAction", linkTokenSchema, formData, async (values, caller) => {
    const db = await getPrisma();
    redirect(await startFromLink(db, values.token, caller));
  });
}

async function startFromLink(db: Awaited<ReturnType<typeof getPrisma>>, token: string, user: { id: string; email: string }): Promise<string> {
  const status = await getConnectLinkStatus(db, token);
  if (status.state !== "valid") throw new UserFacingError(CONNECT_LINK_PROBLEMS[status.state]);
  const { url } = await startMailboxSignIn(db, getKeyRing(), { userId: user.id, reconnectId: status.connectionId });
  await redeemConnectLink(db, token, user);
  return url;
}

/** A person without an account creates a member account from their link, and goes on to Microsoft. */
export async function createAccountFromLinkAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("createAccountFromLinkAction", acceptInviteSchema, formData, async (values) => {
    const db = await getPrisma();
    // An account made for a console that cannot connect anything yet would only be a dead end.
    if (!(await getDelegatedAppView(db))) throw new UserFacingError(NOT_CONFIGURED_MESSAGE);
    const context = await requestContext();
    const user = await createAccountFromConnectLink(db, { token: values.token, displayName: values.displayName, password: values.password, ip: context.ip });
    const step = await nextSignInStep(
      db,
      { id: user.userId, email: user.email, role: "member" },
      { ip: context.ip, userAgent: context.userAgent, returnTo: `/connect/link/${values.token}` },
      sessionPolicy(),
    );
    // Where every account needs a second factor, the member sets one up first and comes back to the link.
    if (step.pending) return continueSignIn(step, `/connect/link/${values.token}`);
    await setSessionCookie(step.token, step.expiresAt);
    redirect(await startFromLink(db, values.token, { id: user.userId, email: user.email }));
  });
}

const createLinkSchema = z.object({
  email: emailSchema,
  connectionId: z.uuid({ message: "Unknown connection" }).optional(),
  delivery: z.enum(["email", "copy"], { message: "Choose how to send the link" }),
});

export async function createConnectLinkAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("createConnectLinkAction", createLinkSchema, formData, async (values, caller) => {
    const { ip } = await requestContext();
    const db = await getPrisma();
    const isAdmin = caller.role === "admin";
    const { token, expiresAt, accountExists } = await createConnectLink(
      db,
      { email: values.email, connectionId: values.connectionId ?? null },
      { actor: caller, ip, allowNewAccount: isAdmin || values.delivery === "email" },
    );
    const url = `${publicUrl(getEnv())}${connectLinkPath(token)}`;
    const what = values.connectionId ? "reconnect link" : "link";
    if (values.delivery === "email") {
      const sent = await emailConnectLink({ email: values.email, url, reconnect: Boolean(values.connectionId), sender: caller.displayName, expiresAt });
      if (!sent.ok) {
        if (isAdmin || accountExists) {
          return { status: "success", message: `The ${what} was created, but the email could not be sent: ${sent.error} Copy the link and send it yourself.`, reveal: { label: "Link", value: url } };
        }
        // Shown instead, this link would let its viewer create an account for someone else's address.
        await revokeConnectLink(db, token);
        throw new UserFacingError(`The email could not be sent: ${sent.error} The link was withdrawn, because ${values.email} has no console account yet; ask an administrator.`);
      }
      return { status: "success", message: `Emailed the ${what} to ${values.email}. It works once, for 7 days.` };
    }
    return { status: "success", message: `Created a ${what} for ${values.email}. It works once, for 7 days; send it to them yourself.`, reveal: { label: "Link", value: url } };
  });
}

export async function saveMailboxSignInAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("saveMailboxSignInAction", delegatedAppFormSchema, formData, async (values, caller) => {
    const { ip } = await requestContext();
    const db = await getPrisma();
    const result = await saveDelegatedApp(db, getKeyRing(), cleanDelegatedAppForm(values), { actor: caller, ip });
    revalidatePath("/settings/mailbox-sign-in");
    if (!result.saved) {
      const failed = result.checks.find((check) => check.status === "fail");
      throw new UserFacingError(`Not saved: ${failed ? `${failed.title}. ${failed.detail}` : "Microsoft did not accept these settings."}`);
    }
    return { status: "success", message: "Saved and verified with Microsoft. Members can now connect their calendars." };
  });
}
