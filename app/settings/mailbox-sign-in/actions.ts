"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import type { ActionState } from "@/lib/action-state";
import { requestContext } from "@/lib/auth/current-user";
import { runAction } from "@/lib/auth/run-action";
import { ConsentTokenError, grantTenantWide, predictConsent } from "@/lib/consent/preflight";
import { consentGrantSchema, consentPreflightSchema } from "@/lib/consent/form-schemas";
import { SIGN_IN_APP_MISSING, signInAppOf, startConsentPreflightSignIn } from "@/lib/consent/preflight-sign-in";
import { outcomeHeadlines } from "@/lib/consent/rules";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";
import { getDelegatedApp } from "@/lib/delegated/delegated-app";
import { UserFacingError } from "@/lib/errors";

async function signInAppOrFail() {
  const app = await getDelegatedApp(await getPrisma(), getKeyRing());
  if (!app) throw new UserFacingError(SIGN_IN_APP_MISSING);
  return app;
}

export async function runConsentPreflightAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("runConsentPreflightAction", consentPreflightSchema, formData, async (values, caller) => {
    const app = await signInAppOrFail();
    const { ip } = await requestContext();
    try {
      const prediction = await predictConsent(await getPrisma(), getKeyRing(), {
        cloud: app.cloud,
        token: values.token,
        app: signInAppOf(app),
        actor: { id: caller.id, email: caller.email },
        ip,
      });
      revalidatePath("/settings/mailbox-sign-in");
      return { status: "success", message: `${outcomeHeadlines[prediction.outcome]}${prediction.reason ? `, because ${prediction.reason}` : ""}.` };
    } catch (error) {
      if (error instanceof ConsentTokenError) throw new UserFacingError(error.message, { token: error.message });
      throw error;
    }
  });
}

export async function grantTenantWideAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("grantTenantWideAction", consentGrantSchema, formData, async (values, caller) => {
    const app = await signInAppOrFail();
    const { ip } = await requestContext();
    const result = await grantTenantWide(await getPrisma(), getKeyRing(), {
      cloud: app.cloud,
      tenantId: values.tenantId.toLowerCase(),
      app: signInAppOf(app),
      actor: { id: caller.id, email: caller.email },
      ip,
    });
    revalidatePath("/settings/mailbox-sign-in");
    if (!result.ok) throw new UserFacingError(result.message);
    return { status: "success", message: `Granted for everyone in your organisation. ${outcomeHeadlines[result.prediction.outcome]}.` };
  });
}

/** The pre-flight with a sign-in through the setup app: off to Microsoft; the callback route runs it. */
export async function startConsentPreflightSignInAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("startConsentPreflightSignInAction", z.object({}), formData, async (_values, caller) => {
    const { url } = await startConsentPreflightSignIn(await getPrisma(), getKeyRing(), { userId: caller.id });
    redirect(url);
  });
}
