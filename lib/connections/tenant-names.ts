import "server-only";
import type { DbClient } from "@/lib/db/types";
import { likeLiteral } from "@/lib/db/like";

/**
 * Tenants' display names, learned from Microsoft where a token may read them and shared by every
 * connection of that tenant. A name is a label, never an identity: ids still decide everything.
 */

const MAX_NAME_LENGTH = 256;

/** Records (or refreshes) what Microsoft calls the tenant. Blank or control-character names are ignored. */
export async function recordTenantName(db: DbClient, tenantId: string, displayName: string | null, now = new Date()): Promise<void> {
  const name = displayName?.replace(/[\p{Cc}\p{Cf}]/gu, "").trim().slice(0, MAX_NAME_LENGTH);
  if (!name) return;
  const id = tenantId.toLowerCase();
  await db.tenantName.upsert({
    where: { tenantId: id },
    create: { tenantId: id, displayName: name, updatedAt: now },
    update: { displayName: name, updatedAt: now },
    select: { tenantId: true },
  });
}

/** Display names of the given tenants (lower-case id → name); unknown tenants are absent. */
export async function tenantNamesFor(db: DbClient, tenantIds: readonly string[]): Promise<Map<string, string>> {
  const ids = [...new Set(tenantIds.map((id) => id.toLowerCase()))];
  if (ids.length === 0) return new Map();
  const rows = await db.tenantName.findMany({ where: { tenantId: { in: ids } }, select: { tenantId: true, displayName: true } });
  return new Map(rows.map((row) => [row.tenantId, row.displayName]));
}

/** Tenants whose display name contains the search text, so the board finds "Contoso" by name. Capped: a search, not an export. */
export async function tenantIdsNamedLike(db: DbClient, text: string): Promise<string[]> {
  const rows = await db.tenantName.findMany({
    where: { displayName: { contains: likeLiteral(text), mode: "insensitive" } },
    select: { tenantId: true },
    take: 500,
  });
  return rows.map((row) => row.tenantId);
}
