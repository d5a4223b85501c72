import "server-only";
import { checkFormat, isGuid } from "@/lib/checks/format";
import { applicationObjectIdProblem } from "@/lib/wizard/step-forms";
import type { DelegatedAppInput } from "@/lib/delegated/delegated-app-schema";
import { UserFacingError } from "@/lib/errors";

// Stands in for fields the format check needs but this form does not have; it trips none of its rules.
const NEUTRAL_SECRET = "Neutral~placeholder~secret~value~0000000";

/**
 * The same format check the wizard runs, so a Secret ID pasted as the secret, an object ID as the
 * client ID or a consumer domain as the tenant is named before anything reaches Microsoft.
 */
export function cleanDelegatedAppForm(form: DelegatedAppInput): DelegatedAppInput {
  const result = checkFormat({
    cloud: form.cloud,
    tenant: form.homeTenant,
    clientId: form.clientId,
    clientSecret: form.clientSecret ?? NEUTRAL_SECRET,
    mailboxScope: { kind: "all" },
  });
  const errors: Record<string, string> = {};
  if (result.fields.tenant) errors.homeTenant = result.fields.tenant;
  if (result.fields.clientId) errors.clientId = result.fields.clientId;
  if (form.credentialKind === "secret" && form.clientSecret && result.fields.clientSecret) errors.clientSecret = result.fields.clientSecret;
  const objectIdProblem = applicationObjectIdProblem(form.applicationObjectId ?? "", { tenant: result.cleaned.tenant, clientId: result.cleaned.clientId });
  if (objectIdProblem) errors.applicationObjectId = objectIdProblem;
  if (form.certificateKeyId && !isGuid(form.certificateKeyId)) errors.certificateKeyId = "The Certificate ID is a GUID shown beside the thumbprint in Entra";
  if (Object.keys(errors).length > 0) throw new UserFacingError("Check the highlighted fields.", errors);
  return {
    ...form,
    homeTenant: result.cleaned.tenant,
    clientId: result.cleaned.clientId,
    ...(form.credentialKind === "secret" && form.clientSecret ? { clientSecret: result.cleaned.clientSecret } : {}),
  };
}
