import "server-only";
import { NextResponse } from "next/server";
import type { AccessDenied } from "@/lib/auth/current-user";

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
