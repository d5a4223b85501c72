import "server-only";
import type { Check, CheckReport } from "@/lib/checks/schema";
import { ndjsonResponse } from "@/lib/ndjson";

/**
 * Streams a check run to the browser as newline-delimited JSON: one `check` line as each check
 * finishes, then the `report`. A browser that goes away cancels the run.
 */
export type CheckStreamEvent = { type: "check"; check: Check } | { type: "report"; report: CheckReport } | { type: "error"; message: string };

export function streamCheckRun(
  request: Request,
  run: (options: { signal: AbortSignal; onProgress: (check: Check) => void }) => Promise<CheckReport>,
  onDone: (report: CheckReport) => Promise<void>,
): Response {
  return ndjsonResponse<CheckStreamEvent>(
    request,
    async ({ signal, send }) => {
      const report = await run({ signal, onProgress: (check) => send({ type: "check", check }) });
      if (!report.cancelled) await onDone(report);
      send({ type: "report", report });
    },
    () => ({ type: "error", message: "The checks could not be completed because of a problem on our side. Try again." }),
  );
}
