import "server-only";
import { z } from "zod";
import { checkFormat, type FormatField } from "@/lib/checks/format";
import type { CheckInput } from "@/lib/checks/schema";
import { isGuid } from "@/lib/checks/format";
import { findConnectionByApp, duplicateMessage } from "@/lib/connections/connections";
import type { DbClient } from "@/lib/db/types";
import { UserFacingError } from "@/lib/errors";
import { isoDateSchema, isPastDate, splitMailboxList, type DraftFields } from "@/lib/wizard/draft-fields";
import type { DraftView } from "@/lib/wizard/drafts";
import { plainText } from "@/lib/validation/text";
import { nextScopeChangedAt, scopeChangedAtOfForm, scopeFormSchema } from "@/lib/connections/scope-mode";
import { signInAudienceSchema } from "@/lib/entra/setup-scripts";
import { confirmedByTick, wizardStepIdSchema, type WizardStepId } from "@/lib/wizard/steps";

/**
 * Reads and checks one wizard step's form. Identifier fields go through the same `format` check the
 * pipeline runs, so a pasted Secret ID, a tenant ID in the client field or a personal-account domain
 * is named as such before anything is saved.
 */

export const stepFormSchema = z.object({
  step: wizardStepIdSchema,
  done: z.literal("on").optional(),
  name: z.string().max(200).check(plainText("The connection name")).optional(),
  tenant: z.string().max(300).optional(),
  clientId: z.string().max(300).optional(),
  applicationObjectId: z.string().max(300).optional(),
  certificateKeyId: z.string().max(300).optional(),
  clientSecret: z.string().max(1000).optional(),
  /** On the credential step: continue with the draft's certificate instead of a secret. */
  credentialKind: z.enum(["secret", "certificate"]).optional(),
  secretExpiresAt: z.string().max(40).optional(),
  accountType: z.string().max(60).optional(),
  mailboxScopeKind: z.enum(["all", "list"]).optional(),
  mailboxes: z.string().max(20_000).optional(),
  testMailbox: z.string().max(320).optional(),
  outOfScopeMailbox: z.string().max(320).optional(),
  writeTest: z.literal("on").optional(),
  ...scopeFormSchema.shape,
});
export type StepForm = z.infer<typeof stepFormSchema>;

export type ParsedStep = { fields: DraftFields; clientSecret?: string; credentialKind?: "secret" | "certificate" };

// Placeholder for fields another step owns, chosen so that it triggers none of the mix-up rules.
const NEUTRAL_SECRET = "Neutral~placeholder~secret~value~0000000";

function formatErrors(input: CheckInput, only: FormatField[]): Record<string, string> {
  const result = checkFormat(input);
  const errors: Record<string, string> = {};
  for (const field of only) {
    const message = result.fields[field];
    if (message) errors[field] = message;
  }
  return errors;
}

function cleaned(input: CheckInput) {
  return checkFormat(input).cleaned;
}

/** The Object ID is optional; when given it must be a GUID and neither the client ID nor the tenant ID. */
export function applicationObjectIdProblem(objectId: string, ids: { tenant: string; clientId: string }): string | undefined {
  if (!objectId) return undefined;
  if (!isGuid(objectId)) return "The Object ID is a GUID from the app's Overview page";
  if (objectId === ids.clientId.toLowerCase()) return "That is the Application (client) ID. The Object ID is the value below it on the Overview page";
  if (objectId === ids.tenant.toLowerCase()) return "That is the Directory (tenant) ID. The Object ID is the app's own value on the Overview page";
  return undefined;
}

/**
 * Whether saving this form completes its step. A step done only in the portal needs its tick; saying
 * so beats a button that seems to do nothing.
 */
export function stepIsDone(form: StepForm): boolean {
  if (form.step === "verify") return false;
  if (!confirmedByTick(form.step)) return true;
  if (form.done !== "on") {
    throw new UserFacingError("Tick “I have done this step” once it is done in the portal, then continue.", {
      done: "Tick this box when the step is done in the portal",
    });
  }
  return true;
}

export async function parseStepForm(db: DbClient, draft: DraftView, form: StepForm, now = new Date()): Promise<ParsedStep> {
  const base: CheckInput = {
    cloud: draft.cloud,
    tenant: draft.fields.tenant ?? "contoso.onmicrosoft.com",
    clientId: draft.fields.clientId ?? "00000000-0000-4000-8000-000000000000",
    clientSecret: NEUTRAL_SECRET,
    mailboxScope: { kind: "all" },
  };
  const step: WizardStepId = form.step;
  switch (step) {
    case "register-app": {
      const accountType = signInAudienceSchema.safeParse(form.accountType);
      if (form.accountType !== undefined && !accountType.success) {
        throw new UserFacingError("Check the highlighted field.", { accountType: "Choose one of the four supported account types" });
      }
      return { fields: accountType.success ? { accountType: accountType.data } : {} };
    }
    case "client-secret": {
      if (form.credentialKind === "certificate") {
        if (!draft.certificate) throw new UserFacingError("Generate or upload a certificate first.");
        const keyId = (form.certificateKeyId ?? "").trim().toLowerCase();
        if (keyId && !isGuid(keyId)) throw new UserFacingError("Check the highlighted field.", { certificateKeyId: "The Certificate ID is a GUID shown beside the thumbprint on the Certificates tab" });
        return { fields: { certificateKeyId: keyId }, credentialKind: "certificate" };
      }
      const errors: Record<string, string> = {};
      const secret = form.clientSecret ?? "";
      if (!secret && !draft.secretHint) errors.clientSecret = "Paste the secret's Value from Certificates & secrets";
      if (secret) Object.assign(errors, formatErrors({ ...base, clientSecret: secret }, ["clientSecret"]));
      const expiry = (form.secretExpiresAt ?? "").trim();
      const date = isoDateSchema.safeParse(expiry);
      if (!expiry) errors.secretExpiresAt = "Enter the expiry date shown in the Expires column";
      else if (!date.success) errors.secretExpiresAt = date.error.issues[0]!.message;
      else if (isPastDate(expiry, now)) errors.secretExpiresAt = `This secret expired on ${expiry}. Create a new client secret and use that one.`;
      if (Object.keys(errors).length) throw new UserFacingError("Check the highlighted fields.", errors);
      return {
        fields: { secretExpiresAt: expiry },
        credentialKind: "secret",
        ...(secret ? { clientSecret: cleaned({ ...base, clientSecret: secret }).clientSecret } : {}),
      };
    }
    case "copy-ids": {
      const input: CheckInput = { ...base, tenant: form.tenant ?? "", clientId: form.clientId ?? "" };
      const errors = formatErrors(input, ["tenant", "clientId"]);
      const name = (form.name ?? "").trim();
      if (!name) errors.name = "Give the connection a name, for example “Contoso calendars”";
      if (!(form.tenant ?? "").trim()) errors.tenant = "Paste the Directory (tenant) ID from the app's Overview page";
      if (!(form.clientId ?? "").trim()) errors.clientId = "Paste the Application (client) ID from the app's Overview page";
      const objectId = (form.applicationObjectId ?? "").trim().toLowerCase();
      const objectIdProblem = applicationObjectIdProblem(objectId, cleaned(input));
      if (objectIdProblem) errors.applicationObjectId = objectIdProblem;
      if (Object.keys(errors).length) throw new UserFacingError("Check the highlighted fields.", errors);
      const values = cleaned(input);
      if (isGuid(values.tenant)) {
        const existing = await findConnectionByApp(db, values.tenant, values.clientId);
        if (existing) throw new UserFacingError(duplicateMessage(existing), { clientId: duplicateMessage(existing) });
      }
      return { fields: { name, tenant: values.tenant, clientId: values.clientId, ...(form.applicationObjectId !== undefined ? { applicationObjectId: objectId } : {}) } };
    }
    case "mailbox-scope": {
      const kind = form.mailboxScopeKind ?? "all";
      const mailboxes = kind === "list" ? splitMailboxList(form.mailboxes ?? "") : [];
      const input: CheckInput = {
        ...base,
        mailboxScope: kind === "list" ? { kind, mailboxes } : { kind },
        testMailbox: form.testMailbox?.trim() || undefined,
        outOfScopeMailbox: form.outOfScopeMailbox?.trim() || undefined,
      };
      const errors = formatErrors(input, ["mailboxes", "testMailbox", "outOfScopeMailbox"]);
      const stated = scopeChangedAtOfForm(form, now);
      Object.assign(errors, stated.error);
      if (Object.keys(errors).length) throw new UserFacingError("Check the highlighted fields.", errors);
      const values = cleaned(input);
      const scopeMode = form.scopeMode ?? draft.fields.scopeMode ?? "all";
      const previous = draft.fields.scopeChangedAt ? new Date(draft.fields.scopeChangedAt) : null;
      // The first choice of a mode describes the tenant as it is; only a later switch is a change.
      const scopeChangedAt = nextScopeChangedAt({ previousMode: draft.fields.scopeMode ?? scopeMode, mode: scopeMode, previous, stated: stated.at, now });
      return {
        fields: {
          scopeMode,
          ...(scopeChangedAt ? { scopeChangedAt: scopeChangedAt.toISOString() } : {}),
          mailboxScopeKind: kind,
          mailboxes: values.mailboxScope.kind === "list" ? values.mailboxScope.mailboxes : [],
          testMailbox: values.testMailbox ?? "",
          outOfScopeMailbox: values.outOfScopeMailbox ?? "",
        },
      };
    }
    case "verify":
      return { fields: { writeTest: form.writeTest === "on" } };
    default:
      return { fields: {} };
  }
}
