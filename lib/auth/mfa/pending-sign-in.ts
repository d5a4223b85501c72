import "server-only";
import { recordAudit } from "@/lib/audit/audit";
import { generateToken, hashToken, isWellFormedToken } from "@/lib/crypto/tokens";
import type { AppPrismaClient, DbClient } from "@/lib/db/types";
import type { Role } from "@/lib/auth/roles";
import { accountThrottleCleared } from "@/lib/auth/rate-limit";
import { createSession, type SessionPolicy } from "@/lib/auth/sessions";
import { getMfaStatus, hasSecondFactor } from "@/lib/auth/mfa/factors";
import { getMfaPolicy, mfaRequiredFor } from "@/lib/auth/mfa/policy";

/**
 * A right password for an account with a second factor (or one the policy makes set one up) does not
 * make a session. It makes a pending sign-in: a row of its own with its own cookie, which
 * getSessionUser never reads, so nothing but the second step accepts it. It lasts minutes.
 */
export const PENDING_SIGN_IN_MINUTES = 10;

/** `enrolled`: the factor the policy demanded is set up; the person is reading their recovery codes. */
export type PendingPurpose = "verify" | "enrol" | "enrolled";
const PURPOSES: readonly string[] = ["verify", "enrol", "enrolled"] satisfies PendingPurpose[];

/** A session's token, or with `pending` set, the pending sign-in's token. */
export type SignInStep = { token: string; expiresAt: Date; pending?: PendingPurpose };

export type PendingSignInView = {
  id: string;
  purpose: PendingPurpose;
  returnTo: string;
  expiresAt: Date;
  user: { id: string; email: string; displayName: string; role: Role };
};

type Context = { ip: string | null; userAgent: string | null; returnTo: string };

/** What follows a right password (or a new account's first password): a session or the second step. */
export async function nextSignInStep(
  db: DbClient,
  user: { id: string; email: string; role: Role },
  context: Context,
  policy: SessionPolicy,
  now = new Date(),
): Promise<SignInStep> {
  const status = await getMfaStatus(db, user.id);
  const purpose: PendingPurpose | null = hasSecondFactor(status) ? "verify" : mfaRequiredFor(await getMfaPolicy(db), user.role) ? "enrol" : null;
  if (purpose === null) {
    return startSession(db, user, context, policy, "password", now);
  }
  return createPendingSignIn(db, user.id, purpose, context, now);
}

async function createPendingSignIn(db: DbClient, userId: string, purpose: PendingPurpose, context: Context, now: Date): Promise<SignInStep> {
  await db.pendingSignIn.deleteMany({ where: { expiresAt: { lt: now } } });
  const token = generateToken();
  const expiresAt = new Date(now.getTime() + PENDING_SIGN_IN_MINUTES * 60_000);
  await db.pendingSignIn.create({
    data: {
      tokenHash: hashToken(token),
      userId,
      purpose,
      returnTo: context.returnTo,
      createdAt: now,
      expiresAt,
      ip: context.ip,
      userAgent: context.userAgent?.slice(0, 300) ?? null,
    },
    select: { id: true },
  });
  return { token, expiresAt, pending: purpose };
}

/**
 * The person's own session ends and becomes the enrolment a new policy demands, so they set up a
 * second factor without typing their password again and reach nothing else until they have.
 */
export async function enrolInsteadOfSession(
  db: AppPrismaClient,
  session: { id: string; user: { id: string; email: string } },
  context: Context,
  now = new Date(),
): Promise<SignInStep | null> {
  return db.$transaction(async (tx) => {
    const ended = await tx.session.deleteMany({ where: { id: session.id, userId: session.user.id } });
    if (ended.count !== 1) return null;
    await recordAudit(tx, {
      actor: session.user,
      action: "user.end-sessions",
      target: { type: "user", id: session.user.id, label: session.user.email },
      summary: `Ended the current session of ${session.user.email} and sent them to set up a second factor, which the MFA policy they saved requires`,
      ip: context.ip,
    });
    return createPendingSignIn(tx, session.user.id, "enrol", context, now);
  });
}

async function startSession(
  db: DbClient,
  user: { id: string; email: string },
  context: Omit<Context, "returnTo">,
  policy: SessionPolicy,
  method: string,
  now: Date,
): Promise<{ token: string; expiresAt: Date }> {
  const session = await createSession(db, { userId: user.id, ip: context.ip, userAgent: context.userAgent }, policy, now);
  await db.user.update({ where: { id: user.id }, data: { lastSignInAt: now, ...accountThrottleCleared }, select: { id: true } });
  await recordAudit(db, {
    actor: { id: user.id, email: user.email },
    action: "session.sign-in",
    target: { type: "user", id: user.id, label: user.email },
    summary: method === "password" ? "Signed in" : `Signed in (password and ${method})`,
    ip: context.ip,
  });
  return session;
}

export async function findPendingSignIn(db: DbClient, token: string | undefined, now = new Date()): Promise<PendingSignInView | null> {
  if (!token || !isWellFormedToken(token)) return null;
  const row = await db.pendingSignIn.findUnique({
    where: { tokenHash: hashToken(token) },
    select: {
      id: true,
      purpose: true,
      returnTo: true,
      expiresAt: true,
      user: { select: { id: true, email: true, displayName: true, role: true, active: true } },
    },
  });
  if (!row || row.expiresAt <= now || !row.user.active) {
    if (row) await db.pendingSignIn.deleteMany({ where: { id: row.id } });
    return null;
  }
  const { active: _active, ...user } = row.user;
  return { id: row.id, purpose: PURPOSES.includes(row.purpose) ? (row.purpose as PendingPurpose) : "verify", returnTo: row.returnTo, expiresAt: row.expiresAt, user };
}

export async function endPendingSignIn(db: DbClient, id: string): Promise<void> {
  await db.pendingSignIn.deleteMany({ where: { id } });
}

/** The demanded enrolment is done; the sign-in completes when the person goes on. */
export async function markEnrolled(db: DbClient, pending: PendingSignInView): Promise<boolean> {
  const marked = await db.pendingSignIn.updateMany({ where: { id: pending.id, purpose: "enrol" }, data: { purpose: "enrolled" } });
  return marked.count === 1;
}

/** The second factor was right: the pending sign-in is spent (once) and becomes a session. */
export async function completePendingSignIn(
  db: DbClient,
  pending: PendingSignInView,
  context: Omit<Context, "returnTo">,
  policy: SessionPolicy,
  method: string,
  now = new Date(),
): Promise<{ token: string; expiresAt: Date } | null> {
  const spent = await db.pendingSignIn.deleteMany({ where: { id: pending.id } });
  if (spent.count !== 1) return null;
  return startSession(db, pending.user, context, policy, method, now);
}
