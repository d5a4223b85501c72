import "server-only";
import { recordAudit } from "@/lib/audit/audit";
import type { KeyRing } from "@/lib/crypto/seal";
import type { AppPrismaClient } from "@/lib/db/types";
import { parseAdminConsentCallback } from "@/lib/entra/admin-consent";
import { openHandOffState } from "@/lib/wizard/consent-hand-off";
import { recordDraftHandOffConsent } from "@/lib/wizard/drafts";

/**
 * An administrator granted consent from a hand-off link and Microsoft sent them back: record when, for
 * the connection (or the wizard draft) the link was made for, whichever page made it. Only a grant
 * whose sealed state this console made, unexpired, for the same app and tenant, is recorded; anything
 * else is ignored, since anyone can open the return page with any query.
 */
export async function recordHandOffConsent(db: AppPrismaClient, ring: KeyRing, params: URLSearchParams, context: { ip?: string | null }, now = new Date()): Promise<boolean> {
  const state = params.get("state") ?? "";
  const opened = openHandOffState(ring, state, now);
  if (!opened) return false;
  const result = parseAdminConsentCallback(params, state);
  if (result.outcome !== "granted") return false;
  const tenantId = result.tenant.toLowerCase();
  const { target, clientId } = opened;

  if (target.kind === "draft") {
    const recorded = await recordDraftHandOffConsent(db, { userId: target.userId, clientId, tenantId, at: now });
    if (recorded) {
      await recordAudit(db, {
        actor: null,
        action: "wizard.admin-consent",
        target: { type: "wizard", id: target.userId, label: "admin consent" },
        summary: `Admin consent for app ${clientId} granted in tenant ${tenantId} through a consent link sent from the wizard`,
        ip: context.ip ?? null,
      });
    }
    return recorded;
  }

  return db.$transaction(async (tx) => {
    const row = await tx.connection.findUnique({ where: { id: target.id }, select: { name: true, kind: true, tenantId: true, clientId: true } });
    if (!row || row.kind !== "organization" || row.clientId.toLowerCase() !== clientId || row.tenantId.toLowerCase() !== tenantId) return false;
    await tx.connection.update({ where: { id: target.id }, data: { consentGrantedAt: now }, select: { id: true } });
    await recordAudit(tx, {
      actor: null,
      action: "connection.admin-consent",
      target: { type: "connection", id: target.id, label: row.name },
      summary: `Admin consent for app ${row.clientId} granted in tenant ${row.tenantId} through the consent link sent from the connection's page`,
      ip: context.ip ?? null,
    });
    return true;
  });
}
