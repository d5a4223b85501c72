import "server-only";
import { z } from "zod";
import type { ApiCaller } from "@/lib/api/authorize";
import { serializeJson, type SerializedJson } from "@/lib/api/respond";
import type { ApiConnection, ConnectionPage, ConnectionWithCredentials, EngineReport, EngineReportInput } from "@/lib/api/schemas";
import { recordAudit } from "@/lib/audit/audit";
import { mailboxScopeSchema } from "@/lib/checks/schema";
import { connectionCheckInput } from "@/lib/connections/connections";
import { readThrough } from "@/lib/connections/read-cache";
import { cloudIdSchema } from "@/lib/entra/clouds";
import type { KeyRing } from "@/lib/crypto/seal";
import type { DbClient } from "@/lib/db/types";
import { Prisma } from "@/lib/db/generated/client";

/**
 * Data access behind the sync-engine API. Only non-secret columns are selected (not even the secret
 * hint: nothing derived from the secret leaves through the API except the audited credentials read,
 * which goes through connectionCheckInput, the one function that opens the sealed secret).
 */

const apiConnectionSelect = {
  id: true,
  name: true,
  kind: true,
  cloud: true,
  tenant: true,
  tenantId: true,
  clientId: true,
  mailboxScope: true,
  state: true,
  stateSince: true,
  lastCheckedAt: true,
  secretExpiresAt: true,
  credentialKind: true,
  certificateExpiresAt: true,
  certificateThumbprint: true,
  updatedAt: true,
  version: true,
} as const;

type ApiConnectionRow = Prisma.ConnectionGetPayload<{ select: typeof apiConnectionSelect }>;

const iso = (date: Date) => date.toISOString();

function credentialType(row: Pick<ApiConnectionRow, "kind" | "credentialKind">): ApiConnection["credentialType"] {
  if (row.kind === "mailbox") return "delegated";
  return row.credentialKind === "certificate" ? "certificate" : "secret";
}

function toApiConnection({ credentialKind, certificateThumbprint: _thumbprint, ...row }: ApiConnectionRow): ApiConnection {
  return {
    ...row,
    credentialType: credentialType({ kind: row.kind, credentialKind }),
    certificateExpiresAt: row.certificateExpiresAt ? iso(row.certificateExpiresAt) : null,
    cloud: cloudIdSchema.catch("global").parse(row.cloud),
    mailboxScope: mailboxScopeSchema.catch({ kind: "all" }).parse(row.mailboxScope),
    stateSince: iso(row.stateSince),
    lastCheckedAt: row.lastCheckedAt ? iso(row.lastCheckedAt) : null,
    secretExpiresAt: row.secretExpiresAt ? iso(row.secretExpiresAt).slice(0, 10) : null,
    updatedAt: iso(row.updatedAt),
  };
}

// Keyset pagination on (name, id): stable while rows are added or removed, and each page is one
// index range scan however deep the engine pages. The cursor is the last row's key, made opaque.
const cursorSchema = z.tuple([z.string(), z.uuid()]);

function encodeCursor(row: { name: string; id: string }): string {
  return Buffer.from(JSON.stringify([row.name, row.id]), "utf8").toString("base64url");
}

function decodeCursor(cursor: string): { name: string; id: string } | null {
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    return parsed.success ? { name: parsed.data[0], id: parsed.data[1] } : null;
  } catch {
    return null;
  }
}

export async function listApiConnections(db: DbClient, options: { limit: number; cursor?: string }): Promise<{ ok: true; page: ConnectionPage } | { ok: false }> {
  const after = options.cursor === undefined ? null : decodeCursor(options.cursor);
  if (options.cursor !== undefined && !after) return { ok: false };
  const rows = await db.connection.findMany({
    select: apiConnectionSelect,
    where: after ? { OR: [{ name: { gt: after.name } }, { name: after.name, id: { gt: after.id } }] } : {},
    orderBy: [{ name: "asc" }, { id: "asc" }],
    take: options.limit + 1,
  });
  const more = rows.length > options.limit;
  const pageRows = more ? rows.slice(0, options.limit) : rows;
  return { ok: true, page: { data: pageRows.map(toApiConnection), nextCursor: more ? encodeCursor(pageRows.at(-1)!) : null } };
}

export async function getApiConnection(db: DbClient, id: string): Promise<ApiConnection | null> {
  const row = await db.connection.findUnique({ where: { id }, select: apiConnectionSelect });
  return row ? toApiConnection(row) : null;
}

/**
 * The engines' polling read, through the one-second read cache (see lib/connections/read-cache.ts).
 * The cache keeps the answer's body already serialised with its ETag, and the database is opened only
 * on a miss, so a hit does no work but the lookup.
 */
export function getPolledApiConnection(db: () => Promise<DbClient>, id: string): Promise<SerializedJson | null> {
  return readThrough(id, async () => {
    const connection = await getApiConnection(await db(), id);
    return connection ? serializeJson(connection) : null;
  });
}

/**
 * The one API answer that carries a secret. The audit entry is written before the secret is
 * returned, so a read that cannot be recorded does not happen; the entry names the key, never the secret.
 */
export async function readConnectionWithCredentials(
  db: DbClient,
  ring: KeyRing,
  id: string,
  caller: ApiCaller,
  context: { ip: string | null },
): Promise<ConnectionWithCredentials | null> {
  const connection = await getApiConnection(db, id);
  if (!connection) return null;
  // A certificate's key stays sealed: only its public facts are read, and the key is never opened here.
  const certificate =
    connection.credentialType === "certificate"
      ? await db.connection.findUnique({ where: { id }, select: { certificateThumbprint: true } })
      : null;
  const input = certificate ? null : await connectionCheckInput(db, ring, id);
  if (!certificate && !input) return null;
  await recordAudit(db, {
    actor: null,
    action: "api.credentials-read",
    target: { type: "connection", id, label: connection.name },
    summary: certificate
      ? `API key “${caller.name}” (${caller.prefix}) read the certificate details (thumbprint and expiry, no key) of “${connection.name}”`
      : `API key “${caller.name}” (${caller.prefix}) read the client secret of “${connection.name}”`,
    ip: context.ip,
  });
  return {
    ...connection,
    credentials: {
      type: connection.credentialType,
      clientSecret: input && input.clientSecret !== "" ? input.clientSecret : null,
      certificate:
        certificate?.certificateThumbprint && connection.certificateExpiresAt
          ? { thumbprintSha256: certificate.certificateThumbprint, expiresAt: connection.certificateExpiresAt }
          : null,
    },
  };
}

export async function connectionExists(db: DbClient, id: string): Promise<boolean> {
  return (await db.connection.count({ where: { id } })) > 0;
}

const reportSelect = {
  id: true,
  connectionId: true,
  apiKeyId: true,
  receivedAt: true,
  outcome: true,
  startedAt: true,
  finishedAt: true,
  itemsSynced: true,
  itemsFailed: true,
  errorCode: true,
  message: true,
} as const;

const outcomeSchema = z.enum(["success", "partial", "failure"]);

/** Null when the connection does not exist (or is deleted while the report is being stored). */
export async function createEngineReport(db: DbClient, connectionId: string, apiKeyId: string, input: EngineReportInput): Promise<EngineReport | null> {
  if (!(await connectionExists(db, connectionId))) return null;
  let row: Prisma.EngineReportGetPayload<{ select: typeof reportSelect }>;
  try {
    row = await db.engineReport.create({
      data: {
        connectionId,
        apiKeyId,
        outcome: input.outcome,
        startedAt: input.startedAt ? new Date(input.startedAt) : null,
        finishedAt: input.finishedAt ? new Date(input.finishedAt) : null,
        itemsSynced: input.itemsSynced ?? null,
        itemsFailed: input.itemsFailed ?? null,
        errorCode: input.errorCode ?? null,
        message: input.message ?? null,
      },
      select: reportSelect,
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2003") return null;
    throw error;
  }
  return {
    ...row,
    id: row.id.toString(),
    outcome: outcomeSchema.parse(row.outcome),
    receivedAt: iso(row.receivedAt),
    startedAt: row.startedAt ? iso(row.startedAt) : null,
    finishedAt: row.finishedAt ? iso(row.finishedAt) : null,
  };
}
