import { errorReason } from "@/lib/errors";

/**
 * "The database is not answering": a query ran into its timeout, or no connection could be made.
 * This module has no server-only import because the error pages (client components) must recognise
 * the error too. Next.js keeps a server error's `digest` when it hides the message from the browser,
 * so the digest is what tells them.
 */

export const DATABASE_UNAVAILABLE_DIGEST = "calsync-database-unavailable";

export const databaseUnavailableText = {
  title: "The database is not answering",
  // A page only reads: whatever it asked for was not answered, and nothing was changed.
  page: "Nothing was changed. Try again in a moment.",
  // A write that was sent before the database stopped may still be applied when it answers again.
  action: "The database is not answering, so this could not be completed. Try again in a moment; if it was a change, reload first to see whether it was saved.",
  api: "The database is not answering. Try again in a moment; a change sent with this request may still be applied when the database answers again, so read before you resend one.",
} as const;

export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
  readonly digest = DATABASE_UNAVAILABLE_DIGEST;
}

// node-postgres gives these failures no code, only a message.
const DRIVER_MESSAGES = [
  "Query read timeout",
  "Connection terminated",
  "timeout exceeded when trying to connect",
  "Client has encountered a connection error and is not queryable",
  "Client was closed and is not queryable",
];
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EPIPE"]);
// Prisma: server unreachable, connect timed out, operation timed out, connection closed, no pooled
// connection in time.
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
// PostgreSQL: connection exceptions (class 08), shutting down or starting up, too many connections.
const POSTGRES_STATES = /^(08...|57P0[123]|53300)$/;

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== "object" || error === null || depth > 4) return false;
  if (error instanceof DatabaseUnavailableError || (error as { digest?: unknown }).digest === DATABASE_UNAVAILABLE_DIGEST) return true;
  const { message, code, errors, cause, meta } = error as Record<string, unknown>;
  if (typeof message === "string" && DRIVER_MESSAGES.some((known) => message.startsWith(known))) return true;
  if (typeof code === "string" && (SOCKET_CODES.has(code) || PRISMA_CODES.has(code) || POSTGRES_STATES.test(code))) return true;
  // Prisma reports a raw query that could not reach the server as P2010 with the driver's message.
  if (code === "P2010" && typeof meta === "object" && meta !== null && /reach database server|timed out|connection/i.test(String((meta as { message?: unknown }).message ?? ""))) {
    return true;
  }
  if (Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable(cause, depth + 1);
}

/** The error to throw in place of `error` when it means the database is not answering. */
export function asDatabaseUnavailable(error: unknown): DatabaseUnavailableError | undefined {
  if (error instanceof DatabaseUnavailableError) return error;
  if (!isDatabaseUnavailable(error)) return undefined;
  return new DatabaseUnavailableError(`The database is not answering: ${errorReason(error)}`, { cause: error });
}
