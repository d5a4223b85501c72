import { GET as getConnection } from "@/app/api/v1/connections/[id]/route";
import { POST as reportSyncRun } from "@/app/api/v1/connections/[id]/reports/route";
import { POST as issueToken } from "@/app/api/v1/connections/[id]/token/route";
import { GET as listConnections } from "@/app/api/v1/connections/route";
import type { RouteName } from "@/lib/auth/access-policy";

/**
 * The sync engine's API as plain request → response functions, for scripts/server.mjs to call without
 * Next.js's page machinery: engines poll these routes, and Next's per-request overhead alone would cap
 * them far below what the console can serve. They are the very same route handlers Next serves (and
 * serves itself when the fast path is not built), so behaviour cannot drift between the two.
 */

type Handler = (request: Request, context: { params: Promise<{ id: string }> }) => Promise<Response>;

export const fastPathRoutes = {
  "GET /api/v1/connections": (request) => listConnections(request),
  "GET /api/v1/connections/[id]": getConnection,
  "POST /api/v1/connections/[id]/token": issueToken,
  "POST /api/v1/connections/[id]/reports": reportSyncRun,
} satisfies Partial<Record<RouteName, Handler>>;

const routePattern = /^\/api\/v1\/connections(?:\/([^/]+)(?:\/(token|reports))?)?\/?$/;

/** Answers an engine request, or returns null for anything else (which then goes to Next.js). */
export async function dispatchApiRequest(request: Request): Promise<Response | null> {
  const match = routePattern.exec(new URL(request.url).pathname);
  if (!match) return null;
  const [, id, action] = match;
  const name = `${request.method} /api/v1/connections${id !== undefined ? "/[id]" : ""}${action ? `/${action}` : ""}`;
  const handler: Handler | undefined = (fastPathRoutes as Record<string, Handler>)[name];
  if (!handler) return null;
  return handler(request, { params: Promise.resolve({ id: id === undefined ? "" : decodeURIComponent(id) }) });
}
