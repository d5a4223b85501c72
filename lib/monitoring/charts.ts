import "server-only";
import { connectionStates, type ConnectionState } from "@/lib/connections/state";
import type { DbClient } from "@/lib/db/types";
import { formatDateTime, formatDay } from "@/lib/format";

/**
 * The numbers behind the console's charts, from the stored history: check runs (pruned after the
 * retention period) and state changes (never pruned). One bar per day (or check, or week), each a
 * set of named values, which is what the one chart component draws.
 */

export type ChartPoint = { label: string; values: Record<string, number> };

export const CHART_DAYS = 30;
export const EXPIRY_WEEKS = 12;
const DAY_MS = 86_400_000;

function startOfDay(date: Date): number {
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
}

/** The first midnight (UTC) of a window of `days` days that ends today. */
function windowStart(now: Date, days: number): number {
  return startOfDay(now) - (days - 1) * DAY_MS;
}

function emptyStates(): Record<ConnectionState, number> {
  return Object.fromEntries(connectionStates.map((state) => [state, 0])) as Record<ConnectionState, number>;
}

/** A connection's check runs per day by the state each left it in: the colour of a day is its health. */
export async function connectionHealthByDay(db: DbClient, connectionId: string, now = new Date(), days = CHART_DAYS): Promise<ChartPoint[]> {
  const start = windowStart(now, days);
  const runs = await db.checkRun.findMany({ where: { connectionId, startedAt: { gte: new Date(start) } }, select: { startedAt: true, state: true } });
  const points = Array.from({ length: days }, (_, index) => ({ label: formatDay(new Date(start + index * DAY_MS)), values: emptyStates() }));
  for (const run of runs) {
    const index = Math.floor((run.startedAt.getTime() - start) / DAY_MS);
    if (index >= 0 && index < days) points[index]!.values[run.state as ConnectionState] += 1;
  }
  return points;
}

/** How long the last checks of a connection took, oldest first. */
export async function checkDurations(db: DbClient, connectionId: string, limit = CHART_DAYS): Promise<ChartPoint[]> {
  const runs = await db.checkRun.findMany({
    where: { connectionId },
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    take: limit,
    select: { startedAt: true, durationMs: true },
  });
  return runs.reverse().map((run) => ({ label: `${formatDateTime(run.startedAt)} UTC`, values: { duration: run.durationMs } }));
}

/**
 * Connections by state at the end of each day. State changes are never pruned, so each connection's
 * state on a past day is its state now with the later changes undone; a connection counts from the
 * day it was created.
 */
export async function fleetTrend(db: DbClient, now = new Date(), days = CHART_DAYS): Promise<ChartPoint[]> {
  const start = windowStart(now, days);
  const [connections, changes] = await Promise.all([
    db.connection.findMany({ select: { id: true, state: true, createdAt: true } }),
    db.stateChange.findMany({
      where: { occurredAt: { gte: new Date(start) } },
      orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
      select: { connectionId: true, occurredAt: true, fromState: true },
    }),
  ]);
  const changesOf = new Map<string, typeof changes>();
  for (const change of changes) {
    const list = changesOf.get(change.connectionId) ?? [];
    list.push(change);
    changesOf.set(change.connectionId, list);
  }
  const points = Array.from({ length: days }, (_, index) => ({ label: formatDay(new Date(start + index * DAY_MS)), values: emptyStates() }));
  for (const connection of connections) {
    const history = changesOf.get(connection.id) ?? [];
    let state = connection.state as ConnectionState;
    let next = 0;
    for (let index = days - 1; index >= 0; index -= 1) {
      const dayEnd = start + (index + 1) * DAY_MS;
      while (next < history.length && history[next]!.occurredAt.getTime() >= dayEnd) {
        state = history[next]!.fromState as ConnectionState;
        next += 1;
      }
      if (connection.createdAt.getTime() < dayEnd) points[index]!.values[state] += 1;
    }
  }
  return points;
}

/** Secrets by the week they expire in, over the next weeks; the first bar holds those already past their date. */
export async function secretExpiryByWeek(db: DbClient, now = new Date(), weeks = EXPIRY_WEEKS): Promise<ChartPoint[]> {
  const today = startOfDay(now);
  const end = today + weeks * 7 * DAY_MS;
  const rows = await db.connection.findMany({ where: { secretExpiresAt: { not: null, lt: new Date(end) } }, select: { secretExpiresAt: true } });
  const points: ChartPoint[] = [
    { label: "Already expired", values: { secrets: 0 } },
    ...Array.from({ length: weeks }, (_, index) => ({ label: `Week of ${formatDay(new Date(today + index * 7 * DAY_MS))}`, values: { secrets: 0 } })),
  ];
  for (const row of rows) {
    const offset = row.secretExpiresAt!.getTime() - today;
    const index = offset < 0 ? 0 : 1 + Math.floor(offset / (7 * DAY_MS));
    points[index]!.values.secrets! += 1;
  }
  return points;
}
