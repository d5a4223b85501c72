import "server-only";
import { z } from "zod";
import { recordAudit, type AuditActor } from "@/lib/audit/audit";
import { scopeRecheckTimes, utcMinute } from "@/lib/checks/access-denied";
import type { AppPrismaClient } from "@/lib/db/types";
import { UserFacingError } from "@/lib/errors";
import { scopeChangeKinds, type ScopeChangeKind } from "@/lib/scoping/scope-notes";
import { recordDraftScopeChange } from "@/lib/wizard/drafts";

/**
 * The scope assistant's "I ran it": the console records the scope change itself, so a failing probe
 * in the next 2 hours reads as propagating (with its re-checks) rather than as a failure, without the
 * admin having to remember the time.
 */

export const recordScopeChangeSchema = z.object({
  connectionId: z.union([z.uuid(), z.literal("")]).optional(),
  applied: z.enum(scopeChangeKinds, { message: "Choose what you ran." }),
});

const auditWords: Readonly<Record<ScopeChangeKind, string>> = {
  script: "ran the scope assistant's RBAC for Applications script",
  conversion: "converted the application access policy to RBAC for Applications",
  "union-trap": "removed the tenant-wide Calendars.ReadWrite grant",
};

export type RecordedScopeChange = { at: Date; rechecks: Date[] };

/** What the admin sees: when it was recorded and when the checks look again. */
export function scopeChangeMessage(recorded: RecordedScopeChange): string {
  return (
    `Scope change recorded at ${utcMinute(recorded.at)}. Exchange applies it within 2 hours: until then a failing probe shows as propagating, ` +
    `and Calsync checks again at ${recorded.rechecks.map(utcMinute).join(", ")}.`
  );
}

export async function recordScopeChange(
  db: AppPrismaClient,
  input: { connectionId?: string | undefined; userId: string; applied: ScopeChangeKind },
  context: { actor: AuditActor & object; ip?: string | null },
  now = new Date(),
): Promise<RecordedScopeChange> {
  const rechecks = scopeRecheckTimes(now, now);
  if (!input.connectionId) {
    if (!(await recordDraftScopeChange(db, input.userId, now))) throw new UserFacingError("Start a new connection first: there is no draft to record the change on.");
    await recordAudit(db, {
      actor: context.actor,
      action: "wizard.scope-change",
      target: { type: "wizard", id: input.userId, label: "mailbox scope" },
      summary: `The administrator ${auditWords[input.applied]} for the new connection; scope mode set to RBAC for Applications, changed at ${utcMinute(now)}`,
      ip: context.ip,
    });
    return { at: now, rechecks };
  }
  const connectionId = input.connectionId;
  await db.$transaction(async (tx) => {
    const current = await tx.connection.findUnique({ where: { id: connectionId }, select: { name: true, kind: true, scopeMode: true, nextCheckAt: true } });
    if (!current || current.kind !== "organization") throw new UserFacingError("This connection no longer exists, or it is a single mailbox, which needs no Exchange scope.");
    const firstRecheck = rechecks[0]!;
    // The +30 min re-check comes first; a check already due sooner keeps its time.
    const nextCheckAt = current.nextCheckAt < firstRecheck ? current.nextCheckAt : firstRecheck;
    await tx.connection.update({ where: { id: connectionId }, data: { scopeMode: "rbac", scopeChangedAt: now, nextCheckAt, version: { increment: 1 } }, select: { id: true } });
    await recordAudit(tx, {
      actor: context.actor,
      action: "connection.scope-change",
      target: { type: "connection", id: connectionId, label: current.name },
      summary: `The administrator ${auditWords[input.applied]} for “${current.name}”${current.scopeMode !== "rbac" ? ` (scope mode ${current.scopeMode} → rbac)` : ""}; scope changed at ${utcMinute(now)}`,
      ip: context.ip,
    });
  });
  return { at: now, rechecks };
}
