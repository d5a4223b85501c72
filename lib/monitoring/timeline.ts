import "server-only";
import type { ConnectionState } from "@/lib/connections/state";
import type { DbClient } from "@/lib/db/types";

/** One list of what happened to a connection: the console's check runs, state changes and the engine's reports. */
export type TimelineEntry =
  | { kind: "check"; id: string; at: Date; trigger: string; ok: boolean; state: ConnectionState; failedCheck: string | null; code: string | null; durationMs: number }
  | { kind: "state"; id: string; at: Date; from: ConnectionState; to: ConnectionState; cause: string; code: string | null }
  | {
      kind: "engine";
      id: string;
      at: Date;
      outcome: string;
      itemsSynced: number | null;
      itemsFailed: number | null;
      errorCode: string | null;
      message: string | null;
    };

export async function getTimeline(db: DbClient, connectionId: string, limit = 50): Promise<TimelineEntry[]> {
  const [runs, changes, reports] = await Promise.all([
    db.checkRun.findMany({
      where: { connectionId },
      orderBy: { startedAt: "desc" },
      take: limit,
      select: { id: true, startedAt: true, trigger: true, ok: true, state: true, failedCheck: true, code: true, durationMs: true },
    }),
    db.stateChange.findMany({
      where: { connectionId },
      orderBy: { occurredAt: "desc" },
      take: limit,
      select: { id: true, occurredAt: true, fromState: true, toState: true, cause: true, code: true },
    }),
    db.engineReport.findMany({
      where: { connectionId },
      orderBy: { receivedAt: "desc" },
      take: limit,
      select: { id: true, receivedAt: true, outcome: true, itemsSynced: true, itemsFailed: true, errorCode: true, message: true },
    }),
  ]);
  const entries: TimelineEntry[] = [
    ...runs.map((run) => ({ kind: "check" as const, id: `check-${run.id}`, at: run.startedAt, trigger: run.trigger, ok: run.ok, state: run.state as ConnectionState, failedCheck: run.failedCheck, code: run.code, durationMs: run.durationMs })),
    ...changes.map((change) => ({ kind: "state" as const, id: `state-${change.id}`, at: change.occurredAt, from: change.fromState as ConnectionState, to: change.toState as ConnectionState, cause: change.cause, code: change.code })),
    ...reports.map((report) => ({ kind: "engine" as const, id: `engine-${report.id}`, at: report.receivedAt, outcome: report.outcome, itemsSynced: report.itemsSynced, itemsFailed: report.itemsFailed, errorCode: report.errorCode, message: report.message })),
  ];
  return entries.sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, limit);
}
