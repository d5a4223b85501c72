import "server-only";
import { z } from "zod";
import type { DbClient } from "@/lib/db/types";
import { parseScriptOutput } from "@/lib/entra/script-output";
import { UserFacingError } from "@/lib/errors";
import type { DraftFields } from "@/lib/wizard/draft-fields";
import type { DraftView } from "@/lib/wizard/drafts";
import { parseStepForm, type StepForm } from "@/lib/wizard/step-forms";
import type { WizardStepId } from "@/lib/wizard/steps";

/**
 * The script path: the setup script registers the app, consents and creates the secret, then prints
 * the values; the admin pastes that output on one page. Fields typed on the page win over the pasted
 * text, so a value can be corrected without editing the paste. With the certificate script, the
 * draft's certificate (generated on the page) is the credential, and the paste gives the Object ID
 * and Certificate ID that renewal needs.
 */

export const scriptFormSchema = z.object({
  // Named so the action never echoes it back: the pasted text holds the secret.
  secretOutput: z.string().max(20_000).optional(),
  name: z.string().max(200).optional(),
  tenant: z.string().max(300).optional(),
  clientId: z.string().max(300).optional(),
  clientSecret: z.string().max(1000).optional(),
  secretExpiresAt: z.string().max(40).optional(),
  /** Which script ran: the certificate one prints the Object ID and Certificate ID instead of a secret. */
  credentialKind: z.enum(["secret", "certificate"]).default("secret"),
  applicationObjectId: z.string().max(300).optional(),
  certificateKeyId: z.string().max(300).optional(),
});
export type ScriptForm = z.input<typeof scriptFormSchema>;

/** What the script did: everything up to the mailbox scope, whose default (all users) it leaves as is. */
export const stepsDoneByScript: readonly WizardStepId[] = ["register-app", "copy-ids", "client-secret", "api-permissions", "admin-consent", "mailbox-scope"];

/** The draft fields and secret from the page, checked by the same rules as the manual steps. */
export async function parseScriptForm(
  db: DbClient,
  draft: DraftView,
  form: ScriptForm,
  now = new Date(),
): Promise<{ fields: DraftFields; clientSecret?: string; credentialKind: "secret" | "certificate" }> {
  const pasted = parseScriptOutput(form.secretOutput ?? "");
  const pick = (typed: string | undefined, found: string | undefined) => (typed?.trim() ? typed : (found ?? ""));
  const certificate = form.credentialKind === "certificate";
  const ids: StepForm = {
    step: "copy-ids",
    name: form.name,
    tenant: pick(form.tenant, pasted.tenant),
    clientId: pick(form.clientId, pasted.clientId),
    ...(certificate ? { applicationObjectId: pick(form.applicationObjectId, pasted.applicationObjectId) } : {}),
  };
  const secret: StepForm = certificate
    ? { step: "client-secret", credentialKind: "certificate", certificateKeyId: pick(form.certificateKeyId, pasted.certificateKeyId) }
    : { step: "client-secret", clientSecret: pick(form.clientSecret, pasted.clientSecret), secretExpiresAt: pick(form.secretExpiresAt, pasted.secretExpiresAt) };
  const errors: Record<string, string> = {};
  const results = await Promise.allSettled([parseStepForm(db, draft, ids, now), parseStepForm(db, draft, secret, now)]);
  for (const result of results) {
    if (result.status === "fulfilled") continue;
    if (!(result.reason instanceof UserFacingError)) throw result.reason;
    Object.assign(errors, result.reason.fieldErrors);
    if (!Object.keys(result.reason.fieldErrors).length) errors.secretOutput = result.reason.message;
  }
  if (Object.keys(errors).length) {
    const nothingFound = !Object.keys(pasted).length && Boolean(form.secretOutput?.trim());
    throw new UserFacingError(
      nothingFound ? "The pasted text has none of the lines the script prints (Directory (tenant) ID, Application (client) ID, …). Paste the script's last lines, or fill in the fields." : "Check the highlighted fields.",
      nothingFound ? { ...errors, secretOutput: "None of the script's labelled lines were found here" } : errors,
    );
  }
  const [idValues, secretValues] = results.map((result) => (result as PromiseFulfilledResult<Awaited<ReturnType<typeof parseStepForm>>>).value);
  return {
    fields: { ...idValues!.fields, ...secretValues!.fields, mailboxScopeKind: draft.fields.mailboxScopeKind ?? "all" },
    credentialKind: certificate ? "certificate" : "secret",
    ...(secretValues!.clientSecret ? { clientSecret: secretValues!.clientSecret } : {}),
  };
}
