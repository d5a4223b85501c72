"use server";

import { redirect } from "next/navigation";
import type { ActionState } from "@/lib/action-state";
import { requestContext } from "@/lib/auth/current-user";
import { runAction } from "@/lib/auth/run-action";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";
import { resolveCloud } from "@/lib/entra/cloud-config";
import { cloudIdSchema } from "@/lib/entra/clouds";
import { UserFacingError } from "@/lib/errors";
import { startProvisioningSchema, startSetupSignInSchema, undoProvisioningSchema } from "@/lib/provisioning/form-schemas";
import { ProvisioningInputError, startProvisioning, undoProvisioning } from "@/lib/provisioning/provision";
import { startSetupSignIn } from "@/lib/provisioning/setup-sign-in";

export async function startProvisioningAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("startProvisioningAction", startProvisioningSchema, formData, async (values, caller) => {
    const cloud = resolveCloud(values.cloud);
    if (!cloud) throw new UserFacingError("That cloud is not configured on this console.", { cloud: "Choose another cloud" });
    let id: string;
    try {
      id = await startProvisioning(
        await getPrisma(),
        getKeyRing(),
        { cloud, token: values.token, displayName: values.name, secretMonths: values.secretMonths, credentialKind: values.credential, ...(values.reuseObjectId ? { reuseObjectId: values.reuseObjectId } : {}) },
        { id: caller.id, email: caller.email },
      );
    } catch (error) {
      if (error instanceof ProvisioningInputError) throw new UserFacingError(error.message, { token: error.message });
      throw error;
    }
    redirect(`/connections/new/automatic/${id}`);
  });
}

/** The same setup, with the administrator's token from a sign-in through the setup app instead of a paste. */
export async function startSetupSignInAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("startSetupSignInAction", startSetupSignInSchema, formData, async (values, caller) => {
    const { url } = await startSetupSignIn(await getPrisma(), getKeyRing(), {
      userId: caller.id,
      purpose: "provision",
      payload: { displayName: values.name, secretMonths: values.secretMonths, credentialKind: values.credential, ...(values.reuseObjectId ? { reuseObjectId: values.reuseObjectId } : {}) },
    });
    redirect(url);
  });
}

export async function undoProvisioningAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("undoProvisioningAction", undoProvisioningSchema, formData, async (values, caller) => {
    const db = await getPrisma();
    const row = await db.provisioning.findUnique({ where: { id: values.id }, select: { cloud: true } });
    const cloud = row ? resolveCloud(cloudIdSchema.catch("global").parse(row.cloud)) : undefined;
    if (!row || !cloud) throw new UserFacingError("This setup no longer exists.");
    const { ip } = await requestContext();
    const result = await undoProvisioning(db, cloud, values.id, { token: values.token, permanent: values.permanent }, { actor: { id: caller.id, email: caller.email }, ip });
    if (!result.ok) throw new UserFacingError(result.message, { token: result.message });
    redirect(`/connections/new/automatic/${values.id}`);
  });
}
