import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { ApiRequest, ApiResponse } from "../api/http.ts";
import { CLIENT_IP_HEADER, CLIENT_PROTO_HEADER } from "../request-headers.ts";
import type { EngineApi } from "./engine-api-slot.ts";
import { checkServerAction, isPossibleServerAction, type ServerActionGuard } from "./server-action-guard.ts";

/**
 * What scripts/server.mjs does with every request before Next.js or the sync-engine API sees it.
 *
 * - The security headers go on every response here, whichever path then answers it.
 * - Who is calling: Next.js keeps a client-sent X-Forwarded-For, X-Forwarded-Host or Forwarded as
 *   it is, which would let anyone dodge the sign-in rate limit, forge the address in the audit log,
 *   or pass a forged host off as the console's own to an origin check. Unless the operator has put
 *   a proxy in front (CALSYNC_TRUST_PROXY), all of them are dropped and Next fills in its own from
 *   the socket; the address and scheme are written to private headers that clients cannot set.
 * - The engine API (/api/v1/connections…) is answered by the dispatcher Next compiled, with plain
 *   objects and no Fetch Request/Response: engines poll it, and Next's page machinery alone would
 *   cap them far below what the console can serve. It falls through to Next for anything else.
 * - A server action from another origin, or with a body over the limit, is refused before Next.js
 *   would answer it with a 500 (server-action-guard.ts).
 *
 * scripts/server.mjs loads this file with Node's type stripping: erasable TypeScript, relative
 * imports with their extension.
 */

const API_PREFIX = "/api/v1/connections";
const FORWARDING_HEADERS = ["forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port"] as const;

/** With CALSYNC_TEST_ROUTE_HEADER=on, `X-Calsync-Test-Route: next` sends an engine request to Next's route files. */
export const TEST_ROUTE_HEADER = "x-calsync-test-route";

export type RequestListenerOptions = {
  trustProxy: boolean;
  /**
   * Offered once the console has started. Until then engine requests go to Next's route files,
   * which wait for the start like every page does.
   */
  engineApi: Promise<EngineApi>;
  next: (req: IncomingMessage, res: ServerResponse) => unknown;
  securityHeaders: Readonly<Record<string, string>>;
  /** Tests only: lets a request choose Next's route files over the fast path, to compare the two. */
  testRouteHeader: boolean;
  serverActions: Omit<ServerActionGuard, "trustProxy">;
};

function clientIpOf(req: IncomingMessage, trustProxy: boolean): string {
  const forwardedFor = trustProxy ? req.headers["x-forwarded-for"] : undefined;
  // The last entry is the one the trusted proxy appended; earlier ones are the client's own claims.
  const proxied = typeof forwardedFor === "string" ? forwardedFor.split(",").pop()?.trim() : undefined;
  return proxied || req.socket.remoteAddress || "unknown";
}

function dropForwarding(headers: IncomingHttpHeaders): void {
  for (const name of FORWARDING_HEADERS) if (headers[name] !== undefined) delete headers[name];
}

/**
 * The request body, for lib/api/request.ts to count against its size limit. When it stops reading a
 * body that is too large, the rest is discarded rather than the socket destroyed (which the stream's
 * own iterator would do), so the 400 still reaches the engine.
 */
async function* bodyOf(req: IncomingMessage): AsyncGenerator<Uint8Array> {
  try {
    yield* req.iterator({ destroyOnReturn: false });
  } finally {
    req.resume();
  }
}

function write(res: ServerResponse, answer: ApiResponse): void {
  if (answer.body !== undefined) answer.headers["content-length"] = String(Buffer.byteLength(answer.body));
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}

export function createRequestListener(options: RequestListenerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { trustProxy, next, testRouteHeader } = options;
  const serverActionGuard: ServerActionGuard = { ...options.serverActions, trustProxy };
  const securityHeaders = Object.entries(options.securityHeaders);
  let engineApi: EngineApi | undefined;
  void options.engineApi.then((offered) => (engineApi = offered));

  function answer(res: ServerResponse, api: EngineApi, request: ApiRequest, served: ApiResponse): void {
    try {
      write(res, served);
    } catch (error) {
      if (res.headersSent) res.destroy();
      else write(res, api.failed(request, error));
    }
  }

  return (req, res) => {
    for (const [name, value] of securityHeaders) res.setHeader(name, value);
    const clientIp = clientIpOf(req, trustProxy);
    if (!trustProxy) dropForwarding(req.headers);
    const url = req.url ?? "/";
    if (engineApi && url.startsWith(API_PREFIX) && !(testRouteHeader && req.headers[TEST_ROUTE_HEADER] === "next")) {
      const api = engineApi;
      const method = req.method ?? "GET";
      const request: ApiRequest = { method, url, headers: req.headers as ApiRequest["headers"], clientIp, body: method === "GET" || method === "HEAD" ? undefined : bodyOf(req) };
      const served = api.dispatch(request);
      if (served) {
        served.then(
          (result) => answer(res, api, request, result),
          (error: unknown) => answer(res, api, request, api.failed(request, error)),
        );
        return;
      }
    }
    const proto = trustProxy && req.headers["x-forwarded-proto"] === "https" ? "https" : "http";
    req.headers[CLIENT_IP_HEADER] = clientIp;
    req.headers[CLIENT_PROTO_HEADER] = proto;
    if (!isPossibleServerAction(req)) {
      next(req, res);
      return;
    }
    checkServerAction(req, res, serverActionGuard).then(
      (checked) => {
        if (checked) next(checked, res);
      },
      // Only a fault of the check itself lands here; the client sees the connection end.
      () => res.destroy(),
    );
  };
}
