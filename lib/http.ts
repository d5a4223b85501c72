import "server-only";
import { unstable_rethrow } from "next/navigation";
import { NextResponse } from "next/server";
import type { AccessDenied } from "@/lib/auth/current-user";
import { fromFetchRequest, toFetchResponse } from "@/lib/api/next-adapter";
import { internalErrorResponse } from "@/lib/api/respond";
import type { RouteName } from "@/lib/auth/access-policy";

/**
 * Browser-facing route handlers that change state accept only same-origin requests. The session
 * cookie is SameSite=Lax already; this closes the gap for older browsers and odd proxies.
 */
export function isSameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (!origin) return false;
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export function deniedResponse(caller: AccessDenied): NextResponse {
  return caller.signedIn
    ? NextResponse.json({ error: "forbidden", message: "You do not have permission to do this." }, { status: 403 })
    : NextResponse.json({ error: "unauthenticated", message: "Sign in first." }, { status: 401 });
}

/**
 * The body of a console route handler: a failure answers a problem document, 503 when the database is
 * not answering (authorising the caller already needs it) and 500 with a request id otherwise, never
 * Next's empty 500.
 */
export function consoleRoute<Context>(route: RouteName, handle: (request: Request, context: Context) => Promise<Response>): (request: Request, context: Context) => Promise<Response> {
  return async (request, context) => {
    try {
      return await handle(request, context);
    } catch (error) {
      unstable_rethrow(error);
      return toFetchResponse(internalErrorResponse(fromFetchRequest(request), route, error));
    }
  };
}
