"use server";

import { randomBytes } from "node:crypto";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import type { ActionState } from "@/lib/action-state";
import { requestContext } from "@/lib/auth/current-user";
import { runAction } from "@/lib/auth/run-action";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";
import { adminConsentUrl } from "@/lib/entra/admin-consent";
import { resolveCloud } from "@/lib/entra/cloud-config";
import { UserFacingError } from "@/lib/errors";
import { startWizardSchema } from "@/lib/wizard/draft-fields";
import { beginAdminConsent, discardDraft, getDraft, saveDraftStep, startDraft } from "@/lib/wizard/drafts";
import { consentRedirectUri } from "@/lib/wizard/urls";
import { saveDraftAsConnection } from "@/lib/wizard/save-draft";
import { parseScriptForm, scriptFormSchema, stepsDoneByScript } from "@/lib/wizard/script-path";
import { parseStepForm, stepFormSchema, stepIsDone } from "@/lib/wizard/step-forms";
import { nextStep } from "@/lib/wizard/steps";
import {
  CERTIFICATE_FIELD,
  generateCertificateFormSchema,
  generateDraftCertificate,
  uploadCertificateFormSchema,
  uploadDraftCertificate,
  uploadFromForm,
} from "@/lib/wizard/draft-certificate";

export async function startWizardAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("startWizardAction", startWizardSchema, formData, async (values, caller) => {
    // A single mailbox is connected by its owner signing in; the admin sets up the sign-in app once.
    if (values.path === "mailbox") redirect("/settings/mailbox-sign-in");
    if (!resolveCloud(values.cloud)) throw new UserFacingError("That cloud is not configured on this console.", { cloud: "Choose another cloud" });
    await startDraft(await getPrisma(), caller.id, values.cloud);
    redirect(values.path === "script" ? "/connections/new/script" : "/connections/new/register-app");
  });
}

export async function saveWizardStepAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("saveWizardStepAction", stepFormSchema, formData, async (values, caller) => {
    const db = await getPrisma();
    const draft = await getDraft(db, caller.id);
    if (!draft) redirect("/connections/new");
    const done = stepIsDone(values);
    const parsed = await parseStepForm(db, draft, values);
    const following = nextStep(values.step) ?? values.step;
    await saveDraftStep(db, getKeyRing(), { userId: caller.id, step: values.step, done, nextStep: following, ...parsed });
    if (done && following !== values.step) redirect(`/connections/new/${following}`);
    // The page re-renders with the saved options, so the form's reset shows them instead of the old defaults.
    revalidatePath(`/connections/new/${values.step}`);
    return {
      status: "success",
      message: parsed.fields.writeTest ? "Saved. The next verification also creates and deletes a test event." : "Saved. The next verification only reads.",
    };
  });
}

export async function generateWizardCertificateAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("generateWizardCertificateAction", generateCertificateFormSchema, formData, async (values, caller) => {
    const db = await getPrisma();
    const draft = await getDraft(db, caller.id);
    if (!draft) redirect("/connections/new");
    await generateDraftCertificate(db, getKeyRing(), caller.id, draft, values.validityMonths);
    if (values.from === "script") {
      revalidatePath("/connections/new/script");
      return { status: "success", message: "Certificate generated. The scripts below now upload its public part." };
    }
    revalidatePath("/connections/new/client-secret");
    return { status: "success", message: "Certificate generated. Download it and upload it in Entra, then continue." };
  });
}

export async function uploadWizardCertificateAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  // runAction reads only text fields; the file is taken here and checked inside, after authorisation.
  const file = formData instanceof FormData ? formData.get(CERTIFICATE_FIELD) : null;
  return runAction("uploadWizardCertificateAction", uploadCertificateFormSchema, formData, async (values, caller) => {
    const db = await getPrisma();
    const draft = await getDraft(db, caller.id);
    if (!draft) redirect("/connections/new");
    const upload = await uploadFromForm(file instanceof File ? file : null, values.certificateKeyPem, values.certificatePassword);
    await uploadDraftCertificate(db, getKeyRing(), caller.id, upload);
    revalidatePath("/connections/new/client-secret");
    return { status: "success", message: "Certificate read. Upload its public part in Entra if it is not there yet, then continue." };
  });
}

export async function saveScriptOutputAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("saveScriptOutputAction", scriptFormSchema, formData, async (values, caller) => {
    const db = await getPrisma();
    const draft = await getDraft(db, caller.id);
    if (!draft) redirect("/connections/new");
    const parsed = await parseScriptForm(db, draft, values);
    await saveDraftStep(db, getKeyRing(), { userId: caller.id, step: "mailbox-scope", done: true, nextStep: "verify", alsoCompleted: stepsDoneByScript, ...parsed });
    // The page verifies as soon as it opens with `verify`, so pasting and checking is one click.
    redirect("/connections/new/script?verify=1");
  });
}

export async function discardDraftAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("discardDraftAction", z.object({}), formData, async (_values, caller) => {
    await discardDraft(await getPrisma(), caller.id);
    redirect("/connections/new");
  });
}

export async function beginAdminConsentAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("beginAdminConsentAction", z.object({}), formData, async (_values, caller) => {
    const db = await getPrisma();
    const draft = await getDraft(db, caller.id);
    if (!draft) redirect("/connections/new");
    const cloud = resolveCloud(draft.cloud);
    if (!cloud || !draft.fields.tenant || !draft.fields.clientId) {
      throw new UserFacingError("Enter the tenant and client ID first (step “Copy the IDs”), then come back to grant consent here.");
    }
    const state = randomBytes(24).toString("base64url");
    await beginAdminConsent(db, caller.id, state);
    redirect(adminConsentUrl({ cloud, tenant: draft.fields.tenant, clientId: draft.fields.clientId, redirectUri: consentRedirectUri(), state }));
  });
}

const saveSchema = z.object({ confirmWarnings: z.string().max(100).optional() });

export async function saveConnectionAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("saveConnectionAction", saveSchema, formData, async (values, caller) => {
    const { ip } = await requestContext();
    const confirmWarnings = (values.confirmWarnings ?? "").trim().toLowerCase() === "save with warnings";
    const connection = await saveDraftAsConnection(await getPrisma(), getKeyRing(), caller.id, { confirmWarnings }, { actor: caller, ip });
    redirect(`/connections/${connection.id}?saved=1`);
  });
}
