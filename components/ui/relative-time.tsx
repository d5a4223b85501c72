import { useId } from "react";
import { formatDateTime, formatRelative } from "@/lib/format";

/**
 * "3 h ago", rendered on the server, with the exact UTC time in a tooltip on hover or keyboard focus for
 * quoting to Microsoft. Pure CSS, so the status board ships no tooltip library for its many dates.
 */
export function RelativeTime({ date, now = new Date() }: { date: Date; now?: Date }) {
  const id = useId();
  const exact = `${formatDateTime(date)} UTC`;
  return (
    // Not displayed until hovered or focused: even invisible, a positioned box would widen a phone page.
    <span className="group relative inline-block">
      <time dateTime={date.toISOString()} tabIndex={0} aria-describedby={id} className="cursor-help underline decoration-dotted underline-offset-2">
        {formatRelative(date, now)}
      </time>
      <span
        id={id}
        role="tooltip"
        className="pointer-events-none absolute bottom-full left-0 z-50 mb-1 hidden whitespace-nowrap rounded-md bg-slate-900 px-2 py-1 text-xs text-white shadow-md group-focus-within:block group-hover:block dark:bg-slate-100 dark:text-slate-900"
      >
        {exact}
      </span>
    </span>
  );
}
