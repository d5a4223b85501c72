/**
 * The only kind of error whose message may reach a browser. Everything else is logged with a request
 * id and shown as a generic message carrying that id.
 */
export class UserFacingError extends Error {
  override name = "UserFacingError";
  constructor(
    message: string,
    readonly fieldErrors: Record<string, string> = {},
  ) {
    super(message);
  }
}

const DATABASE_URL_PATTERN = /postgres(ql)?:\/\/[^\s]*/g;

function firstLine(text: string): string {
  return text.split("\n")[0]!.trim().replace(DATABASE_URL_PATTERN, "<DATABASE_URL>").slice(0, 300);
}

/**
 * One line that says why something failed, for logs and the health check, never empty. Only the first
 * line of a message counts (ORM errors go on to echo query arguments, which may hold secrets), and a
 * database URL in it is masked. Some errors say nothing in that line: Prisma's start with a blank
 * one, MSAL's ServerError can have an empty message, a dual-stack connect fails with an AggregateError
 * without one; then the error's code names the cause.
 */
export function errorReason(error: unknown): string {
  if (typeof error === "string") return firstLine(error) || "unknown error";
  if (typeof error !== "object" || error === null) return "unknown error";
  const { message, code, errorCode, errors, cause, name } = error as Record<string, unknown>;
  const line = typeof message === "string" ? firstLine(message) : "";
  if (line) return line;
  for (const candidate of [code, errorCode]) {
    if ((typeof candidate === "string" && candidate) || typeof candidate === "number") return String(candidate);
  }
  if (Array.isArray(errors) && errors.length > 0) return errorReason(errors[0]);
  if (cause !== undefined) return errorReason(cause);
  return typeof name === "string" && name ? name : "unknown error";
}
