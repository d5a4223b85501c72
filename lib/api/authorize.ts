import "server-only";
import { cachedApiKeyForRequest, findApiKeyForRequest, lastUseIsDue, parseApiKey, updateApiKeyLastUsed } from "@/lib/api/api-keys";
import type { ApiRequest, ApiResponse } from "@/lib/api/http";
import { problem, problemResponse } from "@/lib/api/problem";
import { apiRateLimiter, rateLimitHeaders } from "@/lib/api/rate-limit";
import { internalErrorResponse } from "@/lib/api/respond";
import { routePolicy, type ApiScope, type RouteName } from "@/lib/auth/access-policy";
import { hashToken, constantTimeEqual } from "@/lib/crypto/tokens";
import { getPrisma } from "@/lib/db/client";
import { getEnv } from "@/lib/env";

/** The routes the access policy gives to the sync engine (an `apiKeyScope` entry). */
export type ApiKeyRouteName = {
  [Name in RouteName]: (typeof routePolicy)[Name] extends { readonly apiKeyScope: ApiScope } ? Name : never;
}[RouteName];

/** The authenticated key, as the handlers see it: never its hash, never the key itself. */
export type ApiCaller = { id: string; name: string; prefix: string; scopes: readonly ApiScope[] };

export type ApiAuthorization =
  | { ok: true; key: ApiCaller; /** Rate-limit headers every response to this request carries. */ headers: Record<string, string> }
  | { ok: false; response: ApiResponse };

const REALM = `Bearer realm="calsync-api"`;
export const MISSING_KEY_DETAIL = "Send an API key in the Authorization header: `Authorization: Bearer csk_…`. An administrator creates keys under Settings → API keys.";
// One message, one header and one code path (a hash comparison even without a row) for an unknown
// prefix and a wrong secret, so neither the body nor the timing says which prefixes exist.
export const INVALID_KEY_DETAIL = "The API key is not valid. Check that it was copied completely, or ask an administrator for a new one.";
const DUMMY_HASH = hashToken("csk_00000000_this-key-does-not-exist-and-only-keeps-timing-even");

function unauthorized(request: ApiRequest, detail: string, error: boolean): ApiAuthorization {
  return {
    ok: false,
    response: problemResponse(problem("unauthorized", request, detail), { "www-authenticate": error ? `${REALM}, error="invalid_token"` : REALM }),
  };
}

function lowerCaseNames(headers: Record<string, string>): Record<string, string> {
  const lower: Record<string, string> = {};
  for (const name in headers) lower[name.toLowerCase()] = headers[name]!;
  return lower;
}

const dateOnly = (date: Date) => date.toISOString().slice(0, 10);

/**
 * The gate of every sync-engine route, by its name in the access policy: authenticates the bearer
 * key, counts the request against the key's per-minute budget and checks the route's scope. Console
 * sessions are never accepted here.
 */
export async function authorizeApiKey(request: ApiRequest, route: ApiKeyRouteName): Promise<ApiAuthorization> {
  const scope: ApiScope = routePolicy[route].apiKeyScope;
  try {
    const header = request.headers.authorization;
    if (!header) return unauthorized(request, MISSING_KEY_DETAIL, false);
    const bearer = /^Bearer +(\S+) *$/i.exec(header);
    if (!bearer) return unauthorized(request, MISSING_KEY_DETAIL, true);
    const presented = bearer[1]!;
    const parsed = parseApiKey(presented);
    if (!parsed) return unauthorized(request, INVALID_KEY_DETAIL, true);

    const now = Date.now();
    // A fresh cached row answers without an await: on a polled route that is most requests.
    const record = cachedApiKeyForRequest(parsed.prefix, now) ?? (await findApiKeyForRequest(await getPrisma(), parsed.prefix, new Date(now)));
    const matches = constantTimeEqual(hashToken(presented), record?.secretHash ?? DUMMY_HASH);
    if (!record || !matches) return unauthorized(request, INVALID_KEY_DETAIL, true);
    // Only someone holding the complete key gets past this point, so being specific reveals nothing.
    if (record.status === "revoked") {
      return unauthorized(request, `This API key (${record.prefix}) was revoked on ${dateOnly(record.revokedAt!)}. Ask an administrator for a new one.`, true);
    }
    if (record.status === "expired") {
      return unauthorized(request, `This API key (${record.prefix}) expired on ${dateOnly(record.expiresAt!)}. Ask an administrator for a new one.`, true);
    }

    const decision = apiRateLimiter().consume(record.id, getEnv().CALSYNC_API_RATE_LIMIT_PER_MINUTE, now);
    const headers = lowerCaseNames(rateLimitHeaders(decision));
    if (!decision.allowed) {
      return {
        ok: false,
        response: problemResponse(
          problem("rate-limited", request, `This API key may make ${decision.limit} requests per minute. Try again in ${decision.resetSeconds} seconds.`),
          headers,
        ),
      };
    }
    if (lastUseIsDue(record, now)) await updateApiKeyLastUsed(await getPrisma(), record, new Date(now));
    if (!record.scopes.includes(scope)) {
      return {
        ok: false,
        response: problemResponse(
          problem("forbidden", request, `This API key (${record.prefix}) does not have the ${scope} scope this request needs. Ask an administrator for a key with it.`),
          headers,
        ),
      };
    }
    return { ok: true, key: { id: record.id, name: record.name, prefix: record.prefix, scopes: record.scopes }, headers };
  } catch (error) {
    return { ok: false, response: internalErrorResponse(request, route, error) };
  }
}
