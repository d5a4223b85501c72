import "server-only";
import { generateToken, hashToken } from "@/lib/crypto/tokens";
import type { DbClient } from "@/lib/db/types";
import type { Role } from "@/lib/auth/roles";

export type SessionPolicy = { idleMinutes: number; absoluteHours: number };

export type SessionUser = { sessionId: string; id: string; email: string; displayName: string; role: Role };

// Writing last_seen_at on every request would turn each page view into a write. Touching at half the
// idle limit (at most once a minute) means a session in use never reaches its idle deadline.
const MAX_TOUCH_INTERVAL_MS = 60_000;

function touchIntervalMs(policy: SessionPolicy): number {
  return Math.min(MAX_TOUCH_INTERVAL_MS, (policy.idleMinutes * 60_000) / 2);
}

export async function createSession(
  db: DbClient,
  input: { userId: string; ip?: string | null; userAgent?: string | null },
  policy: SessionPolicy,
  now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const token = generateToken();
  const expiresAt = new Date(now.getTime() + policy.absoluteHours * 3_600_000);
  await db.session.create({
    data: {
      tokenHash: hashToken(token),
      userId: input.userId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt,
      ip: input.ip ?? null,
      userAgent: input.userAgent?.slice(0, 300) ?? null,
    },
    select: { id: true },
  });
  // Every way in (password, setup, invitation, connect link) ends here, so the users page is never out of date.
  await db.user.update({ where: { id: input.userId }, data: { lastSignInAt: now }, select: { id: true } });
  return { token, expiresAt };
}

/** Returns the signed-in user for a cookie token, or null when it is unknown, idle, expired or the user is inactive. */
export async function getSessionUser(db: DbClient, token: string, policy: SessionPolicy, now = new Date()): Promise<SessionUser | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const session = await db.session.findUnique({
    where: { tokenHash: hashToken(token) },
    select: {
      id: true,
      lastSeenAt: true,
      expiresAt: true,
      user: { select: { id: true, email: true, displayName: true, role: true, active: true } },
    },
  });
  if (!session) return null;
  const idleDeadline = session.lastSeenAt.getTime() + policy.idleMinutes * 60_000;
  if (session.expiresAt.getTime() <= now.getTime() || idleDeadline <= now.getTime() || !session.user.active) {
    await db.session.deleteMany({ where: { id: session.id } });
    return null;
  }
  if (now.getTime() - session.lastSeenAt.getTime() >= touchIntervalMs(policy)) {
    await db.session.updateMany({ where: { id: session.id }, data: { lastSeenAt: now } });
  }
  const { active: _active, ...user } = session.user;
  return { sessionId: session.id, ...user };
}

export async function revokeSession(db: DbClient, token: string): Promise<void> {
  await db.session.deleteMany({ where: { tokenHash: hashToken(token) } });
}
