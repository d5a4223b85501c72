import "server-only";
import { recordAudit } from "@/lib/audit/audit";
import { isGuid } from "@/lib/checks/format";
import type { KeyRing } from "@/lib/crypto/seal";
import type { AppPrismaClient, DbClient } from "@/lib/db/types";
import { parseAdminConsentCallback } from "@/lib/entra/admin-consent";
import { log } from "@/lib/log";
import { HAND_OFF_TTL_MS, openHandOffState } from "@/lib/wizard/consent-hand-off";
import { recordDraftHandOffConsent } from "@/lib/wizard/drafts";

/**
 * Claims the link's nonce: true the first time only. Nonces of links that have expired since are
 * dropped on the way, since their states no longer open anyway.
 */
async function claimHandOffNonce(tx: DbClient, nonce: string, now: Date): Promise<boolean> {
  await tx.consentHandOffUse.deleteMany({ where: { usedAt: { lt: new Date(now.getTime() - HAND_OFF_TTL_MS) } } });
  const { count } = await tx.consentHandOffUse.createMany({ data: [{ nonce, usedAt: now }], skipDuplicates: true });
  return count === 1;
}

/**
 * An administrator granted consent from a hand-off link and Microsoft sent them back: record when, for
 * the connection (or the wizard draft) the link was made for, whichever page made it. Only a grant
 * whose sealed state this console made, unexpired, for the same app and tenant, is recorded, and only
 * once per link; anything else is ignored, since anyone can open the return page with any query. The
 * query's `tenant` must be a tenant ID (Microsoft always returns one) so that no free text from the
 * URL reaches the audit log or the wizard.
 */
export async function recordHandOffConsent(db: AppPrismaClient, ring: KeyRing, params: URLSearchParams, context: { ip?: string | null }, now = new Date()): Promise<boolean> {
  const state = params.get("state") ?? "";
  const ignored = (reason: string) => {
    // Anyone can open the return page; the reason helps an operator whose grant did not show up.
    log.info("A consent hand-off return was not recorded", { reason });
    return false;
  };
  const opened = openHandOffState(ring, state, now);
  if (!opened) return ignored("state not ours or expired");
  const result = parseAdminConsentCallback(params, state);
  if (result.outcome !== "granted") return ignored("consent not granted");
  if (!isGuid(result.tenant)) return ignored("no tenant ID");
  const tenantId = result.tenant.toLowerCase();
  const { target, clientId, nonce } = opened;

  return db.$transaction(async (tx) => {
    if (target.kind === "draft") {
      const draftUserId = await recordDraftHandOffConsent(tx, { draftId: target.id, clientId, tenantId, at: now }, () => claimHandOffNonce(tx, nonce, now));
      if (!draftUserId) return ignored("another draft, app or tenant, or link already used");
      await recordAudit(tx, {
        actor: null,
        action: "wizard.admin-consent",
        target: { type: "wizard", id: draftUserId, label: "admin consent" },
        summary: `Admin consent for app ${clientId} granted in tenant ${tenantId} through a consent link sent from the wizard`,
        ip: context.ip ?? null,
      });
      return true;
    }
    const row = await tx.connection.findUnique({ where: { id: target.id }, select: { name: true, kind: true, tenantId: true, clientId: true } });
    if (!row || row.kind !== "organization" || row.clientId.toLowerCase() !== clientId || row.tenantId.toLowerCase() !== tenantId) return ignored("another connection, app or tenant");
    if (!(await claimHandOffNonce(tx, nonce, now))) return ignored("link already used");
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
