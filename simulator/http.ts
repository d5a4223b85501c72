import type { IncomingMessage, ServerResponse } from "node:http";
import type { SigningKey } from "./jwt";
import type { SimulatorState } from "./state";

/** One request as the simulator saw it. Secrets, assertions, codes and refresh tokens are never stored. */
export interface RecordedRequest {
  method: string;
  path: string;
  /** Query parameters; sensitive values replaced by "[redacted]". */
  query: Record<string, string>;
  /** Safe form fields of a token request (grant_type, client_id, scope, ...); others redacted. */
  form?: Record<string, string>;
  /** ISO timestamp of arrival. */
  time: string;
  /** HTTP status sent; 0 while pending or for a hung request. */
  status: number;
  durationMs: number;
  /** `client-request-id` from the query or header, when the client sent one. */
  clientRequestId?: string;
  /** Kind of fault that answered, if any. */
  fault?: "latency" | "throttle" | "unavailable" | "hang" | "replication";
  /** AADSTS number or Graph error code of an error answer. */
  errorCode?: string;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  origin: string;
  state: SimulatorState;
  signingKey: SigningKey;
  record: RecordedRequest;
  /** Served on the plain-http browser listener: cookies cannot be `Secure` there. */
  plainHttp: boolean;
  /** Demo mode: sign-in pages list the test accounts. */
  showAccounts: boolean;
}

const SENSITIVE = new Set([
  "client_secret",
  "client_assertion",
  "refresh_token",
  "code",
  "code_verifier",
  "password",
  "assertion",
  "access_token",
  "id_token",
]);

export function redact(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of params) {
    out[key] = SENSITIVE.has(key.toLowerCase()) ? "[redacted]" : value;
  }
  return out;
}

export async function readBody(req: IncomingMessage, limit = 1_000_000): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > limit) throw new Error("request body too large");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function send(
  ctx: RequestContext,
  status: number,
  body: string,
  headers: Record<string, string | string[]> = {},
): void {
  const { res } = ctx;
  if (res.headersSent || res.destroyed) return;
  ctx.record.status = status;
  ctx.record.durationMs = Date.now() - Date.parse(ctx.record.time);
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (!res.hasHeader("content-length")) res.setHeader("content-length", Buffer.byteLength(body));
  res.end(body);
}

export function sendJson(
  ctx: RequestContext,
  status: number,
  value: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  send(ctx, status, JSON.stringify(value), { "content-type": "application/json; charset=utf-8", ...headers });
}

export function sendHtml(ctx: RequestContext, status: number, html: string, headers: Record<string, string> = {}): void {
  send(ctx, status, html, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store, no-cache",
    "x-frame-options": "DENY",
    ...headers,
  });
}

export function redirect(ctx: RequestContext, location: string): void {
  send(ctx, 302, "", { location, "cache-control": "no-store, no-cache" });
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** ESTS-style query string: `+` for spaces (URLSearchParams does that) appended to the redirect URI. */
export function withQuery(base: string, params: Record<string, string | undefined>): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.append(key, value);
  }
  return url.toString();
}
