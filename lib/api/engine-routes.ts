import "server-only";
import { authorizeApiKey, type ApiCaller, type ApiKeyRouteName } from "@/lib/api/authorize";
import { createEngineReport, getPolledApiConnection, listApiConnections, readConnectionWithCredentials } from "@/lib/api/connections-api";
import type { ApiRequest, ApiResponse } from "@/lib/api/http";
import { microsoftProblem, problem, problemResponse, validationProblem } from "@/lib/api/problem";
import { notFound, parseConnectionId, parseQuery, readJsonBody } from "@/lib/api/request";
import { conditionalJsonResponse, internalErrorResponse, jsonResponse } from "@/lib/api/respond";
import { engineReportInputSchema, listConnectionsQuerySchema, tokenRequestSchema } from "@/lib/api/schemas";
import { issueConnectionToken } from "@/lib/api/token-broker";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";

/**
 * The sync engine's API, one handler per route of the access policy. These are the only
 * implementation: scripts/server.mjs calls them directly through lib/api/dispatch.ts, and Next.js
 * serves them through lib/api/next-adapter.ts (the route files under app/api/v1) for what the fast
 * path leaves to it.
 */

/** `params.id` is the decoded `[id]` segment, or "" for a route without one. */
export type EngineHandler = (request: ApiRequest, params: { id: string }) => Promise<ApiResponse>;

/** What a route does once the caller's key is authorised for it. */
type AuthorisedHandler = (request: ApiRequest, caller: ApiCaller, id: string) => Promise<ApiResponse>;

/** The engine's list of connections, a page at a time (keyset cursor), with ETag revalidation. */
async function listConnections(request: ApiRequest): Promise<ApiResponse> {
  const query = parseQuery(request, listConnectionsQuerySchema);
  if (!query.ok) return query.response;
  const result = await listApiConnections(await getPrisma(), query.data);
  if (!result.ok) return problemResponse(validationProblem(request, [{ field: "cursor", message: "is not a cursor this API issued; start again without it" }]));
  return jsonResponse(request, result.page, { conditional: true });
}

/**
 * One connection. A key with credentials:read also gets the client secret: that answer is audited,
 * never cached and carries no ETag.
 */
async function getConnection(request: ApiRequest, caller: ApiCaller, rawId: string): Promise<ApiResponse> {
  const id = parseConnectionId(request, rawId);
  if (!id.ok) return id.response;
  if (caller.scopes.includes("credentials:read")) {
    const connection = await readConnectionWithCredentials(await getPrisma(), getKeyRing(), id.data, caller, { ip: request.clientIp });
    return connection ? jsonResponse(request, connection) : notFound(request);
  }
  const connection = await getPolledApiConnection(getPrisma, id.data);
  return connection ? conditionalJsonResponse(request, connection) : notFound(request);
}

/** The token broker: a Graph token minted with the connection's sealed secret, which never leaves the console. */
async function issueToken(request: ApiRequest, _caller: ApiCaller, rawId: string): Promise<ApiResponse> {
  const id = parseConnectionId(request, rawId);
  if (!id.ok) return id.response;
  const body = await readJsonBody(request, tokenRequestSchema, { optional: true });
  if (!body.ok) return body.response;
  const result = await issueConnectionToken(await getPrisma(), getKeyRing(), id.data);
  if (result.ok) return jsonResponse(request, result.token);
  if (result.reason === "not-found") return notFound(request);
  if (result.reason === "no-secret") {
    return problemResponse(problem("no-secret", request, "This connection holds no client secret, so the console cannot sign in for it. An administrator adds one on the connection's page."));
  }
  return problemResponse(microsoftProblem(request, result.problem));
}

/** The engine reports one sync run of a connection; the report is stored with the key that sent it. */
async function reportSyncRun(request: ApiRequest, caller: ApiCaller, rawId: string): Promise<ApiResponse> {
  const id = parseConnectionId(request, rawId);
  if (!id.ok) return id.response;
  const body = await readJsonBody(request, engineReportInputSchema);
  if (!body.ok) return body.response;
  const report = await createEngineReport(await getPrisma(), id.data, caller.id, body.data);
  return report ? jsonResponse(request, report, { status: 201 }) : notFound(request);
}

/**
 * The gate around every handler: authorises the key for `route`, adds the key's rate-limit headers to
 * whatever the handler answers, and turns an unexpected failure into a 500 problem with a request id
 * instead of Next's HTML error page. One wrapper rather than a helper each handler calls keeps the
 * polled path to as few promises as possible; Next's async hooks make every one of them dearer.
 */
function engineRoute(route: ApiKeyRouteName, handle: AuthorisedHandler): EngineHandler {
  return async (request, params) => {
    const caller = await authorizeApiKey(request, route);
    if (!caller.ok) return caller.response;
    let response: ApiResponse;
    try {
      response = await handle(request, caller.key, params.id);
    } catch (error) {
      return internalErrorResponse(request, route, error, caller.headers);
    }
    Object.assign(response.headers, caller.headers);
    return response;
  };
}

function engineRoutesOf(handlers: Record<ApiKeyRouteName, AuthorisedHandler>): Record<ApiKeyRouteName, EngineHandler> {
  const routes = {} as Record<ApiKeyRouteName, EngineHandler>;
  for (const route of Object.keys(handlers) as ApiKeyRouteName[]) routes[route] = engineRoute(route, handlers[route]);
  return routes;
}

export const engineRoutes = engineRoutesOf({
  "GET /api/v1/connections": listConnections,
  "GET /api/v1/connections/[id]": getConnection,
  "POST /api/v1/connections/[id]/token": issueToken,
  "POST /api/v1/connections/[id]/reports": reportSyncRun,
});
