import "server-only";
import { recordAudit, type AuditActor } from "@/lib/audit/audit";
import { createAccountFromLink, type LinkAccountInput } from "@/lib/auth/invites";
import { generateToken, hashToken, isWellFormedToken, oneTimeLinkState } from "@/lib/crypto/tokens";
import type { AppPrismaClient, DbClient } from "@/lib/db/types";
import { UserFacingError } from "@/lib/errors";
import { sendMail, smtpFromEnv, type SendResult } from "@/lib/jobs/deliveries";

/**
 * One-time "connect your calendar" links that admins and helpdesk hand to a person: by email, or
 * copied into a chat. A link for a connection is a reconnect link. Opening one leads the person to
 * sign in to the console (creating a member account if they have none), then to Microsoft.
 */

export const CONNECT_LINK_TTL_DAYS = 7;

export type ConnectLinkStatus =
  | { state: "valid"; id: string; email: string; connectionId: string | null; accountExists: boolean; expiresAt: Date }
  | { state: "expired" | "used" | "unknown" };

export const CONNECT_LINK_PROBLEMS: Record<Exclude<ConnectLinkStatus["state"], "valid">, string> = {
  expired: "This link has expired. Ask your helpdesk for a new one.",
  used: "This link has already been used or was replaced by a newer one. Sign in and open \"Connect my calendar\", or ask for a new link.",
  unknown: "This link is not valid. Check that you copied the whole link.",
};

export function connectLinkPath(token: string): string {
  return `/connect/link/${token}`;
}

/**
 * `allowNewAccount`: whether the link may create a console account for an address that has none.
 * Only administrators create accounts; helpdesk's links may do so only when emailed, so that only
 * the owner of the address can open them.
 */
export async function createConnectLink(
  db: AppPrismaClient,
  input: { email: string; connectionId?: string | null },
  context: { actor: AuditActor & object; ip?: string | null; allowNewAccount: boolean },
  now = new Date(),
): Promise<{ token: string; expiresAt: Date; accountExists: boolean }> {
  const token = generateToken();
  const expiresAt = new Date(now.getTime() + CONNECT_LINK_TTL_DAYS * 86_400_000);
  const accountExists = await db.$transaction(async (tx) => {
    if (input.connectionId) {
      const connection = await tx.connection.findFirst({ where: { id: input.connectionId, kind: "mailbox" }, select: { owner: { select: { email: true } } } });
      if (!connection) throw new UserFacingError("Reconnect links are only for mailbox connections.");
      if (!connection.owner || connection.owner.email.toLowerCase() !== input.email.toLowerCase()) {
        const owner = connection.owner ? `its owner, ${connection.owner.email}` : "its owner, who no longer has a console account";
        throw new UserFacingError("Only the mailbox's owner can reconnect it.", { email: `A reconnect link can only go to ${owner}.` });
      }
    }
    const user = await tx.user.findUnique({ where: { email: input.email }, select: { active: true } });
    if (user && !user.active) throw new UserFacingError("This person's account is deactivated. Reactivate it under Users first.", { email: "This account is deactivated" });
    if (!user && !context.allowNewAccount) {
      throw new UserFacingError(`${input.email} has no console account yet.`, {
        email: "No console account has this address yet: email the link (only its owner can open it), or ask an administrator.",
      });
    }
    // Only the newest link for a person (and mailbox) works.
    await tx.connectLink.updateMany({
      where: { email: input.email, connectionId: input.connectionId ?? null, usedAt: null, revokedAt: null },
      data: { revokedAt: now },
    });
    const link = await tx.connectLink.create({
      data: { tokenHash: hashToken(token), email: input.email, connectionId: input.connectionId ?? null, createdById: context.actor.id, createdAt: now, expiresAt },
      select: { id: true },
    });
    await recordAudit(tx, {
      actor: context.actor,
      action: input.connectionId ? "mailbox.reconnect-link" : "mailbox.invite",
      target: input.connectionId ? { type: "connection", id: input.connectionId, label: input.email } : { type: "connect-link", id: link.id, label: input.email },
      summary: `${input.connectionId ? "Created a reconnect link" : "Invited"} ${input.email} to connect their calendar (link valid ${CONNECT_LINK_TTL_DAYS} days)`,
      ip: context.ip,
    });
    return user !== null;
  });
  return { token, expiresAt, accountExists };
}

/** Withdraws a link that could not be delivered and must not be shown instead. */
export async function revokeConnectLink(db: DbClient, token: string, now = new Date()): Promise<void> {
  await db.connectLink.updateMany({ where: { tokenHash: hashToken(token), usedAt: null }, data: { revokedAt: now } });
}

export async function getConnectLinkStatus(db: DbClient, token: string, now = new Date()): Promise<ConnectLinkStatus> {
  if (!isWellFormedToken(token)) return { state: "unknown" };
  const link = await db.connectLink.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { id: true, email: true, connectionId: true, expiresAt: true, usedAt: true, revokedAt: true },
  });
  const state = oneTimeLinkState(link, now);
  if (state !== "valid") return { state };
  const account = await db.user.findUnique({ where: { email: link!.email }, select: { id: true } });
  return { state, id: link!.id, email: link!.email, connectionId: link!.connectionId, accountExists: account !== null, expiresAt: link!.expiresAt };
}

/** Marks a valid link used by the person it was made for; returns what it leads to. */
export async function redeemConnectLink(
  db: DbClient,
  token: string,
  user: { email: string },
  now = new Date(),
): Promise<{ connectionId: string | null }> {
  const status = await getConnectLinkStatus(db, token, now);
  if (status.state !== "valid") throw new UserFacingError(CONNECT_LINK_PROBLEMS[status.state]);
  if (status.email.toLowerCase() !== user.email.toLowerCase()) {
    throw new UserFacingError(`This link is for ${status.email}, but you are signed in as ${user.email}. Sign out and open the link again.`);
  }
  const { count } = await db.connectLink.updateMany({ where: { id: status.id, usedAt: null, revokedAt: null }, data: { usedAt: now } });
  if (count !== 1) throw new UserFacingError(CONNECT_LINK_PROBLEMS.used);
  return { connectionId: status.connectionId };
}

/** A person without a console account creates a member account from the link (the link stays valid to connect). */
export async function createAccountFromConnectLink(db: AppPrismaClient, input: LinkAccountInput, now = new Date()): Promise<{ userId: string; email: string }> {
  return createAccountFromLink(db, input, {
    check: async (tx) => {
      const status = await getConnectLinkStatus(tx, input.token, now);
      if (status.state !== "valid") throw new UserFacingError(CONNECT_LINK_PROBLEMS[status.state]);
      return { email: status.email, role: "member" };
    },
    audit: { action: "user.connect-link-accept", summary: () => "Created a member account from a \"connect your calendar\" link" },
  });
}

export async function emailConnectLink(input: { email: string; url: string; reconnect: boolean; sender: string; expiresAt: Date }): Promise<SendResult> {
  const subject = input.reconnect ? "Reconnect your calendar to Calsync" : "Connect your calendar to Calsync";
  const text = [
    "Hello,",
    "",
    input.reconnect
      ? "Calsync can no longer reach your Microsoft 365 calendar: your saved Microsoft sign-in has expired. Please sign in again with this link:"
      : `${input.sender} asks you to connect your Microsoft 365 calendar to Calsync, so your calendar can be synchronised. Open this link and sign in with your Microsoft work account:`,
    "",
    input.url,
    "",
    `The link works once and expires on ${input.expiresAt.toISOString().slice(0, 10)}. If you did not expect this message, ignore it.`,
  ].join("\n");
  return sendMail(smtpFromEnv(), { to: [input.email], subject, text, headers: { "X-Calsync-Event": input.reconnect ? "reconnect-link" : "connect-invite" } });
}
