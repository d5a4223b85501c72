import "server-only";
import type { Check, CheckReport } from "@/lib/checks/schema";

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
  const encoder = new TextEncoder();
  const controller = new AbortController();
  request.signal.addEventListener("abort", () => controller.abort(), { once: true });
  const body = new ReadableStream<Uint8Array>({
    async start(stream) {
      const send = (event: CheckStreamEvent) => {
        try {
          stream.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
        } catch {
          // The browser went away; the run is being cancelled.
        }
      };
      try {
        const report = await run({ signal: controller.signal, onProgress: (check) => send({ type: "check", check }) });
        if (!report.cancelled) await onDone(report);
        send({ type: "report", report });
      } catch {
        send({ type: "error", message: "The checks could not be completed because of a problem on our side. Try again." });
      } finally {
        try {
          stream.close();
        } catch {
          // already closed
        }
      }
    },
    cancel() {
      controller.abort();
    },
  });
  return new Response(body, {
    headers: { "Content-Type": "application/x-ndjson; charset=utf-8", "Cache-Control": "no-store", "X-Accel-Buffering": "no" },
  });
}
