import "server-only";
import type { ApiKeyRouteName } from "@/lib/api/authorize";
import { engineRoutes, type EngineHandler } from "@/lib/api/engine-routes";
import type { ApiRequest, ApiResponse } from "@/lib/api/http";
import { CLIENT_IP_HEADER } from "@/lib/request-headers";

/**
 * The engine routes as Next.js route handlers (app/api/v1/connections/**): Fetch in, plain data to
 * lib/api/engine-routes.ts, Fetch out. Next serves them only for what scripts/server.mjs leaves to
 * it (HEAD, which Next derives from GET, and tests that compare the two paths); nothing else may
 * happen here, or the two would differ.
 */

async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Reached early when a body goes over the limit: the rest is refused, not read.
    await reader.cancel();
  }
}

export function fromFetchRequest(request: Request): ApiRequest {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return {
    method: request.method,
    url: url.pathname + url.search,
    headers,
    // scripts/server.mjs replaces whatever a client sent in this header.
    clientIp: request.headers.get(CLIENT_IP_HEADER),
    body: request.body ? chunksOf(request.body) : undefined,
  };
}

export function toFetchResponse(response: ApiResponse): Response {
  return new Response(response.body ?? null, { status: response.status, headers: response.headers });
}

/** `context` may be left out for a route without `[id]`, whose params are empty anyway. */
export function nextRoute(route: ApiKeyRouteName): (request: Request, context?: { params: Promise<{ id?: string }> }) => Promise<Response> {
  const handler: EngineHandler = engineRoutes[route];
  return async (request, context) => {
    const { id = "" } = (await context?.params) ?? {};
    return toFetchResponse(await handler(fromFetchRequest(request), { id }));
  };
}
