import "server-only";
import { recordAudit, type AuditActor } from "@/lib/audit/audit";
import type { AppPrismaClient, DbClient } from "@/lib/db/types";
import { UserFacingError } from "@/lib/errors";
import { logRefusedAttempt, recordAuthFailure } from "@/lib/auth/auth-failures";
import { assertAcceptablePassword } from "@/lib/auth/password-policy";
import { clearFailures, currentPasswordBuckets, reserveAttempt } from "@/lib/auth/rate-limit";
import { hashPassword, verifyPassword } from "@/lib/auth/passwords";
import type { Role } from "@/lib/auth/roles";
import { isMicrosoftSignInVerified } from "@/lib/auth/oidc/settings";

export type UserView = {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  active: boolean;
  createdAt: Date;
  lastSignInAt: Date | null;
  breakGlass: boolean;
  /** Signs in with a local password (accounts made at first Microsoft sign-in have none). */
  hasPassword: boolean;
  /** Microsoft accounts linked to this user, by their sign-in names. */
  microsoftAccounts: string[];
};

const userViewSelect = {
  id: true,
  email: true,
  displayName: true,
  role: true,
  active: true,
  createdAt: true,
  lastSignInAt: true,
  breakGlass: true,
  passwordHash: true,
  linkedIdentities: { select: { username: true }, orderBy: { createdAt: "asc" } },
} as const;

type UserRow = { passwordHash: string | null; linkedIdentities: { username: string }[] } & Omit<UserView, "hasPassword" | "microsoftAccounts">;

// The hash is selected only to say whether there is one; it never leaves this file.
function toView({ passwordHash, linkedIdentities, ...user }: UserRow): UserView {
  return { ...user, hasPassword: passwordHash !== null, microsoftAccounts: linkedIdentities.map((identity) => identity.username) };
}

export async function listUsers(db: DbClient): Promise<UserView[]> {
  return (await db.user.findMany({ select: userViewSelect, orderBy: [{ active: "desc" }, { email: "asc" }] })).map(toView);
}

export async function createUser(
  db: AppPrismaClient,
  input: { email: string; displayName: string; role: Role; password: string },
  context: { actor: AuditActor; ip?: string | null },
): Promise<UserView> {
  assertAcceptablePassword(input.password, [input.email, input.displayName]);
  const passwordHash = await hashPassword(input.password);
  return db.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { email: input.email }, select: { id: true } });
    if (existing) throw new UserFacingError("A user with this email already exists", { email: "A user with this email already exists" });
    const user = toView(
      await tx.user.create({
        data: { email: input.email, displayName: input.displayName, role: input.role, passwordHash },
        select: userViewSelect,
      }),
    );
    await recordAudit(tx, {
      actor: context.actor,
      action: "user.create",
      target: { type: "user", id: user.id, label: user.email },
      summary: `Created ${input.role} account for ${user.email}`,
      ip: context.ip,
    });
    return user;
  });
}

/**
 * Role changes and deactivation run serialised on the admin rows, so two admins demoting each other
 * at the same moment cannot leave the console without an active administrator.
 */
async function changeUser(
  db: AppPrismaClient,
  userId: string,
  change: { role?: Role; active?: boolean },
  context: { actor: AuditActor; ip?: string | null },
): Promise<UserView> {
  return db.$transaction(
    async (tx) => {
      const row = await tx.user.findUnique({ where: { id: userId }, select: userViewSelect });
      if (!row) throw new UserFacingError("That user no longer exists");
      const user = toView(row);
      const nextRole = change.role ?? user.role;
      const nextActive = change.active ?? user.active;
      const losesAdmin = user.role === "admin" && user.active && (nextRole !== "admin" || !nextActive);
      if (losesAdmin) {
        const admins = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM users WHERE role = 'admin' AND active FOR UPDATE`;
        if (admins.length <= 1) {
          throw new UserFacingError("This is the last active administrator. Make someone else an administrator first.");
        }
        // Until Microsoft sign-in is proven to work, a password is the only sure way in.
        if (user.hasPassword && !(await isMicrosoftSignInVerified(tx))) {
          const localAdmins = await tx.user.count({ where: { role: "admin", active: true, passwordHash: { not: null } } });
          if (localAdmins <= 1) {
            throw new UserFacingError("This is the last administrator who signs in with a password, and Sign in with Microsoft is not verified. Verify it under Settings → Sign-in, or give another local account the administrator role first.");
          }
        }
      }
      const updated = toView(
        await tx.user.update({
          where: { id: userId },
          data: { role: nextRole, active: nextActive },
          select: userViewSelect,
        }),
      );
      if (!nextActive) await tx.session.deleteMany({ where: { userId } });
      const summary =
        change.role !== undefined && change.role !== user.role
          ? `Changed role of ${user.email} from ${user.role} to ${nextRole}`
          : nextActive
            ? `Reactivated ${user.email}`
            : `Deactivated ${user.email} and ended their sessions`;
      await recordAudit(tx, {
        actor: context.actor,
        action: change.role !== undefined ? "user.role" : nextActive ? "user.reactivate" : "user.deactivate",
        target: { type: "user", id: user.id, label: user.email },
        summary,
        ip: context.ip,
      });
      return updated;
    },
    { isolationLevel: "Serializable" },
  );
}

export function changeUserRole(db: AppPrismaClient, userId: string, role: Role, context: { actor: AuditActor; ip?: string | null }) {
  return changeUser(db, userId, { role }, context);
}

export function setUserActive(db: AppPrismaClient, userId: string, active: boolean, context: { actor: AuditActor; ip?: string | null }) {
  return changeUser(db, userId, { active }, context);
}

/** The sign-in names of the Microsoft accounts linked to a console account. */
export async function listLinkedAccounts(db: DbClient, userId: string): Promise<string[]> {
  const rows = await db.linkedIdentity.findMany({ where: { userId }, select: { username: true }, orderBy: { createdAt: "asc" } });
  return rows.map((row) => row.username);
}

/** Ends every session of a person at once, e.g. when Entra took their role away and they must not wait for the session limit. */
export async function endUserSessions(db: AppPrismaClient, userId: string, context: { actor: AuditActor; ip?: string | null }): Promise<number> {
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true, email: true } });
    if (!user) throw new UserFacingError("That user no longer exists");
    const { count } = await tx.session.deleteMany({ where: { userId } });
    await recordAudit(tx, {
      actor: context.actor,
      action: "user.end-sessions",
      target: { type: "user", id: user.id, label: user.email },
      summary: `Ended ${count} session${count === 1 ? "" : "s"} of ${user.email}`,
      ip: context.ip,
    });
    return count;
  });
}

/** Marks a local account as break-glass: it keeps its password when the console accepts Microsoft sign-in only. */
export async function setBreakGlass(db: AppPrismaClient, userId: string, breakGlass: boolean, context: { actor: AuditActor; ip?: string | null }): Promise<void> {
  await db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true, email: true, passwordHash: true, role: true } });
    if (!user) throw new UserFacingError("That user no longer exists");
    if (breakGlass && (!user.passwordHash || user.role !== "admin")) {
      throw new UserFacingError("Only an administrator who signs in with a password can be a break-glass account.");
    }
    if (!breakGlass) {
      const settings = await tx.consoleSignIn.findUnique({ where: { id: 1 }, select: { microsoftOnly: true } });
      const others = await tx.user.count({ where: { role: "admin", active: true, breakGlass: true, passwordHash: { not: null }, id: { not: userId } } });
      if (settings?.microsoftOnly && others === 0) {
        throw new UserFacingError("This is the last break-glass administrator while the console accepts Microsoft sign-in only. Mark another one first, or allow local passwords again.");
      }
    }
    await tx.user.update({ where: { id: userId }, data: { breakGlass }, select: { id: true } });
    await recordAudit(tx, {
      actor: context.actor,
      action: "user.break-glass",
      target: { type: "user", id: user.id, label: user.email },
      summary: breakGlass ? `Marked ${user.email} as a break-glass account (keeps local sign-in)` : `${user.email} is no longer a break-glass account`,
      ip: context.ip,
    });
  });
}

export const WRONG_CURRENT_PASSWORD = "Your current password is not right";
export const TOO_MANY_WRONG_CURRENT_PASSWORDS = "Too many wrong current passwords. Wait 15 minutes, then try again.";

export async function changePassword(
  db: AppPrismaClient,
  input: { userId: string; currentPassword: string; newPassword: string; keepSessionId: string },
  context: { ip?: string | null },
  now = new Date(),
): Promise<void> {
  const user = await db.user.findUnique({ where: { id: input.userId }, select: { id: true, email: true, displayName: true, passwordHash: true } });
  if (!user) throw new UserFacingError("That user no longer exists");
  // A refused new password says so before the current one is checked, so it costs no guess.
  assertAcceptablePassword(input.newPassword, [user.email, user.displayName]);
  const buckets = currentPasswordBuckets(user.id);
  const place = await reserveAttempt(db, buckets[0]!, now);
  if (!place.ok) {
    await place.release();
    logRefusedAttempt("current-password", context.ip ?? null);
    throw new UserFacingError(TOO_MANY_WRONG_CURRENT_PASSWORDS, { currentPassword: TOO_MANY_WRONG_CURRENT_PASSWORDS });
  }
  const matches = user.passwordHash ? await verifyPassword(user.passwordHash, input.currentPassword) : false;
  if (!matches) {
    await recordAuthFailure(
      db,
      {
        kind: "current-password",
        buckets,
        actor: { id: user.id, email: user.email },
        target: { type: "user", id: user.id, label: user.email },
        summary: "Entered a wrong current password while changing their password",
        ip: context.ip ?? null,
      },
      now,
    );
    // Given back only once the failure is counted, so no parallel attempt finds a free place in between.
    await place.release();
    throw new UserFacingError(WRONG_CURRENT_PASSWORD, { currentPassword: WRONG_CURRENT_PASSWORD });
  }
  await clearFailures(db, buckets);
  await place.release();
  const passwordHash = await hashPassword(input.newPassword);
  await db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { passwordHash }, select: { id: true } });
    // Someone who knew the old password may hold another session: end every session but this one.
    await tx.session.deleteMany({ where: { userId: user.id, id: { not: input.keepSessionId } } });
    await recordAudit(tx, {
      actor: { id: user.id, email: user.email },
      action: "user.password",
      target: { type: "user", id: user.id, label: user.email },
      summary: "Changed their password and ended their other sessions",
      ip: context.ip,
    });
  });
}
