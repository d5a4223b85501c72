import "server-only";
import { recordAudit, type AuditActor } from "@/lib/audit/audit";
import type { AppPrismaClient, DbClient } from "@/lib/db/types";
import type { Role } from "@/lib/auth/roles";

export type MfaPolicy = { requireAll: boolean; requireAdmins: boolean };

/** The migration writes the row (admins required on a new console); without it, admins stay required. */
const WITHOUT_ROW: MfaPolicy = { requireAll: false, requireAdmins: true };

export async function getMfaPolicy(db: DbClient): Promise<MfaPolicy> {
  const row = await db.mfaPolicy.findUnique({ where: { id: 1 }, select: { requireAll: true, requireAdmins: true } });
  return row ?? WITHOUT_ROW;
}

export function mfaRequiredFor(policy: MfaPolicy, role: Role): boolean {
  return policy.requireAll || (role === "admin" && policy.requireAdmins);
}

function requiredRoles(policy: MfaPolicy): Role[] {
  return (["admin", "helpdesk", "member"] as const).filter((role) => mfaRequiredFor(policy, role));
}

function describe(policy: MfaPolicy): string {
  if (policy.requireAll) return "every local account";
  return policy.requireAdmins ? "administrators only" : "nobody (optional for everyone)";
}

export type SavedMfaPolicy = {
  /** Sessions ended because their person has a password, must now use a second factor and has none yet. */
  endedSessions: number;
  /** How many people those sessions belonged to. */
  people: number;
  /** The saving administrator has no second factor either: their own session goes to enrolment next. */
  callerMustEnrol: boolean;
};

/**
 * Saves the policy and ends, in the same transaction, every session of a local account (one with a
 * password) that the policy now makes use a second factor it does not have yet: otherwise a session
 * opened with the password alone would outlive the rule for up to its absolute limit. The saving
 * administrator's current session is kept for the caller to turn into an enrolment.
 */
export async function saveMfaPolicy(
  db: AppPrismaClient,
  policy: MfaPolicy,
  context: { actor: AuditActor; ip?: string | null; currentSessionId?: string },
  now = new Date(),
): Promise<SavedMfaPolicy> {
  return db.$transaction(async (tx) => {
    const before = await getMfaPolicy(tx);
    await tx.mfaPolicy.upsert({ where: { id: 1 }, create: { id: 1, ...policy, updatedAt: now }, update: { ...policy, updatedAt: now }, select: { id: true } });
    await recordAudit(tx, {
      actor: context.actor,
      action: "settings.mfa-policy",
      target: { type: "setting", id: "mfa-policy", label: "Multi-factor authentication" },
      summary: `MFA required for ${describe(policy)} (was: ${describe(before)})`,
      ip: context.ip,
    });
    const unenrolled = await tx.user.findMany({
      where: {
        role: { in: requiredRoles(policy) },
        passwordHash: { not: null },
        passkeys: { none: {} },
        OR: [{ totp: { is: null } }, { totp: { is: { confirmedAt: null } } }],
        sessions: { some: {} },
      },
      select: { id: true, email: true },
      orderBy: { email: "asc" },
    });
    let endedSessions = 0;
    let people = 0;
    for (const person of unenrolled) {
      const { count } = await tx.session.deleteMany({ where: { userId: person.id, ...(context.currentSessionId ? { id: { not: context.currentSessionId } } : {}) } });
      if (count === 0) continue;
      endedSessions += count;
      people += 1;
      await recordAudit(tx, {
        actor: context.actor,
        action: "user.end-sessions",
        target: { type: "user", id: person.id, label: person.email },
        summary: `Ended ${count} session${count === 1 ? "" : "s"} of ${person.email}: MFA is now required for ${describe(policy)}, and they have no second factor yet`,
        ip: context.ip,
      });
    }
    const callerMustEnrol = context.actor !== null && unenrolled.some((person) => person.id === context.actor!.id);
    return { endedSessions, people, callerMustEnrol };
  });
}
