"use server";

import { revalidatePath } from "next/cache";
import type { ActionState } from "@/lib/action-state";
import { requestContext } from "@/lib/auth/current-user";
import { changeUserRoleSchema, createUserSchema, inviteUserSchema, revokeInviteSchema, setUserActiveSchema } from "@/lib/auth/form-schemas";
import { createInvite, INVITE_TTL_DAYS, revokeInvite } from "@/lib/auth/invites";
import { runAction } from "@/lib/auth/run-action";
import { changeUserRole, createUser, endUserSessions, setBreakGlass, setUserActive } from "@/lib/auth/users";
import { z } from "zod";
import { getPrisma } from "@/lib/db/client";
import { getEnv } from "@/lib/env";
import { publicUrl } from "@/lib/public-url";

export async function createUserAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("createUserAction", createUserSchema, formData, async (values, caller) => {
    const { ip } = await requestContext();
    const user = await createUser(await getPrisma(), values, { actor: caller, ip });
    revalidatePath("/users");
    return { status: "success", message: `Created ${user.email} as ${user.role}.` };
  });
}

export async function inviteUserAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("inviteUserAction", inviteUserSchema, formData, async (values, caller) => {
    const { ip } = await requestContext();
    const invite = await createInvite(await getPrisma(), values, { actor: caller, ip });
    revalidatePath("/audit");
    revalidatePath("/users");
    return {
      status: "success",
      message: `Invitation for ${values.email} created. Send them this link; it works once and expires in ${INVITE_TTL_DAYS} days.`,
      reveal: { label: "Invitation link", value: `${publicUrl(getEnv())}/invite/${invite.token}` },
    };
  });
}

export async function changeUserRoleAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("changeUserRoleAction", changeUserRoleSchema, formData, async (values, caller) => {
    const { ip } = await requestContext();
    const user = await changeUserRole(await getPrisma(), values.userId, values.role, { actor: caller, ip });
    revalidatePath("/users");
    return { status: "success", message: `${user.email} is now ${user.role}.` };
  });
}

export async function setUserActiveAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("setUserActiveAction", setUserActiveSchema, formData, async (values, caller) => {
    const { ip } = await requestContext();
    const user = await setUserActive(await getPrisma(), values.userId, values.active, { actor: caller, ip });
    revalidatePath("/users");
    return { status: "success", message: `${user.email} is now ${user.active ? "active" : "deactivated"}.` };
  });
}

const endSessionsSchema = z.object({ userId: z.uuid({ message: "Unknown user" }) });

export async function endUserSessionsAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("endUserSessionsAction", endSessionsSchema, formData, async (values, caller) => {
    const { ip } = await requestContext();
    const count = await endUserSessions(await getPrisma(), values.userId, { actor: caller, ip });
    revalidatePath("/users");
    return { status: "success", message: `Ended ${count} session${count === 1 ? "" : "s"}. They must sign in again, and a Microsoft sign-in takes their role from Entra afresh.` };
  });
}

const breakGlassSchema = z.object({
  userId: z.uuid({ message: "Unknown user" }),
  breakGlass: z.enum(["true", "false"]).transform((value) => value === "true"),
});

export async function setBreakGlassAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("setBreakGlassAction", breakGlassSchema, formData, async (values, caller) => {
    const { ip } = await requestContext();
    await setBreakGlass(await getPrisma(), values.userId, values.breakGlass, { actor: caller, ip });
    revalidatePath("/users");
    return { status: "success", message: values.breakGlass ? "Marked as a break-glass account: it keeps its password sign-in." : "No longer a break-glass account." };
  });
}

export async function revokeInviteAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("revokeInviteAction", revokeInviteSchema, formData, async (values, caller) => {
    const { ip } = await requestContext();
    const invite = await (await getPrisma()).$transaction((tx) => revokeInvite(tx, values.inviteId, { actor: caller, ip }));
    revalidatePath("/users");
    return { status: "success", message: `Revoked the invitation for ${invite.email}. Its link no longer works.` };
  });
}
