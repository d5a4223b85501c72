import "server-only";
import { z } from "zod";
import type { AuditActor } from "@/lib/audit/audit";
import { ConsentTokenError, predictConsent, type ConsentTokenProblem, type SignInApp } from "@/lib/consent/preflight";
import type { KeyRing } from "@/lib/crypto/seal";
import type { DbClient } from "@/lib/db/types";
import { getDelegatedApp, type DelegatedAppConfig } from "@/lib/delegated/delegated-app";
import type { Cloud } from "@/lib/entra/clouds";
import { UserFacingError } from "@/lib/errors";
import { getSetupApp } from "@/lib/provisioning/setup-app";
import { shownRefusalCode, startSetupSignIn } from "@/lib/provisioning/setup-sign-in";

/**
 * The consent pre-flight with the administrator's token from the setup app sign-in, which carries
 * Policy.Read.All (Azure CLI tokens do not). The sign-in remembers which mailbox sign-in app it was
 * started for; the token then goes to `predictConsent`, which seals it to the stored answer for the
 * grant window, bound to this administrator and that app, and it goes nowhere else.
 */

export const SIGN_IN_APP_MISSING = "Set up the mailbox sign-in app first: the pre-flight checks that app.";

export const consentPreflightPayloadSchema = z.object({ clientId: z.string().min(1) });

/** The mailbox sign-in app as the pre-flight reads it. */
export function signInAppOf(app: DelegatedAppConfig): SignInApp {
  return { clientId: app.clientId, multiTenant: app.audience !== "organization", homeTenant: app.homeTenant };
}

export async function startConsentPreflightSignIn(db: DbClient, ring: KeyRing, input: { userId: string }): Promise<{ url: string }> {
  const [app, setup] = await Promise.all([getDelegatedApp(db, ring), getSetupApp(db, ring)]);
  if (!app) throw new UserFacingError(SIGN_IN_APP_MISSING);
  if (!setup) throw new UserFacingError("Signing in for the pre-flight needs the setup app, and none is set up on this console. An administrator adds it once under Settings → Setup app; until then, paste a token.");
  if (setup.cloud.id !== app.cloud.id) {
    throw new UserFacingError(
      `The setup app signs in to ${setup.cloud.label}, but the mailbox sign-in app is in ${app.cloud.label}, so its token could not read that organisation's settings. Paste a token from ${app.cloud.label} instead.`,
    );
  }
  return startSetupSignIn(db, ring, { userId: input.userId, purpose: "consent-preflight", payload: { clientId: app.clientId } });
}

/** What became of a pre-flight started by a sign-in: a word for the settings page's URL, never Microsoft's or the token's text. */
export type PreflightSignInResult = "done" | "app-missing" | "app-changed" | ConsentTokenProblem;

export async function preflightFromSetupSignIn(
  db: DbClient,
  ring: KeyRing,
  input: { payload: unknown; token: string; cloud: Cloud; actor: AuditActor & object; ip?: string | null; now?: Date },
): Promise<PreflightSignInResult> {
  const payload = consentPreflightPayloadSchema.safeParse(input.payload);
  const app = await getDelegatedApp(db, ring);
  if (!app) return "app-missing";
  // The sign-in was for the app as it was then: a prediction for a since-replaced app would be about the wrong one.
  if (!payload.success || payload.data.clientId.toLowerCase() !== app.clientId.toLowerCase()) return "app-changed";
  if (input.cloud.id !== app.cloud.id) return "token-unusable";
  try {
    await predictConsent(db, ring, { cloud: app.cloud, token: input.token, app: signInAppOf(app), actor: input.actor, ip: input.ip ?? null, ...(input.now ? { now: input.now } : {}) });
    return "done";
  } catch (error) {
    if (error instanceof ConsentTokenError) return error.problem;
    throw error;
  }
}

const resultSchema = z.enum(["done", "app-missing", "app-changed", "token-unusable", "no-policy-scope", "graph-unavailable", "other-tenant", "refused", "failed"]);

/**
 * The settings page's words for `?preflight=…`: anyone can craft the URL, so only known words are
 * read and Microsoft's code is shown only by its shape.
 */
export function preflightSignInNotice(result: string | undefined, code: string | undefined): { tone: "success" | "danger"; text: string } | undefined {
  const parsed = resultSchema.safeParse(result);
  if (!parsed.success) return undefined;
  switch (parsed.data) {
    case "done":
      return { tone: "success", text: "Signed in through the setup app: the pre-flight ran with your token, and its answer is below." };
    case "app-missing":
      return { tone: "danger", text: `The mailbox sign-in app was removed while you were signing in, so nothing was checked. ${SIGN_IN_APP_MISSING}` };
    case "app-changed":
      return { tone: "danger", text: "The mailbox sign-in app changed while you were signing in, so nothing was checked. Run the pre-flight again for the new app." };
    case "token-unusable":
      return { tone: "danger", text: "Microsoft signed you in, but the token cannot be used for the pre-flight (another cloud, or it expires too soon). Nothing was checked." };
    case "no-policy-scope":
      return {
        tone: "danger",
        text: "The setup app's token cannot read your organisation's consent policies: it lacks Policy.Read.All. Grant the setup app its permissions (Settings → Setup app lists them), or paste a Microsoft Graph PowerShell token below.",
      };
    case "graph-unavailable":
      return { tone: "danger", text: "Microsoft Graph did not answer the pre-flight's reads. Nothing was stored. Try again in a minute." };
    case "other-tenant":
      return { tone: "danger", text: "You signed in to another organisation than the one the mailbox sign-in app serves. Sign in as an administrator of its home organisation." };
    case "refused":
      return {
        tone: "danger",
        text: `Microsoft did not sign you in through the setup app (${shownRefusalCode(code)}). Nothing was checked. Check the setup app under Settings → Setup app, or paste a token instead.`,
      };
    case "failed":
      return { tone: "danger", text: "The sign-in could not be completed. Nothing was checked. Try again." };
  }
}
