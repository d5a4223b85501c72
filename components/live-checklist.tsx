"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { CheckList } from "@/components/check-list";
import type { Check, CheckReport } from "@/lib/checks/schema";
import { fixHref } from "@/lib/wizard/fix-target";

type Event = { type: "check"; check: Check } | { type: "report"; report: CheckReport } | { type: "error"; message: string };

/**
 * Runs checks on the server and shows each one the moment it finishes (the route streams NDJSON),
 * with its duration: a live checklist rather than a spinner and then a wall of text.
 */
export function LiveChecklist({
  endpoint,
  buttonLabel,
  initialReport,
  wizardFixLinks = false,
  autoStart = false,
  doneHref,
}: {
  endpoint: string;
  buttonLabel: string;
  initialReport: CheckReport | null;
  /** In the wizard, each failure links back to the step that fixes it, with the field highlighted. */
  wizardFixLinks?: boolean;
  /** Start at once, e.g. right after a mailbox was connected, so the result shows without a click. */
  autoStart?: boolean;
  /** Where to go once the checks finished, when the current address describes the run as still going. */
  doneHref?: string;
}) {
  const router = useRouter();
  const [checks, setChecks] = useState<Check[]>(initialReport?.checks ?? []);
  const [summary, setSummary] = useState<string>(initialReport ? describe(initialReport) : "");
  const [running, setRunning] = useState(false);
  const abort = useRef<AbortController | null>(null);

  async function run() {
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setRunning(true);
    setChecks([]);
    setSummary("Running checks…");
    try {
      const response = await fetch(endpoint, { method: "POST", signal: controller.signal });
      if (!response.ok || !response.body) {
        const problem = (await response.json().catch(() => null)) as { message?: string } | null;
        setSummary(problem?.message ?? `The checks could not start (HTTP ${response.status}).`);
        return;
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let newline = buffer.indexOf("\n");
        while (newline >= 0) {
          const event = JSON.parse(buffer.slice(0, newline)) as Event;
          buffer = buffer.slice(newline + 1);
          if (event.type === "check") setChecks((current) => [...current.filter((check) => check.id !== event.check.id), event.check]);
          else if (event.type === "report") {
            setChecks(event.report.checks);
            setSummary(describe(event.report));
          } else setSummary(event.message);
          newline = buffer.indexOf("\n");
        }
      }
      if (doneHref) router.replace(doneHref);
      else router.refresh();
    } catch (error) {
      if ((error as Error).name !== "AbortError") setSummary("The connection to the console was lost while the checks ran. Try again.");
    } finally {
      setRunning(false);
    }
  }

  const started = useRef(false);
  useEffect(() => {
    if (!autoStart || started.current) return;
    started.current = true;
    void run();
    // run() is recreated each render; starting once on mount is the point.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [autoStart]);

  return (
    <div className="space-y-3">
      <button
        type="button"
        onClick={run}
        disabled={running}
        className="rounded bg-primary px-4 py-2 text-sm font-medium text-primary-fg hover:bg-primary-hover focus:outline-none focus-visible:ring-2 focus-visible:ring-focus focus-visible:ring-offset-2 disabled:opacity-60"
      >
        {running ? "Checking…" : buttonLabel}
      </button>
      <p role="status" aria-live="polite" className="text-sm font-medium">
        {summary}
      </p>
      {checks.length > 0 && (
        <CheckList
          label="Check results"
          checks={checks}
          fixLink={wizardFixLinks ? wizardFixLink : undefined}
        />
      )}
    </div>
  );
}

function wizardFixLink(check: Check) {
  const href = fixHref(check);
  return href ? { href, label: "Go to the step that fixes this" } : undefined;
}

function describe(report: CheckReport): string {
  const failed = report.checks.filter((check) => check.status === "fail").length;
  const warned = report.checks.filter((check) => check.status === "warn").length;
  if (report.cancelled) return "The checks were cancelled.";
  if (failed) return `${failed} check${failed === 1 ? "" : "s"} failed${warned ? `, ${warned} warning${warned === 1 ? "" : "s"}` : ""}.`;
  if (warned) return `All checks passed with ${warned} warning${warned === 1 ? "" : "s"}.`;
  return `All checks passed in ${Math.round(report.durationMs)} ms.`;
}
