import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { problem, problemResponse } from "@/lib/api/problem";
import { log } from "@/lib/log";

/** JSON answers of the sync-engine API, with conditional GET, and the last-resort error answer. */

function etagOf(body: string): string {
  return `"${createHash("sha256").update(body, "utf8").digest("base64url").slice(0, 27)}"`;
}

/** RFC 9110 weak comparison: `W/"x"` and `"x"` match, and `*` matches any current representation. */
function matchesIfNoneMatch(header: string | null, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  const strip = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((candidate) => strip(candidate) === strip(etag));
}

export type JsonOptions = {
  status?: number;
  headers?: Record<string, string>;
  /**
   * Reads get an ETag (a hash of the body) and answer 304 to a matching If-None-Match. Bodies with a
   * secret get neither: they are `no-store`, and each one must be read (and audited) in full.
   */
  conditional?: boolean;
};

export function jsonResponse(request: Request, body: unknown, options: JsonOptions = {}): Response {
  const text = JSON.stringify(body);
  const headers = new Headers(options.headers);
  if (options.conditional) {
    const etag = etagOf(text);
    headers.set("etag", etag);
    headers.set("cache-control", "private, no-cache");
    if (matchesIfNoneMatch(request.headers.get("if-none-match"), etag)) return new Response(null, { status: 304, headers });
  } else {
    headers.set("cache-control", "no-store");
  }
  headers.set("content-type", "application/json");
  return new Response(text, { status: options.status ?? 200, headers });
}

export function internalErrorResponse(request: Request, route: string, error: unknown, headers: Record<string, string> = {}): Response {
  const requestId = randomUUID();
  // Only the first line: ORM and MSAL errors go on to echo arguments, which may hold secrets.
  log.error("API request failed", { route, requestId, error: error instanceof Error ? `${error.name}: ${error.message.split("\n")[0]?.slice(0, 200)}` : "non-error thrown" });
  return problemResponse(problem("internal", request, `The request could not be completed. Quote request id ${requestId} when you report it.`, { requestId }), headers);
}

/**
 * Runs an authorised handler: adds the key's rate-limit headers to whatever it answers, and turns an
 * unexpected failure into a 500 problem with a request id instead of Next's HTML error page.
 */
export async function runApiRequest(
  request: Request,
  route: string,
  caller: { headers: Record<string, string> },
  handler: () => Promise<Response>,
): Promise<Response> {
  let response: Response;
  try {
    response = await handler();
  } catch (error) {
    return internalErrorResponse(request, route, error, caller.headers);
  }
  for (const [name, value] of Object.entries(caller.headers)) response.headers.set(name, value);
  return response;
}
