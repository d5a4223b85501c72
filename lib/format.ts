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
