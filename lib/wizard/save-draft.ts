import "server-only";
import type { AuditActor } from "@/lib/audit/audit";
import { createConnection, type ConnectionView } from "@/lib/connections/connections";
import type { KeyRing } from "@/lib/crypto/seal";
import type { CloudId } from "@/lib/entra/clouds";
import type { AppPrismaClient } from "@/lib/db/types";
import { UserFacingError } from "@/lib/errors";
import { draftFieldsSchema } from "@/lib/wizard/draft-fields";
import { consentGrantedAtOf, draftSealedCredential, inputsFingerprint, openDraftCertificate, openDraftSecret } from "@/lib/wizard/drafts";
import { checkReportSchema } from "@/lib/checks/schema";

function credentialForConnection(
  ring: KeyRing,
  draft: { id: string; credentialKind: string; clientSecretSealed: string | null; certificateKeySealed: string | null; certificatePem: string | null; certificateGenerated: boolean },
  secretExpiresAt: string | undefined,
  ids: { applicationObjectId?: string | undefined; certificateKeyId?: string | undefined },
) {
  const certificate = openDraftCertificate(ring, draft);
  if (certificate) {
    return {
      clientSecret: "",
      secretExpiresAt: null,
      certificate: { ...certificate, generated: draft.certificateGenerated, applicationObjectId: ids.applicationObjectId || null, keyId: ids.certificateKeyId || null },
    };
  }
  return {
    clientSecret: openDraftSecret(ring, draft.id, draft.clientSecretSealed ?? ""),
    secretExpiresAt: secretExpiresAt ? new Date(`${secretExpiresAt}T00:00:00Z`) : null,
  };
}

export const ALREADY_SAVED = "This draft has already been saved. Find the connection in the list.";

/**
 * Turns a verified draft into a connection, in one transaction that locks the draft row: a double
 * click or a second tab waits, then finds the draft gone, so no duplicate is ever created.
 */
export async function saveDraftAsConnection(
  db: AppPrismaClient,
  ring: KeyRing,
  userId: string,
  options: { confirmWarnings: boolean },
  context: { actor: AuditActor & object; ip?: string | null },
): Promise<ConnectionView> {
  return db.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT id FROM wizard_drafts WHERE user_id = ${userId}::uuid FOR UPDATE`;
      const draft = await tx.wizardDraft.findUnique({
        where: { userId },
        select: {
          id: true,
          cloud: true,
          fields: true,
          clientSecretSealed: true,
          credentialKind: true,
          certificateKeySealed: true,
          certificatePem: true,
          certificateGenerated: true,
          lastReport: true,
          verifiedHash: true,
          consentOutcome: true,
        },
      });
      if (!draft) throw new UserFacingError(ALREADY_SAVED);
      const fields = draftFieldsSchema.catch({}).parse(draft.fields);
      const report = draft.lastReport ? checkReportSchema.safeParse(draft.lastReport) : null;
      const sealedCredential = draftSealedCredential(draft);
      if (!report?.success || !sealedCredential) throw new UserFacingError("Verify the connection before saving it.");
      if (draft.verifiedHash !== inputsFingerprint(draft.cloud, fields, sealedCredential)) {
        throw new UserFacingError("The settings changed since the last verification. Verify again, then save.");
      }
      if (!report.data.ok) throw new UserFacingError("Some checks failed. Fix them and verify again before saving.");
      const warnings = report.data.checks.filter((check) => check.status === "warn").length;
      if (warnings > 0 && !options.confirmWarnings) {
        throw new UserFacingError(`There ${warnings === 1 ? "is 1 warning" : `are ${warnings} warnings`}. Type “save with warnings” to save anyway.`, {
          confirmWarnings: "Type “save with warnings” to confirm",
        });
      }
      const name = fields.name?.trim() || `${fields.tenant ?? report.data.tenantId} calendars`;
      const connection = await createConnection(
        tx,
        ring,
        {
          name,
          cloud: draft.cloud as CloudId,
          tenant: fields.tenant ?? report.data.tenantId,
          clientId: (fields.clientId ?? "").toLowerCase(),
          ...credentialForConnection(ring, draft, fields.secretExpiresAt, fields),
          mailboxScope: fields.mailboxScopeKind === "list" ? { kind: "list", mailboxes: fields.mailboxes ?? [] } : { kind: "all" },
          testMailbox: fields.testMailbox || null,
          outOfScopeMailbox: fields.outOfScopeMailbox || null,
          writeTest: fields.writeTest ?? false,
          scopeMode: fields.scopeMode ?? "all",
          scopeChangedAt: fields.scopeChangedAt ? new Date(fields.scopeChangedAt) : null,
          consentGrantedAt: consentGrantedAtOf(draft.consentOutcome) ?? null,
          report: report.data,
        },
        context,
      );
      await tx.wizardDraft.delete({ where: { id: draft.id }, select: { id: true } });
      return connection;
    },
    { timeout: 15_000 },
  );
}
