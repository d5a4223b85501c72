import { z } from "zod";

/**
 * Reads the facts out of a failed token request, whichever shape they arrive in: the raw ESTS JSON
 * body, or the error msal made of it. Pure and SDK-independent (duck-typed) so the delegated sign-in
 * flow and redirect handlers can use it too.
 */

export type TokenFailure = {
  /** `AADSTS7000215`, an OAuth error such as `invalid_grant`, or an msal client code. */
  code: string;
  /** The OAuth `error` value when known (`invalid_client`, ...). */
  error?: string;
  /** Microsoft's description, unmodified (callers show only its first line, as "Microsoft said"). */
  description?: string;
  correlationId?: string;
  traceId?: string;
  timestamp?: string;
  status?: number;
};

const estsErrorBodySchema = z
  .object({
    error: z.string().optional(),
    error_description: z.string().optional(),
    error_codes: z.array(z.union([z.number(), z.string()])).optional(),
    timestamp: z.string().optional(),
    trace_id: z.string().optional(),
    correlation_id: z.string().optional(),
  })
  .loose();

const aadstsPrefix = /AADSTS(\d+)/;

/** From an ESTS error body (token endpoint, OpenID metadata endpoint or an authorize redirect's parameters). */
export function parseEstsErrorBody(body: unknown, status?: number): TokenFailure | undefined {
  const parsed = estsErrorBodySchema.safeParse(body);
  if (!parsed.success) return undefined;
  const value = parsed.data;
  if (!value.error && !value.error_description && !value.error_codes) return undefined;
  const first = value.error_codes?.[0];
  const fromDescription = value.error_description ? aadstsPrefix.exec(value.error_description)?.[1] : undefined;
  const number = first !== undefined ? String(first) : fromDescription;
  // Redirect errors carry these facts only inside the description's trailing lines.
  const described = (pattern: RegExp) => (value.error_description ? pattern.exec(value.error_description)?.[1] : undefined);
  const correlationId = value.correlation_id ?? described(/Correlation ID:\s*([0-9a-f-]{36})/i);
  const traceId = value.trace_id ?? described(/Trace ID:\s*([0-9a-f-]{36})/i);
  const timestamp = value.timestamp ?? described(/Timestamp:\s*(\d{4}-\d{2}-\d{2}[ T][0-9:.]+Z?)/);
  return {
    code: number ? `AADSTS${number}` : (value.error ?? "unknown_error"),
    ...(value.error ? { error: value.error } : {}),
    ...(value.error_description ? { description: value.error_description } : {}),
    ...(correlationId ? { correlationId } : {}),
    ...(traceId ? { traceId } : {}),
    ...(timestamp ? { timestamp } : {}),
    ...(status !== undefined ? { status } : {}),
  };
}

type MsalLikeError = {
  name?: unknown;
  errorCode?: unknown;
  errorMessage?: unknown;
  errorNo?: unknown;
  status?: unknown;
  correlationId?: unknown;
  timestamp?: unknown;
  traceId?: unknown;
};

function stringField(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * From an msal error. ServerError's `errorNo` is a number at runtime (typed string);
 * InteractionRequiredAuthError has no `status`; a throttled replay has `errorCode` "50196" and the
 * description as its message. Facts inside `errorMessage` ("Error(s): … - Timestamp: … -
 * Description: … - Correlation ID: … - Trace ID: …") are read when the fields are missing.
 */
export function parseMsalError(error: unknown): TokenFailure {
  if (typeof error !== "object" || error === null) return { code: "unknown_error" };
  const e = error as MsalLikeError;
  const errorCode = stringField(e.errorCode);
  const message = stringField(e.errorMessage) ?? (error instanceof Error ? error.message : undefined);
  const describedMatch = message ? /Description:\s*([\s\S]*?)\s+-\s+Correlation ID:/.exec(message) : null;
  const description = describedMatch?.[1] ?? (message && aadstsPrefix.test(message) ? message : undefined);
  let number: string | undefined;
  if (typeof e.errorNo === "number" || (typeof e.errorNo === "string" && /^\d+$/.test(e.errorNo))) number = String(e.errorNo);
  else if (errorCode && /^\d+(\s+\d+)*$/.test(errorCode)) number = errorCode.split(/\s+/)[0];
  else if (description) number = aadstsPrefix.exec(description)?.[1];
  const timestamp = stringField(e.timestamp) ?? (message ? /Timestamp:\s*(.+?)\s+-\s/.exec(message)?.[1] : undefined);
  const traceId = stringField(e.traceId) ?? (message ? /Trace ID:\s*([0-9a-f-]{36})/i.exec(message)?.[1] : undefined);
  const correlationId =
    (message ? /Correlation ID:\s*([0-9a-f-]{36})/i.exec(message)?.[1] : undefined) ?? stringField(e.correlationId);
  return {
    code: number ? `AADSTS${number}` : (errorCode ?? "unknown_error"),
    ...(errorCode && !/^\d/.test(errorCode) ? { error: errorCode } : {}),
    ...(description ? { description } : {}),
    ...(correlationId ? { correlationId } : {}),
    ...(traceId ? { traceId } : {}),
    ...(timestamp ? { timestamp } : {}),
    ...(typeof e.status === "number" ? { status: e.status } : {}),
  };
}
