import { NextResponse, type NextRequest } from "next/server";
import { getEnv } from "@/lib/env";
import { pageContentSecurityPolicy } from "@/lib/security-headers";

/**
 * Pages get a Content-Security-Policy with a nonce of their own: a nonce fixed at build time, or
 * 'unsafe-inline', would let an injected inline script run. Next.js reads the nonce from the
 * request's copy of the policy and puts it on the scripts it renders (every page renders on
 * request: the root layout is dynamic). The response's copy replaces the static policy that
 * scripts/server.mjs put on every response, so no page carries two.
 *
 * Not an access check: every page, action and route handler authorises its caller itself.
 */
export function proxy(request: NextRequest): NextResponse {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const policy = pageContentSecurityPolicy(nonce, { dev: getEnv().NODE_ENV === "development" });
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  // For a server component that writes a <script> or <style> element of its own.
  headers.set("x-nonce", nonce);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", policy);
  return response;
}

export const config = {
  // Everything but what is never a page: route handlers under /api/ (the engine API among them),
  // build files and the files of public/. Those keep the static policy.
  matcher: ["/((?!api/|_next/static/|_next/image|favicon\\.ico$|icon\\.svg$|apple-touch-icon\\.png$).*)"],
};
