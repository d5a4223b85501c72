import "server-only";
import { createHash, randomUUID } from "node:crypto";
import type { ApiRequest, ApiResponse } from "@/lib/api/http";
import { problem, problemResponse } from "@/lib/api/problem";
import { databaseUnavailableText, isDatabaseUnavailable } from "@/lib/db/unavailable";
import { errorReason } from "@/lib/errors";
import { log } from "@/lib/log";

/** JSON answers of the sync-engine API, with conditional GET, and the last-resort error answer. */

/**
 * A body serialised once, with its ETag: what the read cache keeps for polled connections, so a
 * cache hit costs neither JSON.stringify nor a hash.
 */
export type SerializedJson = { readonly text: string; readonly etag: string };

export function serializeJson(value: unknown): SerializedJson {
  const text = JSON.stringify(value);
  return { text, etag: `"${createHash("sha256").update(text, "utf8").digest("base64url").slice(0, 27)}"` };
}

/** RFC 9110 weak comparison: `W/"x"` and `"x"` match, and `*` matches any current representation. */
function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  const strip = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((candidate) => strip(candidate) === strip(etag));
}

export type JsonOptions = {
  status?: number;
  /**
   * Reads get an ETag (a hash of the body) and answer 304 to a matching If-None-Match. Bodies with a
   * secret get neither: they are `no-store`, and each one must be read (and audited) in full.
   */
  conditional?: boolean;
};

export function jsonResponse(request: ApiRequest, value: unknown, options: JsonOptions = {}): ApiResponse {
  if (options.conditional) return conditionalJsonResponse(request, serializeJson(value), options.status);
  return { status: options.status ?? 200, headers: { "cache-control": "no-store", "content-type": "application/json" }, body: JSON.stringify(value) };
}

export function conditionalJsonResponse(request: ApiRequest, body: SerializedJson, status = 200): ApiResponse {
  if (matchesIfNoneMatch(request.headers["if-none-match"], body.etag)) {
    return { status: 304, headers: { etag: body.etag, "cache-control": "private, no-cache" } };
  }
  return { status, headers: { etag: body.etag, "cache-control": "private, no-cache", "content-type": "application/json" }, body: body.text };
}

/** The answer to a request that failed: 503 when the database is not answering, else 500 with a request id. */
export function internalErrorResponse(request: ApiRequest, route: string, error: unknown, headers: Record<string, string> = {}): ApiResponse {
  if (isDatabaseUnavailable(error)) {
    log.warn("API request failed: the database is not answering", { route, error: errorReason(error) });
    return problemResponse(problem("database-unavailable", request, databaseUnavailableText.api), headers);
  }
  const requestId = randomUUID();
  // Only the first line: ORM and MSAL errors go on to echo arguments, which may hold secrets.
  log.error("API request failed", { route, requestId, error: error instanceof Error ? `${error.name}: ${error.message.split("\n")[0]?.slice(0, 200)}` : "non-error thrown" });
  return problemResponse(problem("internal", request, `The request could not be completed. Quote request id ${requestId} when you report it.`, { requestId }), headers);
}
