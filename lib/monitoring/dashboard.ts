import "server-only";
import { whoShortLabel } from "@/lib/checks/fix-roles";
import type { ConnectionState } from "@/lib/connections/state";
import type { DbClient } from "@/lib/db/types";
import { getStatusTiles, listStatusRows, statusFilterSchema, type StatusRow, type StatusTiles } from "@/lib/monitoring/status";

/**
 * Home for staff: the board's counts, what needs someone now, and the last checks. The attention list
 * is the status board's own rows (the same next steps), so Home and the board never disagree.
 */

export const ATTENTION_PER_REASON = 5;
export const RECENT_CHECKS = 8;

export type AttentionReason = "failing" | "needs_reauth" | "expiring";

export type AttentionGroup = {
  reason: AttentionReason;
  /** How many connections have this reason; `rows` holds the first few. */
  total: number;
  rows: Array<StatusRow & { nextStep: string }>;
};

export type RecentCheck = { id: string; connectionId: string; name: string; state: ConnectionState; at: Date; durationMs: number };

export type Dashboard = { tiles: StatusTiles; attention: AttentionGroup[]; recentChecks: RecentCheck[] };

const attentionFilters: Record<AttentionReason, Record<string, string>> = {
  failing: { state: "failing" },
  needs_reauth: { state: "needs_reauth" },
  // The soonest first: the one that stops syncing next is the one to rotate now.
  expiring: { expiring: "30", sort: "secretExpiresAt", dir: "asc" },
};

export const SECRET_NEXT_STEP = `${whoShortLabel("app-admin")}: create a new client secret and paste it on the connection's Settings tab`;

function nextStepFor(reason: AttentionReason, row: StatusRow): string {
  if (reason === "expiring") return SECRET_NEXT_STEP;
  return row.nextStep ?? "An administrator: open the connection and run its checks";
}

export async function getAttention(db: DbClient, now = new Date()): Promise<AttentionGroup[]> {
  const reasons = Object.keys(attentionFilters) as AttentionReason[];
  const groups = await Promise.all(
    reasons.map(async (reason) => {
      const { rows, total } = await listStatusRows(db, statusFilterSchema.parse(attentionFilters[reason]), now);
      return { reason, total, rows: rows.slice(0, ATTENTION_PER_REASON).map((row) => ({ ...row, nextStep: nextStepFor(reason, row) })) };
    }),
  );
  return groups.filter((group) => group.total > 0);
}

export async function listRecentChecks(db: DbClient, limit = RECENT_CHECKS): Promise<RecentCheck[]> {
  const runs = await db.checkRun.findMany({
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    take: limit,
    select: { id: true, startedAt: true, durationMs: true, state: true, connection: { select: { id: true, name: true } } },
  });
  return runs.map((run) => ({
    id: String(run.id),
    connectionId: run.connection.id,
    name: run.connection.name,
    state: run.state as ConnectionState,
    at: run.startedAt,
    durationMs: run.durationMs,
  }));
}

export async function getDashboard(db: DbClient, now = new Date()): Promise<Dashboard> {
  const [tiles, attention, recentChecks] = await Promise.all([getStatusTiles(db, now), getAttention(db, now), listRecentChecks(db)]);
  return { tiles, attention, recentChecks };
}
