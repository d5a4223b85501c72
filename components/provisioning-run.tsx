"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { readNdjson } from "@/lib/ndjson";
import type { ChecklistItem } from "@/lib/provisioning/preflight";

type Event = { type: "item"; item: ChecklistItem } | { type: "outcome"; outcome: { status: string; message: string } } | { type: "error"; message: string };

const statusLabels: Record<ChecklistItem["status"], string> = {
  pending: "Not started",
  running: "Working",
  waiting: "Waiting",
  pass: "Done",
  warn: "Warning",
  fail: "Stopped",
  unknown: "Unknown",
  handoff: "Needs another administrator",
  skip: "Skipped",
};

const statusStyles: Record<ChecklistItem["status"], string> = {
  pending: "border-line bg-surface",
  running: "border-blue-300 bg-blue-50 dark:border-blue-800 dark:bg-blue-950/60",
  waiting: "border-blue-300 bg-blue-50 dark:border-blue-800 dark:bg-blue-950/60",
  pass: "border-green-300 bg-green-50 dark:border-green-800 dark:bg-green-950/60",
  warn: "border-amber-300 bg-amber-50 dark:border-amber-800 dark:bg-amber-950/60",
  fail: "border-red-300 bg-red-50 dark:border-red-800 dark:bg-red-950/60",
  unknown: "border-line bg-surface-muted",
  handoff: "border-amber-300 bg-amber-50 dark:border-amber-800 dark:bg-amber-950/60",
  skip: "border-line bg-surface-muted",
};

/**
 * The provisioning's live checklist: the server streams each pre-flight item and step as it changes
 * (waits for replication included), and the page reloads its result once the run ends.
 */
export function ProvisioningRun({ endpoint, autoStart, buttonLabel }: { endpoint: string; autoStart: boolean; buttonLabel: string }) {
  const router = useRouter();
  const [items, setItems] = useState<ChecklistItem[]>([]);
  const [summary, setSummary] = useState("");
  const [running, setRunning] = useState(false);
  const started = useRef(false);

  async function run() {
    setRunning(true);
    setSummary("Working…");
    try {
      const response = await fetch(endpoint, { method: "POST" });
      if (!response.ok || !response.body) {
        const problem = (await response.json().catch(() => null)) as { message?: string } | null;
        setSummary(problem?.message ?? `The setup could not start (HTTP ${response.status}).`);
        return;
      }
      await readNdjson<Event>(response.body, (event) => {
        if (event.type === "item") {
          setItems((current) => {
            const index = current.findIndex((item) => item.id === event.item.id);
            return index < 0 ? [...current, event.item] : current.map((item, i) => (i === index ? event.item : item));
          });
        } else if (event.type === "outcome") {
          setSummary(event.outcome.message);
          router.refresh();
        } else {
          setSummary(event.message);
        }
      });
    } catch {
      setSummary("The connection to the console broke off. Reload the page: the setup continues where it stopped.");
    } finally {
      setRunning(false);
    }
  }

  useEffect(() => {
    if (autoStart && !started.current) {
      started.current = true;
      void run();
    }
    // Runs once on mount; `run` reads only refs and setters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [autoStart]);

  return (
    <div className="space-y-3">
      <ol className="space-y-2" aria-label="Setup checklist">
        {items.map((item) => (
          <li key={item.id} className={`rounded border p-3 ${statusStyles[item.status]}`} data-item-id={item.id} data-status={item.status}>
            <div className="flex flex-wrap items-baseline justify-between gap-2">
              <p className="font-medium">{item.title}</p>
              <span className="text-xs text-fg-muted">{statusLabels[item.status]}</span>
            </div>
            {item.detail && <p className="mt-1 text-sm">{item.detail}</p>}
            {item.who && (item.status === "fail" || item.status === "handoff") && <p className="mt-1 text-sm">Who can do it: {item.who}.</p>}
          </li>
        ))}
      </ol>
      <p role="status" aria-live="polite" className="text-sm">
        {summary}
      </p>
      {!running && (
        <button type="button" onClick={() => void run()} className="rounded border border-line bg-surface px-4 py-2 text-sm font-medium text-fg hover:bg-surface-muted">
          {buttonLabel}
        </button>
      )}
    </div>
  );
}
