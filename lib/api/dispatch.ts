import "server-only";
import { engineRoutes, type EngineHandler } from "@/lib/api/engine-routes";
import { pathOf, type ApiRequest, type ApiResponse } from "@/lib/api/http";
import { internalErrorResponse } from "@/lib/api/respond";
import { offerEngineApi } from "@/lib/server/engine-api-slot";

/**
 * The sync engine's API for scripts/server.mjs, which calls it without Next.js's page machinery and
 * without Fetch objects (lib/server/request-listener.ts). Next compiles this module as part of
 * instrumentation.ts, so the handlers are the ones in lib/api/engine-routes.ts that Next's route
 * files serve too, from Next's own build in development and production alike.
 */

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

/** Called once the console has started (instrumentation.ts): from then on the server answers engines. */
export function offerEngineApiToServer(): void {
  offerEngineApi({ dispatch: dispatchApiRequest, failed: (request, error) => internalErrorResponse(request, pathOf(request), error) });
}
