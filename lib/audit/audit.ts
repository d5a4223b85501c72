import "server-only";
import { z } from "zod";
import { likeLiteral } from "@/lib/db/like";
import type { DbClient } from "@/lib/db/types";
import { plainText, searchQuerySchema } from "@/lib/validation/text";

/**
 * The audit log is append-only (a database trigger enforces it). Summaries describe what changed in
 * words and never carry secret values: callers pass names and ids, not contents.
 */

export type AuditActor = { id: string; email: string } | null;

export type AuditEntry = {
  actor: AuditActor;
  action: string;
  target?: { type: string; id: string; label?: string };
  summary: string;
  ip?: string | null;
};

export async function recordAudit(db: DbClient, entry: AuditEntry): Promise<void> {
  await db.auditEvent.create({
    data: {
      actorId: entry.actor?.id ?? null,
      actorEmail: entry.actor?.email ?? null,
      action: entry.action,
      targetType: entry.target?.type ?? null,
      targetId: entry.target?.id ?? null,
      targetLabel: entry.target?.label ?? null,
      summary: entry.summary,
      ip: entry.ip ?? null,
    },
    select: { id: true },
  });
}

/**
 * Authentication failures (ASVS 7.2.1): each wrong password, setup code, current password or second
 * factor, and each lockout it starts. Recorded by lib/auth/auth-failures.ts.
 */
export const AUTH_FAILURE_ACTIONS = [
  "auth.sign-in-failed",
  "auth.sign-in-locked",
  "auth.setup-code-failed",
  "auth.setup-code-locked",
  "auth.current-password-failed",
  "auth.current-password-locked",
  "auth.second-factor-failed",
  "auth.second-factor-locked",
] as const;
export type AuthFailureAction = (typeof AUTH_FAILURE_ACTIONS)[number];

export const AUDIT_PAGE_SIZE = 50;

export const AUDIT_CATEGORIES = { "auth-failures": "Authentication failures" } as const;

export const auditFilterSchema = z.object({
  category: z.enum(Object.keys(AUDIT_CATEGORIES) as [keyof typeof AUDIT_CATEGORIES]).optional().catch(undefined),
  action: z.string().trim().max(100).check(plainText("The action")).optional().catch(undefined),
  actor: z.string().trim().max(254).check(plainText("The actor")).optional().catch(undefined),
  q: searchQuerySchema.optional().catch(undefined),
  from: z.iso.date().optional().catch(undefined),
  to: z.iso.date().optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;

export type AuditEventView = {
  id: string;
  occurredAt: Date;
  actorEmail: string | null;
  action: string;
  targetType: string | null;
  targetLabel: string | null;
  summary: string;
  ip: string | null;
};

export async function listAuditEvents(
  db: DbClient,
  filter: AuditFilter,
): Promise<{ events: AuditEventView[]; total: number; page: number; pageCount: number; actions: string[] }> {
  const where = {
    AND: [filter.action ? { action: filter.action } : {}, filter.category === "auth-failures" ? { action: { in: [...AUTH_FAILURE_ACTIONS] } } : {}],
    ...(filter.actor ? { actorEmail: { contains: likeLiteral(filter.actor.toLowerCase()) } } : {}),
    ...(filter.q
      ? {
          OR: [
            { summary: { contains: likeLiteral(filter.q), mode: "insensitive" as const } },
            { targetLabel: { contains: likeLiteral(filter.q), mode: "insensitive" as const } },
          ],
        }
      : {}),
    ...(filter.from || filter.to
      ? {
          occurredAt: {
            ...(filter.from ? { gte: new Date(`${filter.from}T00:00:00Z`) } : {}),
            ...(filter.to ? { lt: new Date(new Date(`${filter.to}T00:00:00Z`).getTime() + 86_400_000) } : {}),
          },
        }
      : {}),
  };
  const [total, rows, actions] = await Promise.all([
    db.auditEvent.count({ where }),
    db.auditEvent.findMany({
      where,
      orderBy: { id: "desc" },
      skip: (filter.page - 1) * AUDIT_PAGE_SIZE,
      take: AUDIT_PAGE_SIZE,
      select: {
        id: true,
        occurredAt: true,
        actorEmail: true,
        action: true,
        targetType: true,
        targetLabel: true,
        summary: true,
        ip: true,
      },
    }),
    db.auditEvent.findMany({ distinct: ["action"], select: { action: true }, orderBy: { action: "asc" } }),
  ]);
  return {
    events: rows.map((row) => ({ ...row, id: row.id.toString() })),
    total,
    page: filter.page,
    pageCount: Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE)),
    actions: actions.map((row) => row.action),
  };
}
