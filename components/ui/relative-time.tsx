import { Tooltip } from "@/components/ui/tooltip";
import { formatDateTime, formatRelative } from "@/lib/format";

/** "3 h ago", rendered on the server, with the exact UTC time on hover or focus for quoting to Microsoft. */
export function RelativeTime({ date, now = new Date() }: { date: Date; now?: Date }) {
  const exact = `${formatDateTime(date)} UTC`;
  return (
    <Tooltip content={exact}>
      <time dateTime={date.toISOString()} tabIndex={0} aria-label={`${formatRelative(date, now)} (${exact})`} className="cursor-help underline decoration-dotted underline-offset-2">
        {formatRelative(date, now)}
      </time>
    </Tooltip>
  );
}
