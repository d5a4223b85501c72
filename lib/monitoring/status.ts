import "server-only";
import { isGuid } from "@/lib/checks/format";
import { z } from "zod";
import { checkWho, whoShortLabel } from "@/lib/checks/fix-roles";
import { checkReportSchema, scopeModeSchema, type CheckReport } from "@/lib/checks/schema";
import { scopeProof, scopeProofText } from "@/lib/monitoring/scope-proof";
import { secretExpiredByMicrosoft } from "@/lib/connections/secret-expiry";
import { connectionStates, type ConnectionState } from "@/lib/connections/state";
import { headlineCheck } from "@/lib/monitoring/check-runs";
import type { DbClient } from "@/lib/db/types";
import { Prisma } from "@/lib/db/generated/client";
import { likeLiteral } from "@/lib/db/like";
import { tenantIdsNamedLike, tenantNamesFor } from "@/lib/connections/tenant-names";
import { plainText, searchQuerySchema } from "@/lib/validation/text";

/**
 * The helpdesk status board: tiles per state and a filtered, searched, sorted and paginated table,
 * all done by the database so the page stays fast with tens of thousands of connections. It reads
 * only the connections table (each row carries its current state and last check), never the check
 * history.
 */

export const STATUS_PAGE_SIZE = 50;
export const EXPIRY_WINDOW_DAYS = 30;

const sortColumns = ["worst", "name", "state", "stateSince", "lastCheckedAt", "secretExpiresAt", "tenant"] as const;

/** The board's default order: what needs someone first, healthy last; within a state, the longest in it first. */
export const worstFirstStates: readonly ConnectionState[] = ["failing", "needs_reauth", "warning", "never_checked", "healthy"];
// Connections never checked, or without an expiry date, go last whichever way the column is sorted.
const nullableSorts = new Set<string>(["lastCheckedAt", "secretExpiresAt"]);

export const statusFilterSchema = z.object({
  state: z.enum(connectionStates).optional().catch(undefined),
  kind: z.enum(["organization", "mailbox"]).optional().catch(undefined),
  cloud: z.string().max(20).check(plainText("The cloud")).optional().catch(undefined),
  q: searchQuerySchema.optional().catch(undefined),
  expiring: z.enum(["30"]).optional().catch(undefined),
  sort: z.enum(sortColumns).default("worst").catch("worst"),
  dir: z.enum(["asc", "desc"]).default("desc").catch("desc"),
  page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1),
});
export type StatusFilter = z.infer<typeof statusFilterSchema>;

export type StatusTiles = Record<ConnectionState, number> & { expiringSoon: number; total: number };

export type StatusRow = {
  id: string;
  name: string;
  kind: "organization" | "mailbox";
  /** As typed (a domain or a GUID). */
  tenant: string;
  tenantId: string;
  /** What people call the tenant: Microsoft's display name when any connection learned it, else a domain, else the typed value. */
  tenantLabel: string;
  cloud: string;
  state: ConnectionState;
  stateSince: Date;
  lastCheckedAt: Date | null;
  secretExpiresAt: Date | null;
  /** `certificate` rows expire exactly at `certificateExpiresAt`; `secret` rows at the typed date. */
  credentialKind: "secret" | "certificate";
  certificateExpiresAt: Date | null;
  /** Microsoft refused the secret as expired: shown instead of the typed date. */
  secretExpiredByMicrosoft: boolean;
  /** Mailbox connections: who connected it (console account and Microsoft account). */
  owner: string | null;
  /** Who must act and on what, for a failing, warning or re-authentication row. */
  nextStep: string | null;
  /** Organisation connections: "All mailboxes", or scoped and whether the scope is proven. */
  scope: string | null;
};

function nextStepOf(row: { kind: string; state: string; lastReport: unknown }, owner: string | null): string | null {
  if (row.state === "needs_reauth") return `${owner ?? "The owner"} must reconnect: send a reconnect link`;
  if (row.state !== "failing" && row.state !== "warning") return null;
  const report = checkReportSchema.safeParse(row.lastReport);
  const headline = report.success ? headlineCheck(report.data) : undefined;
  if (!headline) return null;
  const role = checkWho(headline);
  const who = role === "user" && row.kind === "mailbox" ? "The owner" : role ? whoShortLabel(role) : "An administrator";
  return `${who}: ${headline.title}`;
}

function checkReportOrNull(value: unknown): CheckReport | null {
  const report = checkReportSchema.safeParse(value);
  return report.success ? report.data : null;
}

function expiryCutoff(now: Date): Date {
  return new Date(now.getTime() + EXPIRY_WINDOW_DAYS * 86_400_000);
}

/** A secret's typed date or a certificate's exact end falls within the window. */
function expiringWithin(now: Date): Prisma.ConnectionWhereInput {
  const cutoff = expiryCutoff(now);
  return { OR: [{ secretExpiresAt: { not: null, lte: cutoff } }, { certificateExpiresAt: { not: null, lte: cutoff } }] };
}

export async function getStatusTiles(db: DbClient, now = new Date()): Promise<StatusTiles> {
  const [groups, expiringSoon] = await Promise.all([
    db.connection.groupBy({ by: ["state"], _count: { _all: true } }),
    db.connection.count({ where: expiringWithin(now) }),
  ]);
  const tiles = { healthy: 0, warning: 0, failing: 0, needs_reauth: 0, never_checked: 0, expiringSoon, total: 0 };
  for (const group of groups) {
    tiles[group.state as ConnectionState] = group._count._all;
    tiles.total += group._count._all;
  }
  return tiles;
}

function searchConditions(pattern: string, namedTenantIds: string[]): Prisma.ConnectionWhereInput[] {
  return [
    { name: { contains: pattern, mode: "insensitive" } },
    ...(namedTenantIds.length ? [{ tenantId: { in: namedTenantIds } }] : []),
    { tenant: { contains: pattern, mode: "insensitive" } },
    { tenantId: { contains: pattern.toLowerCase() } },
    { clientId: { contains: pattern.toLowerCase() } },
    { accountUpn: { contains: pattern, mode: "insensitive" } },
  ];
}

function whereFor(filter: StatusFilter, now: Date, namedTenantIds: string[]): Prisma.ConnectionWhereInput {
  const and: Prisma.ConnectionWhereInput[] = [];
  if (filter.expiring) and.push(expiringWithin(now));
  if (filter.q) and.push({ OR: searchConditions(likeLiteral(filter.q), namedTenantIds) });
  return {
    ...(filter.state ? { state: filter.state } : {}),
    ...(filter.kind ? { kind: filter.kind } : {}),
    ...(filter.cloud ? { cloud: filter.cloud } : {}),
    ...(and.length ? { AND: and } : {}),
  };
}

const statusRowSelect = {
  id: true,
  name: true,
  kind: true,
  tenant: true,
  tenantId: true,
  testMailbox: true,
  cloud: true,
  state: true,
  stateSince: true,
  lastCheckedAt: true,
  secretExpiresAt: true,
  credentialKind: true,
  certificateExpiresAt: true,
  accountUpn: true,
  lastReport: true,
  scopeMode: true,
  owner: { select: { displayName: true, email: true } },
} satisfies Prisma.ConnectionSelect;

type StatusRecord = Prisma.ConnectionGetPayload<{ select: typeof statusRowSelect }>;

/**
 * The database cannot order by a rank of its own, so the page is cut from one slice per state in
 * rank order, each counted first: a page costs one query per state it spans, however deep it is.
 */
async function worstFirstPage(db: DbClient, where: Prisma.ConnectionWhereInput, filter: StatusFilter): Promise<{ total: number; rows: StatusRecord[] }> {
  const groups = await db.connection.groupBy({ by: ["state"], where, _count: { _all: true } });
  const counts = new Map(groups.map((group) => [group.state as ConnectionState, group._count._all]));
  const order = filter.dir === "desc" ? worstFirstStates : [...worstFirstStates].reverse();
  let skip = (filter.page - 1) * STATUS_PAGE_SIZE;
  let room = STATUS_PAGE_SIZE;
  const rows: StatusRecord[] = [];
  for (const state of order) {
    const count = counts.get(state) ?? 0;
    if (room === 0) break;
    if (skip >= count) {
      skip -= count;
      continue;
    }
    const take = Math.min(room, count - skip);
    rows.push(
      ...(await db.connection.findMany({
        where: { AND: [where, { state }] },
        orderBy: [{ stateSince: filter.dir === "desc" ? "asc" : "desc" }, { id: "asc" }],
        skip,
        take,
        select: statusRowSelect,
      })),
    );
    skip = 0;
    room -= take;
  }
  return { total: [...counts.values()].reduce((sum, count) => sum + count, 0), rows };
}

async function columnPage(db: DbClient, where: Prisma.ConnectionWhereInput, filter: StatusFilter): Promise<{ total: number; rows: StatusRecord[] }> {
  const [total, rows] = await Promise.all([
    db.connection.count({ where }),
    db.connection.findMany({
      where,
      // The id breaks ties so that paging is stable when many rows share a value.
      orderBy: [
        { [filter.sort]: nullableSorts.has(filter.sort) ? { sort: filter.dir, nulls: "last" } : filter.dir },
        { id: "asc" },
      ],
      skip: (filter.page - 1) * STATUS_PAGE_SIZE,
      take: STATUS_PAGE_SIZE,
      select: statusRowSelect,
    }),
  ]);
  return { total, rows };
}

export async function listStatusRows(
  db: DbClient,
  filter: StatusFilter,
  now = new Date(),
): Promise<{ rows: StatusRow[]; total: number; page: number; pageCount: number }> {
  const where = whereFor(filter, now, filter.q ? await tenantIdsNamedLike(db, filter.q) : []);
  const { total, rows } = filter.sort === "worst" ? await worstFirstPage(db, where, filter) : await columnPage(db, where, filter);
  const names = await tenantNamesFor(db, rows.map((row) => row.tenantId));
  return {
    rows: rows.map(({ accountUpn, lastReport, scopeMode, owner: account, testMailbox, ...row }) => {
      const owner = row.kind === "mailbox" ? (account ? `${account.displayName} (${account.email})` : accountUpn) : null;
      return {
        ...row,
        tenantLabel: tenantLabel({ tenant: row.tenant, name: names.get(row.tenantId.toLowerCase()), mailbox: accountUpn ?? testMailbox }),
        state: row.state as ConnectionState,
        credentialKind: row.credentialKind === "certificate" ? "certificate" : "secret",
        owner,
        nextStep: nextStepOf({ ...row, lastReport }, owner),
        scope: row.kind === "organization" ? scopeProofText(scopeProof(scopeModeSchema.catch("all").parse(scopeMode), checkReportOrNull(lastReport))) : null,
        secretExpiredByMicrosoft: secretExpiredByMicrosoft(lastReport),
      };
    }),
    total,
    page: filter.page,
    pageCount: Math.max(1, Math.ceil(total / STATUS_PAGE_SIZE)),
  };
}

/**
 * A GUID means nothing to a person: prefer Microsoft's name for the tenant, then the typed domain,
 * then the domain of a mailbox known to be in it.
 */
export function tenantLabel(input: { tenant: string; name?: string | null; mailbox?: string | null }): string {
  if (input.name) return input.name;
  if (!isGuid(input.tenant)) return input.tenant;
  const domain = input.mailbox?.split("@")[1];
  return domain || input.tenant;
}

/** The URL of the board with some filters changed; everything else stays, so links can be shared. */
export function statusHref(filter: StatusFilter, change: Partial<Record<keyof StatusFilter, string | number | undefined>>): string {
  const merged: Record<string, string | number | undefined> = { ...filter, ...change };
  const params = new URLSearchParams();
  for (const key of ["state", "kind", "cloud", "q", "expiring", "sort", "dir", "page"] as const) {
    const value = merged[key];
    if (value === undefined || value === "") continue;
    if ((key === "sort" && value === "worst") || (key === "dir" && value === "desc") || (key === "page" && value === 1)) continue;
    params.set(key, String(value));
  }
  const query = params.toString();
  return query ? `/status?${query}` : "/status";
}
