import { NextResponse } from "next/server";
import { authorizeRoute } from "@/lib/auth/current-user";
import { signInPath } from "@/lib/auth/form-schemas";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";
import { getEnv } from "@/lib/env";
import { preflightFromSetupSignIn } from "@/lib/consent/preflight-sign-in";
import { consoleRoute, deniedResponse } from "@/lib/http";
import { log } from "@/lib/log";
import { ProvisioningInputError, startProvisioning } from "@/lib/provisioning/provision";
import { completeSetupSignIn, provisionPayloadSchema } from "@/lib/provisioning/setup-sign-in";
import { publicUrl } from "@/lib/public-url";
import { CLIENT_IP_HEADER } from "@/lib/request-headers";

export const dynamic = "force-dynamic";

function to(path: string): NextResponse {
  return NextResponse.redirect(`${publicUrl(getEnv())}${path}`, 303);
}

const START = "/connections/new/automatic";
const PREFLIGHT = "/settings/mailbox-sign-in";

function toPreflight(result: string, code?: string): NextResponse {
  return to(`${PREFLIGHT}?preflight=${result}${code ? `&code=${encodeURIComponent(code.slice(0, 60))}` : ""}#consent-heading`);
}

/**
 * Microsoft's answer to the setup app sign-in. The access token goes straight into the purpose's own
 * sealed record (a provisioning, or the consent pre-flight's stored answer) and nowhere else: not
 * into the URL, the log or the page.
 */
export const GET = consoleRoute("GET /connections/new/automatic/callback", async (request: Request): Promise<Response> => {
  const caller = await authorizeRoute("GET /connections/new/automatic/callback");
  if (!caller.allowed) return caller.signedIn ? deniedResponse(caller) : to(signInPath(START));
  const user = caller.user;
  const db = await getPrisma();
  const ring = getKeyRing();
  let outcome: Awaited<ReturnType<typeof completeSetupSignIn>>;
  try {
    outcome = await completeSetupSignIn(db, ring, { userId: user.id, params: new URL(request.url).searchParams });
  } catch (error) {
    log.error("The setup app sign-in callback failed", { error: error instanceof Error ? error.name : "non-error thrown" });
    return to(`${START}?signIn=failed`);
  }
  if (outcome.kind === "bad-state") return to(`${START}?signIn=bad-state`);
  if (outcome.kind === "refused") {
    if (outcome.purpose === "consent-preflight") return toPreflight("refused", outcome.outcome.code);
    return to(`${START}?signIn=refused&code=${encodeURIComponent(outcome.outcome.code.slice(0, 60))}`);
  }
  if (outcome.purpose === "consent-preflight") {
    try {
      const result = await preflightFromSetupSignIn(db, ring, {
        payload: outcome.payload,
        token: outcome.token,
        cloud: outcome.cloud,
        actor: { id: user.id, email: user.email },
        ip: request.headers.get(CLIENT_IP_HEADER),
      });
      return toPreflight(result);
    } catch (error) {
      log.error("The consent pre-flight after the setup app sign-in failed", { error: error instanceof Error ? error.name : "non-error thrown" });
      return toPreflight("failed");
    }
  }
  const payload = provisionPayloadSchema.safeParse(outcome.payload);
  if (!payload.success) return to(`${START}?signIn=bad-state`);
  try {
    const id = await startProvisioning(
      db,
      ring,
      {
        cloud: outcome.cloud,
        token: outcome.token,
        displayName: payload.data.displayName,
        secretMonths: payload.data.secretMonths,
        ...(payload.data.reuseObjectId ? { reuseObjectId: payload.data.reuseObjectId } : {}),
        ...(payload.data.credentialKind ? { credentialKind: payload.data.credentialKind } : {}),
      },
      { id: user.id, email: user.email },
    );
    return to(`${START}/${id}`);
  } catch (error) {
    if (error instanceof ProvisioningInputError) return to(`${START}?signIn=refused&code=token-unusable`);
    throw error;
  }
});
