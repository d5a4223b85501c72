/**
 * Dates as the console shows them: always UTC (the column headers say so), in one style everywhere,
 * so a time copied from one page matches another and helpdesk can quote it to Microsoft as it is.
 */
const day = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });
const longDay = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" });
const minute = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const second = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });

export const formatDay = (date: Date): string => day.format(date);
export const formatLongDay = (date: Date): string => longDay.format(date);
export const formatDateTime = (date: Date): string => minute.format(date);
export const formatDateTimeSeconds = (date: Date): string => second.format(date);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "3 h ago", "in 12 days": how long ago or ahead, rounded down; beyond 60 days the date itself is clearer. */
export function formatRelative(date: Date, now: Date): string {
  const difference = date.getTime() - now.getTime();
  const span = Math.abs(difference);
  if (span < MINUTE) return "just now";
  let amount: string;
  if (span < HOUR) amount = `${Math.floor(span / MINUTE)} min`;
  else if (span < DAY) amount = `${Math.floor(span / HOUR)} h`;
  else if (span < 60 * DAY) {
    const days = Math.floor(span / DAY);
    amount = `${days} day${days === 1 ? "" : "s"}`;
  } else return formatDay(date);
  return difference < 0 ? `${amount} ago` : `in ${amount}`;
}

/**
 * Microsoft's own error codes (AADSTS50020, ErrorAccessDenied, Authorization_RequestDenied) mean
 * something to an admin and can be looked up; the console's internal codes (no-roles, timeout) do not.
 */
export function isMicrosoftErrorCode(code: string): boolean {
  return /^AADSTS\d+$/.test(code) || /^[A-Z][a-z][A-Za-z]*(_[A-Za-z]+)?$/.test(code);
}
