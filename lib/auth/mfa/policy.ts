import "server-only";
import { recordAudit, type AuditActor } from "@/lib/audit/audit";
import type { DbClient } from "@/lib/db/types";
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

function describe(policy: MfaPolicy): string {
  if (policy.requireAll) return "every local account";
  return policy.requireAdmins ? "administrators only" : "nobody (optional for everyone)";
}

export async function saveMfaPolicy(db: DbClient, policy: MfaPolicy, context: { actor: AuditActor; ip?: string | null }, now = new Date()): Promise<void> {
  const before = await getMfaPolicy(db);
  await db.mfaPolicy.upsert({ where: { id: 1 }, create: { id: 1, ...policy, updatedAt: now }, update: { ...policy, updatedAt: now }, select: { id: true } });
  await recordAudit(db, {
    actor: context.actor,
    action: "settings.mfa-policy",
    target: { type: "setting", id: "mfa-policy", label: "Multi-factor authentication" },
    summary: `MFA required for ${describe(policy)} (was: ${describe(before)})`,
    ip: context.ip,
  });
}
