import "server-only";
import { z } from "zod";
import { getConnection } from "@/lib/connections/connections";
import type { CloudId } from "@/lib/entra/clouds";
import type { DbClient } from "@/lib/db/types";
import { UserFacingError } from "@/lib/errors";
import { exchangeScopeScript, exchangeScriptInputSchema, scopeKindSchema, servicePrincipalObjectIdProblem } from "@/lib/scoping/exchange-script";
import type { DraftView } from "@/lib/wizard/drafts";

/**
 * The scope assistant's data: what the console already knows about an app (its client ID, the
 * enterprise application's Object ID when the one-click registration created it, the test mailboxes)
 * and the turn from the assistant's form into a script.
 */

export type ScopeAssistantContext = {
  cloud: CloudId;
  clientId: string;
  tenantId: string;
  displayName: string;
  applicationObjectId: string | null;
  /** Known when the one-click registration created the app's service principal. */
  servicePrincipalObjectId: string | null;
  testMailbox: string | null;
  outOfScopeMailbox: string | null;
};

/** The service principal the one-click registration created for this app, newest first. */
async function provisionedServicePrincipal(db: DbClient, where: { connectionId?: string; tenantId: string; clientId: string }): Promise<{ servicePrincipalId: string; applicationObjectId: string | null } | null> {
  const row = await db.provisioning.findFirst({
    where: {
      servicePrincipalId: { not: null },
      OR: [...(where.connectionId ? [{ connectionId: where.connectionId }] : []), { tenantId: where.tenantId, appId: where.clientId }],
    },
    select: { servicePrincipalId: true, applicationObjectId: true },
    orderBy: { createdAt: "desc" },
  });
  return row?.servicePrincipalId ? { servicePrincipalId: row.servicePrincipalId, applicationObjectId: row.applicationObjectId } : null;
}

export async function connectionScopeContext(db: DbClient, connectionId: string): Promise<ScopeAssistantContext | null> {
  const connection = await getConnection(db, connectionId);
  if (!connection || connection.kind !== "organization") return null;
  const provisioned = await provisionedServicePrincipal(db, { connectionId, tenantId: connection.tenantId, clientId: connection.clientId });
  return {
    cloud: connection.cloud,
    clientId: connection.clientId,
    tenantId: connection.tenantId,
    displayName: connection.name,
    applicationObjectId: connection.applicationObjectId ?? provisioned?.applicationObjectId ?? null,
    servicePrincipalObjectId: provisioned?.servicePrincipalId ?? null,
    testMailbox: connection.testMailbox,
    outOfScopeMailbox: connection.outOfScopeMailbox,
  };
}

export async function draftScopeContext(db: DbClient, draft: DraftView): Promise<ScopeAssistantContext | null> {
  const { clientId, tenant } = draft.fields;
  if (!clientId || !tenant) return null;
  const provisioned = await provisionedServicePrincipal(db, { tenantId: tenant, clientId });
  return {
    cloud: draft.cloud,
    clientId,
    tenantId: tenant,
    displayName: draft.fields.name || "Calsync",
    applicationObjectId: draft.fields.applicationObjectId || provisioned?.applicationObjectId || null,
    servicePrincipalObjectId: provisioned?.servicePrincipalId ?? null,
    testMailbox: draft.fields.testMailbox || null,
    outOfScopeMailbox: draft.fields.outOfScopeMailbox || null,
  };
}

/** The assistant's form; each field is checked again, with its own message, when the script is built. */
export const scopeAssistantFormSchema = z.object({
  connectionId: z.union([z.uuid(), z.literal("")]).optional(),
  scopeKind: scopeKindSchema,
  scopeIdentity: z.string().max(300, "At most 256 characters"),
  servicePrincipalObjectId: z.string().max(100, "The enterprise application's Object ID is a GUID"),
  inScopeMailbox: z.string().max(320, "At most 320 characters"),
  outOfScopeMailbox: z.string().max(320, "At most 320 characters"),
  convertLegacyPolicy: z.literal("on").optional(),
});
export type ScopeAssistantForm = z.infer<typeof scopeAssistantFormSchema>;

/** The script for the form, or a UserFacingError naming each field that needs another look. */
export function scopeScriptFor(context: ScopeAssistantContext, form: ScopeAssistantForm): string {
  const objectIdProblem = servicePrincipalObjectIdProblem(form.servicePrincipalObjectId, context);
  const parsed = exchangeScriptInputSchema.safeParse({
    cloud: context.cloud,
    clientId: context.clientId,
    servicePrincipalObjectId: form.servicePrincipalObjectId,
    displayName: context.displayName,
    scopeKind: form.scopeKind,
    scopeIdentity: form.scopeIdentity,
    inScopeMailbox: form.inScopeMailbox,
    outOfScopeMailbox: form.outOfScopeMailbox,
    convertLegacyPolicy: form.convertLegacyPolicy === "on",
  });
  const fieldErrors: Record<string, string> = {};
  if (objectIdProblem) fieldErrors.servicePrincipalObjectId = objectIdProblem;
  for (const issue of parsed.error?.issues ?? []) {
    const field = String(issue.path[0] ?? "form");
    fieldErrors[field] ??= issue.message;
  }
  if (fieldErrors.clientId) throw new UserFacingError("The connection's Application (client) ID is not a GUID. Correct it on Copy the IDs first.");
  if (fieldErrors.displayName) throw new UserFacingError(`The connection's name cannot go into the script: ${fieldErrors.displayName}`);
  if (Object.keys(fieldErrors).length > 0 || !parsed.success) throw new UserFacingError("Check the highlighted fields.", fieldErrors);
  return exchangeScopeScript(parsed.data);
}
