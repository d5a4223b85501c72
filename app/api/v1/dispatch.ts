import { engineRoutes, type EngineHandler } from "@/lib/api/engine-routes";
import { pathOf, type ApiRequest, type ApiResponse } from "@/lib/api/http";

/**
 * The sync engine's API for scripts/server.mjs, which calls it without Next.js's page machinery and
 * without Fetch objects: engines poll these routes, and that overhead alone would cap them far below
 * what the console can serve. The handlers are the ones Next serves (lib/api/engine-routes.ts, and
 * Next serves them itself when this bundle is not built), so behaviour cannot drift between the two.
 */

export type { ApiRequest, ApiResponse };

export const fastPathRoutes = engineRoutes;

const routePattern = /^\/api\/v1\/connections(?:\/([^/]+)(?:\/(token|reports))?)?\/?$/;

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed escape cannot name a connection; the handler answers it like an unknown id.
    return segment;
  }
}

/**
 * Answers an engine request, or returns null for anything else (which then goes to Next.js). The
 * null comes synchronously, before anything of the request is read.
 */
export function dispatchApiRequest(request: ApiRequest): Promise<ApiResponse> | null {
  const match = routePattern.exec(pathOf(request));
  if (!match) return null;
  const [, id, action] = match;
  const name = `${request.method} /api/v1/connections${id !== undefined ? "/[id]" : ""}${action ? `/${action}` : ""}`;
  const handler: EngineHandler | undefined = (engineRoutes as Record<string, EngineHandler>)[name];
  if (!handler) return null;
  return handler(request, { id: id === undefined ? "" : decodeSegment(id) });
}
