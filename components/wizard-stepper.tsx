import Link from "next/link";
import type { WizardStepId } from "@/lib/wizard/steps";

/** Progress through the wizard: every step is a link (steps can be done in any order), marked done or current. */
export function WizardStepper({
  steps,
  current,
  completed,
}: {
  steps: ReadonlyArray<{ id: WizardStepId; title: string }>;
  current: WizardStepId;
  completed: readonly WizardStepId[];
}) {
  const doneCount = steps.filter((step) => completed.includes(step.id)).length;
  return (
    <nav aria-label="Wizard steps" className="rounded border border-line bg-surface p-4">
      <p className="mb-2 text-sm text-fg-muted">
        {doneCount} of {steps.length} steps done
      </p>
      <ol className="space-y-1 text-sm">
        {steps.map((step, index) => {
          const isCurrent = step.id === current;
          const isDone = completed.includes(step.id);
          return (
            <li key={step.id}>
              <Link
                href={`/connections/new/${step.id}`}
                aria-current={isCurrent ? "step" : undefined}
                className={`flex items-center gap-2 rounded px-2 py-1 ${isCurrent ? "bg-nav-active font-semibold text-nav-active-fg" : "text-fg"}`}
              >
                <span aria-hidden="true" className="w-5 text-center font-mono">
                  {isDone ? "✓" : index + 1}
                </span>
                <span>{step.title}</span>
                {isDone && <span className="sr-only">(done)</span>}
              </Link>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
