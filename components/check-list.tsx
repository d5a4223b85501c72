import { checkWho, whoLabel } from "@/lib/checks/fix-roles";
import type { Check, CheckStatus } from "@/lib/checks/schema";

/**
 * One checklist for every place checks appear (wizard, connection page, helpdesk): the status is
 * always spelled out in words, never colour alone, and each failure says who can fix it and where.
 */

export const statusLabels: Record<CheckStatus, string> = { pass: "Passed", warn: "Warning", fail: "Failed", skip: "Skipped" };

const statusStyles: Record<CheckStatus, string> = {
  pass: "border-green-300 bg-green-50 dark:border-green-800 dark:bg-green-950/60",
  warn: "border-amber-300 bg-amber-50 dark:border-amber-800 dark:bg-amber-950/60",
  fail: "border-red-300 bg-red-50 dark:border-red-800 dark:bg-red-950/60",
  skip: "border-line bg-surface-muted",
};

const statusMarks: Record<CheckStatus, string> = { pass: "✓", warn: "!", fail: "✗", skip: "–" };


export type FixLink = (check: Check) => { href: string; label: string } | undefined;

export function CheckItem({ check, fixLink }: { check: Check; fixLink?: FixLink }) {
  const link = check.status === "fail" || check.status === "warn" ? fixLink?.(check) : undefined;
  return (
    <li className={`rounded border p-3 ${statusStyles[check.status]}`} data-check-id={check.id} data-status={check.status}>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <p className="font-medium">
          <span aria-hidden="true" className="mr-2 font-mono">
            {statusMarks[check.status]}
          </span>
          <span className="sr-only">{statusLabels[check.status]}: </span>
          {check.title}
        </p>
        <span className="text-xs text-fg-muted">
          {statusLabels[check.status]} · {Math.round(check.durationMs)} ms
        </span>
      </div>
      <p className="mt-1 text-sm">{check.detail}</p>
      {check.fix && (check.status === "fail" || check.status === "warn") && (
        <p className="mt-1 text-sm">
          <strong>How to fix{checkWho(check) ? ` (${whoLabel(checkWho(check)!)})` : ""}:</strong> {check.fix.text}
        </p>
      )}
      {(check.code || check.correlationId) && (
        <p className="mt-1 text-xs text-fg-muted">
          {check.code && (
            <>
              Code <code>{check.code}</code>
              {check.helpUrl && (
                <>
                  {" "}
                  (<a href={check.helpUrl} rel="noreferrer" target="_blank">Microsoft&apos;s description</a>)
                </>
              )}
            </>
          )}
          {check.correlationId && (
            <>
              {check.code ? " · " : ""}Correlation ID <code>{check.correlationId}</code>
              {check.timestamp && (
                <>
                  {" "}
                  at <code>{check.timestamp}</code>
                </>
              )}
            </>
          )}
        </p>
      )}
      {link && (
        <p className="mt-2">
          <a href={link.href} className="inline-block rounded border border-line-strong bg-surface px-3 py-1 text-sm font-medium no-underline hover:bg-surface-muted">
            {link.label}
          </a>
        </p>
      )}
    </li>
  );
}

export function CheckList({ checks, fixLink, label }: { checks: Check[]; fixLink?: FixLink; label: string }) {
  return (
    <ol className="space-y-2" aria-label={label}>
      {checks.map((check) => (
        <CheckItem key={check.id} check={check} fixLink={fixLink} />
      ))}
    </ol>
  );
}
