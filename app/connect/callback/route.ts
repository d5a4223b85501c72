import { NextResponse } from "next/server";
import { authorizeRoute, requestContext } from "@/lib/auth/current-user";
import { signInPath } from "@/lib/auth/form-schemas";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";
import { completeMailboxSignIn } from "@/lib/delegated/sign-in";
import { getEnv } from "@/lib/env";
import { log } from "@/lib/log";
import { consoleRoute, deniedResponse } from "@/lib/http";
import { publicUrl } from "@/lib/public-url";

export const dynamic = "force-dynamic";

function to(path: string): NextResponse {
  return NextResponse.redirect(`${publicUrl(getEnv())}${path}`, 303);
}

/**
 * Microsoft's answer to "connect my calendar", for the console user who started the sign-in. (An
 * administrator approving the app for their organisation returns to /connect/callback/approved.)
 */
export const GET = consoleRoute("GET /connect/callback", async (request: Request): Promise<Response> => {
  const caller = await authorizeRoute("GET /connect/callback");
  // A session that ended while the person was at Microsoft: sign in again, then start over.
  if (!caller.allowed) return caller.signedIn ? deniedResponse(caller) : to(signInPath("/connect"));
  const user = caller.user;
  const params = new URL(request.url).searchParams;
  const { ip } = await requestContext();
  let outcome: Awaited<ReturnType<typeof completeMailboxSignIn>>;
  try {
    outcome = await completeMailboxSignIn(await getPrisma(), getKeyRing(), { userId: user.id, params, actor: user, ip });
  } catch (error) {
    // Before the attempt was even found (the database did not answer): nothing was connected or used.
    log.error("The mailbox sign-in callback failed", { error: error instanceof Error ? error.name : "non-error thrown" });
    return to("/connect?refusal=sign-in-failed");
  }
  switch (outcome.kind) {
    case "connected":
      return to(`/connect/${outcome.connectionId}?verify=1${outcome.reconnected ? "&reconnected=1" : ""}`);
    case "refused":
      return to(`/connect/attempts/${outcome.signInId}`);
    case "bad-state":
      return to("/connect?refusal=bad-state");
    case "failed":
      return to("/connect?refusal=sign-in-failed");
  }
});
