import "server-only";
import { recordAudit, type AuditActor } from "@/lib/audit/audit";
import { generateToken, hashToken, isWellFormedToken, oneTimeLinkState } from "@/lib/crypto/tokens";
import type { AppPrismaClient, DbClient } from "@/lib/db/types";
import { UserFacingError } from "@/lib/errors";
import { assertAcceptablePassword } from "@/lib/auth/password-policy";
import { hashPassword } from "@/lib/auth/passwords";
import { localPasswordRefused, MICROSOFT_ONLY_SIGN_IN } from "@/lib/auth/oidc/settings";
import type { Role } from "@/lib/auth/roles";

export const INVITE_TTL_DAYS = 7;

export type InviteStatus =
  | { state: "valid"; id: string; email: string; role: Role; expiresAt: Date }
  | { state: "expired" | "used" | "unknown" };

export async function createInvite(
  db: AppPrismaClient,
  input: { email: string; role: Role },
  context: { actor: { id: string; email: string }; ip?: string | null },
  now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const token = generateToken();
  const expiresAt = new Date(now.getTime() + INVITE_TTL_DAYS * 86_400_000);
  await db.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { email: input.email }, select: { id: true } });
    if (existing) throw new UserFacingError("A user with this email already exists", { email: "A user with this email already exists" });
    // A new link replaces any earlier unused one, so only the newest link works.
    await tx.invite.updateMany({ where: { email: input.email, acceptedAt: null, revokedAt: null }, data: { revokedAt: now } });
    const invite = await tx.invite.create({
      data: { tokenHash: hashToken(token), email: input.email, role: input.role, createdById: context.actor.id, createdAt: now, expiresAt },
      select: { id: true },
    });
    await recordAudit(tx, {
      actor: context.actor,
      action: "user.invite",
      target: { type: "invite", id: invite.id, label: input.email },
      summary: `Invited ${input.email} as ${input.role} (link valid ${INVITE_TTL_DAYS} days)`,
      ip: context.ip,
    });
  });
  return { token, expiresAt };
}

export async function getInviteStatus(db: DbClient, token: string, now = new Date()): Promise<InviteStatus> {
  if (!isWellFormedToken(token)) return { state: "unknown" };
  const invite = await db.invite.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { id: true, email: true, role: true, expiresAt: true, acceptedAt: true, revokedAt: true },
  });
  const state = oneTimeLinkState(invite && { ...invite, usedAt: invite.acceptedAt }, now);
  return state === "valid" ? { state, id: invite!.id, email: invite!.email, role: invite!.role, expiresAt: invite!.expiresAt } : { state };
}

export type PendingInvite = { id: string; email: string; role: Role; createdAt: Date; expiresAt: Date; createdBy: string };

/** Invitations that can still be accepted, the soonest to expire first. */
export async function listPendingInvites(db: DbClient, now = new Date()): Promise<PendingInvite[]> {
  const rows = await db.invite.findMany({
    where: { acceptedAt: null, revokedAt: null, expiresAt: { gt: now } },
    orderBy: [{ expiresAt: "asc" }, { id: "asc" }],
    select: { id: true, email: true, role: true, createdAt: true, expiresAt: true, createdBy: { select: { email: true } } },
  });
  return rows.map(({ createdBy, ...row }) => ({ ...row, createdBy: createdBy.email }));
}

export async function revokeInvite(
  db: DbClient,
  id: string,
  context: { actor: AuditActor & object; ip?: string | null },
  now = new Date(),
): Promise<{ email: string }> {
  const { count } = await db.invite.updateMany({ where: { id, acceptedAt: null, revokedAt: null }, data: { revokedAt: now } });
  const invite = await db.invite.findUnique({ where: { id }, select: { email: true, acceptedAt: true } });
  if (!invite) throw new UserFacingError("This invitation no longer exists.");
  if (count === 0) {
    throw new UserFacingError(invite.acceptedAt ? `${invite.email} has already accepted this invitation.` : `The invitation for ${invite.email} was already revoked.`);
  }
  await recordAudit(db, {
    actor: context.actor,
    action: "user.invite-revoke",
    target: { type: "invite", id, label: invite.email },
    summary: `Revoked the invitation for ${invite.email}; its link no longer works`,
    ip: context.ip,
  });
  return { email: invite.email };
}

export const INVITE_PROBLEMS: Record<Exclude<InviteStatus["state"], "valid">, string> = {
  expired: "This invitation link has expired. Ask an administrator for a new one.",
  used: "This invitation link has already been used or was replaced by a newer one. Sign in, or ask for a new link.",
  unknown: "This invitation link is not valid. Check that you copied the whole link.",
};

export type LinkAccountInput = { token: string; displayName: string; password: string; ip: string | null };

/**
 * Creates the console account a one-time link was made for (an invitation, or a "connect your
 * calendar" link): `check` reads the link inside the same serializable transaction and returns the
 * address and role, or throws why it cannot be used; `consume` marks it used when that is part of it.
 */
export async function createAccountFromLink(
  db: AppPrismaClient,
  input: LinkAccountInput,
  link: {
    check: (tx: DbClient) => Promise<{ email: string; role: Role }>;
    consume?: (tx: DbClient) => Promise<void>;
    audit: { action: string; summary: (role: Role) => string };
  },
): Promise<{ userId: string; email: string; role: Role }> {
  // Such an account could never sign in; the link's page offers Sign in with Microsoft instead.
  if (await localPasswordRefused(db, { breakGlass: false })) throw new UserFacingError(MICROSOFT_ONLY_SIGN_IN);
  const passwordHash = await hashPassword(input.password);
  return db.$transaction(
    async (tx) => {
      const { email, role } = await link.check(tx);
      assertAcceptablePassword(input.password, [email, input.displayName]);
      const existing = await tx.user.findUnique({ where: { email }, select: { id: true } });
      if (existing) throw new UserFacingError("An account with this email already exists. Sign in instead.");
      const user = await tx.user.create({ data: { email, displayName: input.displayName, role, passwordHash }, select: { id: true, email: true } });
      await link.consume?.(tx);
      const actor: AuditActor = { id: user.id, email: user.email };
      await recordAudit(tx, {
        actor,
        action: link.audit.action,
        target: { type: "user", id: user.id, label: user.email },
        summary: link.audit.summary(role),
        ip: input.ip,
      });
      return { userId: user.id, email: user.email, role };
    },
    { isolationLevel: "Serializable" },
  );
}

export async function acceptInvite(db: AppPrismaClient, input: LinkAccountInput, now = new Date()): Promise<{ userId: string; email: string; role: Role }> {
  return createAccountFromLink(db, input, {
    check: async (tx) => {
      const status = await getInviteStatus(tx, input.token, now);
      if (status.state !== "valid") throw new UserFacingError(INVITE_PROBLEMS[status.state]);
      return status;
    },
    consume: async (tx) => {
      await tx.invite.update({ where: { tokenHash: hashToken(input.token) }, data: { acceptedAt: now }, select: { id: true } });
    },
    audit: { action: "user.invite-accept", summary: (role) => `Accepted an invitation and created a ${role} account` },
  });
}
