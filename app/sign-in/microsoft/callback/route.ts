import { NextResponse } from "next/server";
import { authorizeRoute, getCurrentUser, requestContext, sessionPolicy, setSessionCookie } from "@/lib/auth/current-user";
import { readBindingCookie } from "@/lib/auth/oidc/binding-cookie";
import { completeMicrosoftSignIn } from "@/lib/auth/oidc/sign-in";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";
import { getEnv } from "@/lib/env";
import { consoleRoute } from "@/lib/http";
import { log } from "@/lib/log";
import { publicUrl } from "@/lib/public-url";

export const dynamic = "force-dynamic";

function to(path: string): NextResponse {
  return NextResponse.redirect(`${publicUrl(getEnv())}${path}`, 303);
}

/**
 * Microsoft's answer to "Sign in with Microsoft". A refusal is kept on the attempt and the sign-in
 * page explains it by the attempt's id, readable only with this browser's binding cookie.
 */
export const GET = consoleRoute("GET /sign-in/microsoft/callback", async (request: Request): Promise<Response> => {
  await authorizeRoute("GET /sign-in/microsoft/callback");
  const params = new URL(request.url).searchParams;
  const { ip, userAgent } = await requestContext();
  let outcome: Awaited<ReturnType<typeof completeMicrosoftSignIn>>;
  try {
    // Only linking looks at the session: it must be the person who started the link.
    const sessionUserId = (await getCurrentUser())?.id ?? null;
    outcome = await completeMicrosoftSignIn(await getPrisma(), getKeyRing(), { params, binding: await readBindingCookie(), ip, userAgent, sessionUserId }, sessionPolicy());
  } catch (error) {
    log.error("The Microsoft sign-in callback failed", { error: error instanceof Error ? error.name : "non-error thrown" });
    return to("/sign-in?microsoft=sign-in-failed");
  }
  switch (outcome.kind) {
    case "signed-in":
      await setSessionCookie(outcome.token, outcome.expiresAt);
      return to(outcome.returnTo);
    case "connected":
      await setSessionCookie(outcome.token, outcome.expiresAt);
      return to(`/connect/${outcome.connectionId}?verify=1`);
    case "linked":
      return to("/account/microsoft?linked=1");
    case "refused":
      return to(outcome.purpose === "link" ? `/account/microsoft?microsoft=${outcome.attemptId}` : `/sign-in?microsoft=${outcome.attemptId}`);
    case "bad-state":
      return to("/sign-in?microsoft=bad-state");
    case "failed":
      return to("/sign-in?microsoft=sign-in-failed");
  }
});
