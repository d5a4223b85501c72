import { NextResponse } from "next/server";
import { authorizeRoute, getCurrentUser, requestContext } from "@/lib/auth/current-user";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";
import { completeMailboxSignIn } from "@/lib/delegated/sign-in";
import { getEnv } from "@/lib/env";
import { publicUrl } from "@/lib/public-url";

export const dynamic = "force-dynamic";

function to(path: string): NextResponse {
  return NextResponse.redirect(`${publicUrl(getEnv())}${path}`, 303);
}

/**
 * Microsoft's answer to "connect my calendar". Everything here needs the console session that started
 * the sign-in; the one exception is an administrator coming back from approving the app for their
 * organisation (admin_consent, no code), who may have no console account and is only thanked.
 */
export async function GET(request: Request): Promise<Response> {
  const caller = await authorizeRoute("GET /connect/callback");
  if (!caller.allowed) return to("/sign-in");
  const params = new URL(request.url).searchParams;
  if (params.has("admin_consent") && !params.has("code")) return to(`/connect/approved${params.has("error") ? "?declined=1" : ""}`);
  const user = await getCurrentUser();
  if (!user) return to(`/sign-in?next=${encodeURIComponent("/connect")}`);
  const { ip } = await requestContext();
  const outcome = await completeMailboxSignIn(await getPrisma(), getKeyRing(), { userId: user.id, params, actor: user, ip });
  switch (outcome.kind) {
    case "connected":
      return to(`/connect/${outcome.connectionId}?verify=1${outcome.reconnected ? "&reconnected=1" : ""}`);
    case "refused":
      return to(`/connect/attempts/${outcome.signInId}`);
    case "bad-state":
      return to("/connect?refusal=bad-state");
  }
}
