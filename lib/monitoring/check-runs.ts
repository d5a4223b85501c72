import "server-only";
import type { CheckReport } from "@/lib/checks/schema";
import { forgetConnectionRead } from "@/lib/connections/read-cache";
import { stateFromReport, type ConnectionState } from "@/lib/connections/state";
import type { DbClient } from "@/lib/db/types";
import { enqueueStateChangeAlerts } from "@/lib/jobs/alerts";

/**
 * Records one check run of a connection: the run itself (for the timeline), the connection's new
 * state, and, when the state changed, a state change with its cause in words. Callers pass a
 * transaction when the run belongs to a larger change (saving, editing, rotating). A state change
 * queues its alerts in the same call, so with a transaction the alert exists exactly when the change
 * is committed.
 */

export type CheckTrigger = "scheduled" | "manual" | "wizard" | "edit" | "rotation" | "renewal";

export type RecordedRun = {
  checkRunId: bigint;
  state: ConnectionState;
  stateChange: { id: bigint; from: ConnectionState; to: ConnectionState; cause: string; code: string | null } | null;
};

/** The check that explains a report: the first failure, or else the first warning. */
export function headlineCheck(report: Pick<CheckReport, "checks">) {
  return report.checks.find((check) => check.status === "fail") ?? report.checks.find((check) => check.status === "warn");
}

export function causeOf(report: Pick<CheckReport, "checks">): { cause: string; code: string | null } {
  const check = headlineCheck(report);
  if (!check) return { cause: "All checks passed", code: null };
  return { cause: `${check.title}: ${check.detail}`.slice(0, 1000), code: check.code ?? null };
}

export async function recordCheckRun(
  tx: DbClient,
  input: { connectionId: string; report: CheckReport; trigger: CheckTrigger; previousState?: ConnectionState; recordedAt?: Date },
): Promise<RecordedRun> {
  const previous =
    input.previousState ??
    ((await tx.connection.findUniqueOrThrow({ where: { id: input.connectionId }, select: { state: true } })).state as ConnectionState);
  const state = stateFromReport(input.report);
  const headline = headlineCheck(input.report);
  const run = await tx.checkRun.create({
    data: {
      connectionId: input.connectionId,
      startedAt: new Date(input.report.startedAt),
      durationMs: Math.round(input.report.durationMs),
      trigger: input.trigger,
      ok: input.report.ok,
      state,
      failedCheck: headline?.id ?? null,
      code: headline?.code ?? null,
      report: input.report,
    },
    select: { id: true },
  });
  // Only the demo's seed records a run at another time than now: its history of past weeks.
  const now = input.recordedAt ?? new Date();
  forgetConnectionRead(input.connectionId);
  await tx.connection.update({
    where: { id: input.connectionId },
    data: { lastReport: input.report, lastCheckedAt: now, state, ...(state !== previous ? { stateSince: now } : {}) },
    select: { id: true },
  });
  if (state === previous) return { checkRunId: run.id, state, stateChange: null };
  const { cause, code } = causeOf(input.report);
  const change = await tx.stateChange.create({
    data: { connectionId: input.connectionId, occurredAt: now, fromState: previous, toState: state, cause, code, checkRunId: run.id },
    select: { id: true },
  });
  await enqueueStateChangeAlerts(tx, { id: change.id, connectionId: input.connectionId, from: previous, to: state, cause, code, occurredAt: now });
  return { checkRunId: run.id, state, stateChange: { id: change.id, from: previous, to: state, cause, code } };
}
