import "server-only";
import { getEnv } from "@/lib/env";

/**
 * One line per event on stdout/stderr. Fields are for identifiers and counts only: callers never pass
 * secrets, and `redact` is a second line of defence for field names that suggest one.
 */
type Level = "debug" | "info" | "warn" | "error";
type Fields = Record<string, string | number | boolean | null | undefined>;

const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const secretLike = /secret|password|token|cookie|authorization|key$/i;

function currentLevel(): Level {
  try {
    return getEnv().CALSYNC_LOG_LEVEL;
  } catch {
    return "info";
  }
}

function format(fields: Fields): string {
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}=${secretLike.test(name) ? "[redacted]" : JSON.stringify(value)}`)
    .join(" ");
}

function write(level: Level, message: string, fields: Fields = {}): void {
  if (order[level] < order[currentLevel()]) return;
  const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}${Object.keys(fields).length ? ` ${format(fields)}` : ""}`;
  (level === "error" || level === "warn" ? process.stderr : process.stdout).write(`${line}\n`);
}

export const log = {
  debug: (message: string, fields?: Fields) => write("debug", message, fields),
  info: (message: string, fields?: Fields) => write("info", message, fields),
  warn: (message: string, fields?: Fields) => write("warn", message, fields),
  error: (message: string, fields?: Fields) => write("error", message, fields),
};
