import "server-only";
import { z } from "zod";
import { sealContext, type KeyRing } from "@/lib/crypto/seal";
import type { DbClient } from "@/lib/db/types";
import { claimSignInAttempt, newSignInAttempt, outcomeOf, refusalFromCallback, type SignInOutcome } from "@/lib/delegated/sign-in";
import { authorizationUrl, redeemCode } from "@/lib/delegated/msal-delegated";
import { signInTenant } from "@/lib/delegated/delegated-app";
import type { Cloud } from "@/lib/entra/clouds";
import { createRetryBudget, type RequestPolicy } from "@/lib/entra/http-transport";
import { getEnv } from "@/lib/env";
import { UserFacingError } from "@/lib/errors";
import { publicUrl } from "@/lib/public-url";
import { getSetupApp, SETUP_APP_MISSING, type SetupAppConfig } from "@/lib/provisioning/setup-app";
import { setupAppScopes } from "@/lib/provisioning/setup-token";

/**
 * An administrator's Microsoft Graph token through the setup app: the authorization code flow with
 * PKCE. Starting stores the attempt (hashed `state`, the `nonce`, the sealed PKCE verifier, the purpose
 * and its input); the callback must bring that `state` back for the same console user, once, within
 * ten minutes, and the ID token must carry the attempt's `nonce`. The access token is handed to the
 * purpose (a provisioning seals it to its own row) and is never stored here, logged or sent to the
 * browser; msal's cache with the refresh token is dropped with the client.
 */

export const SETUP_SIGN_IN_TTL_MS = 10 * 60_000;
const MAX_SETUP_SIGN_INS_PER_WINDOW = 20;
const MICROSOFT_TIMEOUT_MS = 20_000;

/**
 * Who consumes the token: `provision` ("Set it up for me") and `consent-preflight` (the mailbox
 * sign-in settings' consent pre-flight). Each has its branch in the callback route.
 */
/**
 * A refusal code carried back in the page's address, shown only when it looks like one (an AADSTS
 * number or an OAuth error word): the address is anyone's to write.
 */
export function shownRefusalCode(code: string | undefined): string {
  return code && /^(AADSTS\d{4,7}|[a-z_-]{3,40})$/.test(code) ? code : "no code";
}

export const setupSignInPurposes = ["provision", "consent-preflight"] as const;
export type SetupSignInPurpose = (typeof setupSignInPurposes)[number];

export const provisionPayloadSchema = z.object({
  displayName: z.string(),
  secretMonths: z.number().int(),
  reuseObjectId: z.string().optional(),
  credentialKind: z.enum(["secret", "certificate"]).optional(),
});
export type ProvisionPayload = z.infer<typeof provisionPayloadSchema>;

/** Where Microsoft sends the administrator back; the setup app registers exactly this URI. */
export function setupSignInRedirectUri(): string {
  return `${publicUrl(getEnv())}/connections/new/automatic/callback`;
}

/** The setup app's delegated Graph permissions as scopes of the app's cloud. */
export function setupSignInScopes(cloud: Cloud): string[] {
  return setupAppScopes.map((scope) => `${cloud.graphHost}/${scope}`);
}

function verifierContext(id: string): string {
  return sealContext("setup_sign_ins", "code_verifier_sealed", id);
}

function microsoftPolicy(): RequestPolicy {
  return { signal: AbortSignal.timeout(MICROSOFT_TIMEOUT_MS), retry: createRetryBudget() };
}

function signInRequest(app: SetupAppConfig): { scopes: string[]; authority: string } {
  return { scopes: setupSignInScopes(app.cloud), authority: signInTenant(app) };
}

export async function startSetupSignIn(
  db: DbClient,
  ring: KeyRing,
  input: { userId: string; purpose: SetupSignInPurpose; payload: Record<string, unknown>; loginHint?: string },
  now = new Date(),
): Promise<{ url: string }> {
  const app = await getSetupApp(db, ring);
  if (!app) throw new UserFacingError(SETUP_APP_MISSING);
  const recent = await db.setupSignIn.count({ where: { userId: input.userId, createdAt: { gt: new Date(now.getTime() - SETUP_SIGN_IN_TTL_MS) } } });
  if (recent >= MAX_SETUP_SIGN_INS_PER_WINDOW) throw new UserFacingError("You started many sign-ins in the last ten minutes. Wait a few minutes, then try again.");
  const attempt = await newSignInAttempt(ring, verifierContext, now, SETUP_SIGN_IN_TTL_MS);
  let url: string;
  try {
    url = await authorizationUrl(
      app,
      { redirectUri: setupSignInRedirectUri(), ...attempt.request, ...(input.loginHint ? { loginHint: input.loginHint } : {}), ...signInRequest(app) },
      microsoftPolicy(),
    );
  } catch {
    throw new UserFacingError(`Microsoft's sign-in service (${app.cloud.label}) could not be reached, so nothing was started. Try again in a few minutes.`);
  }
  // Old attempts go as new ones come: they hold nothing but a sealed verifier.
  await db.setupSignIn.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - 24 * 3_600_000) } } });
  await db.setupSignIn.create({ data: { ...attempt.row, userId: input.userId, purpose: input.purpose, payload: input.payload as object }, select: { id: true } });
  return { url };
}

export type SetupSignInOutcome =
  | { kind: "token"; purpose: SetupSignInPurpose; payload: unknown; token: string; cloud: Cloud; account: string }
  /** Microsoft refused, or the answer did not belong to this attempt; `code` only, never Microsoft's text in a URL. */
  | { kind: "refused"; outcome: SignInOutcome; purpose?: SetupSignInPurpose }
  /** No attempt of this user matches the `state`: forged, replayed, expired or from another browser. */
  | { kind: "bad-state" };

export async function completeSetupSignIn(db: DbClient, ring: KeyRing, input: { userId: string; params: URLSearchParams }, now = new Date()): Promise<SetupSignInOutcome> {
  const claimed = await claimSignInAttempt(
    db.setupSignIn,
    (where) => db.setupSignIn.findUnique({ where, select: { id: true, userId: true, nonce: true, codeVerifierSealed: true, purpose: true, payload: true, expiresAt: true, completedAt: true } }),
    { params: input.params, ours: (found) => found.userId === input.userId, now },
  );
  if (!claimed) return { kind: "bad-state" };
  const { params, attempt } = claimed;
  const purpose = z.enum(setupSignInPurposes).safeParse(attempt.purpose);
  if (!purpose.success) return { kind: "bad-state" };
  if (params.error || !params.code) return { kind: "refused", outcome: refusalFromCallback(params), purpose: purpose.data };

  const app = await getSetupApp(db, ring);
  if (!app) return { kind: "refused", outcome: { code: "setup-app-missing" }, purpose: purpose.data };
  const redeemed = await redeemCode(
    app,
    { code: params.code, codeVerifier: ring.open(attempt.codeVerifierSealed, verifierContext(attempt.id)), nonce: attempt.nonce, redirectUri: setupSignInRedirectUri(), ...signInRequest(app) },
    microsoftPolicy(),
  );
  if (!redeemed.ok) return { kind: "refused", outcome: outcomeOf(redeemed.failure), purpose: purpose.data };
  // An ID token minted for another attempt (a replayed or injected code) carries another nonce.
  if (redeemed.idTokenClaims.nonce !== attempt.nonce) return { kind: "refused", outcome: { code: "unexpected-response", account: redeemed.account.username }, purpose: purpose.data };
  return { kind: "token", purpose: purpose.data, payload: attempt.payload, token: redeemed.accessToken, cloud: app.cloud, account: redeemed.account.username };
}
