import "server-only";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { getEnv, type Env } from "@/lib/env";
import { errorReason } from "@/lib/errors";
import { Prisma, PrismaClient } from "@/lib/db/generated/client";
import type { AppPrismaClient } from "@/lib/db/types";
import { prepareDataFolder, tightenDataFolder } from "@/lib/db/data-folder";
import { migrate } from "@/lib/db/migrate";
import { createPostgresPool, DEFAULT_DATABASE_TIMEOUTS, type DatabaseTimeouts } from "@/lib/db/postgres-pool";
import { asDatabaseUnavailable, DatabaseUnavailableError } from "@/lib/db/unavailable";
import { pgliteConnection, postgresConnection, type SqlConnection } from "@/lib/db/sql-connection";

/**
 * `dataDir` of the embedded database is its pglite/ folder inside the console's data folder. PostgreSQL
 * takes the default timeouts unless the target names its own.
 */
export type DatabaseTarget = { kind: "pglite"; dataDir?: string } | { kind: "postgres"; url: string; timeouts?: DatabaseTimeouts };

export type Database = {
  target: DatabaseTarget;
  prisma: AppPrismaClient;
  sql: SqlConnection;
  close(): Promise<void>;
};

export { DatabaseUnavailableError };

// Sealed columns are never part of a default select: code that needs one asks for it by name.
const omitSealedColumns = {
  sealKeyCanary: { sealed: true },
  connection: { clientSecretSealed: true, tokenCacheSealed: true, certificateKeySealed: true, pendingCertificateKeySealed: true },
  delegatedApp: { credentialSealed: true, pendingCertificateKeySealed: true },
  delegatedAppCertificateDraft: { keySealed: true },
  delegatedSignIn: { codeVerifierSealed: true },
  wizardDraft: { clientSecretSealed: true, certificateKeySealed: true },
  notificationChannel: { secretSealed: true },
  provisioning: { tokenSealed: true, secretSealed: true },
  mfaTotp: { secretSealed: true },
  microsoftSignIn: { codeVerifierSealed: true },
} as const;

// Every query that fails because the database is not answering throws DatabaseUnavailableError, which
// the error pages, runAction and the route handlers recognise.
const reportUnavailableDatabase = Prisma.defineExtension({
  name: "report-unavailable-database",
  query: {
    async $allOperations({ args, query }) {
      try {
        return await query(args);
      } catch (error) {
        throw asDatabaseUnavailable(error) ?? error;
      }
    },
  },
});

export function createPrismaClient(adapter: PrismaPg | PrismaPGlite) {
  return new PrismaClient({ adapter, omit: omitSealedColumns }).$extends(reportUnavailableDatabase);
}

type TimeoutSettings = Pick<Env, "CALSYNC_DB_QUERY_TIMEOUT_SECONDS" | "CALSYNC_DB_CONNECT_TIMEOUT_SECONDS" | "CALSYNC_DB_IDLE_TIMEOUT_SECONDS">;

export function databaseTargetFromEnv(env: Pick<Env, "DATABASE_URL" | "dataDir"> & TimeoutSettings): DatabaseTarget {
  if (!env.DATABASE_URL) return { kind: "pglite", dataDir: path.join(env.dataDir, "pglite") };
  const timeouts: DatabaseTimeouts = {
    queryMs: env.CALSYNC_DB_QUERY_TIMEOUT_SECONDS * 1000,
    connectMs: env.CALSYNC_DB_CONNECT_TIMEOUT_SECONDS * 1000,
    idleMs: env.CALSYNC_DB_IDLE_TIMEOUT_SECONDS * 1000,
  };
  return { kind: "postgres", url: env.DATABASE_URL, timeouts };
}

/** Names the database for messages without ever including a password. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === "pglite") return target.dataDir ? `embedded database in ${target.dataDir}` : "in-memory embedded database";
  try {
    const url = new URL(target.url);
    return `PostgreSQL at ${url.hostname}:${url.port || "5432"}${url.pathname}`;
  } catch {
    return "PostgreSQL (DATABASE_URL could not be parsed)";
  }
}

/** Opens the database and brings its schema up to date. */
export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === "pglite") {
    if (target.dataDir) await prepareDataFolder(target.dataDir);
    const pglite = target.dataDir ? new PGlite(target.dataDir) : new PGlite();
    await pglite.waitReady;
    const sql = pgliteConnection(pglite);
    try {
      await migrate(sql);
      if (target.dataDir) await tightenDataFolder(target.dataDir);
    } catch (error) {
      await pglite.close();
      throw error;
    }
    const prisma = createPrismaClient(new PrismaPGlite(pglite));
    return {
      target,
      prisma,
      sql,
      async close() {
        await prisma.$disconnect();
        await pglite.close();
      },
    };
  }
  const timeouts = target.timeouts ?? DEFAULT_DATABASE_TIMEOUTS;
  let sql: SqlConnection;
  try {
    sql = await postgresConnection(target.url, timeouts);
  } catch (error) {
    throw new DatabaseUnavailableError(`Cannot reach the ${describeTarget(target)}: ${errorReason(error)}`);
  }
  try {
    await migrate(sql);
  } catch (error) {
    await sql.close();
    throw error;
  }
  const prisma = createPrismaClient(new PrismaPg(createPostgresPool(target.url, timeouts), { disposeExternalPool: true }));
  return {
    target,
    prisma,
    sql,
    async close() {
      await prisma.$disconnect();
      await sql.close();
    },
  };
}

// Next.js may load this module in several bundles of one process; a second PGlite on the same data
// folder would corrupt it, so the handle lives on globalThis.
const globalHandle = globalThis as typeof globalThis & { __calsyncDatabase?: Promise<Database> };

export function getDatabase(): Promise<Database> {
  if (!globalHandle.__calsyncDatabase) {
    const opening = openDatabase(databaseTargetFromEnv(getEnv()));
    globalHandle.__calsyncDatabase = opening;
    // A failed open must not be cached forever: the next request tries again.
    opening.catch(() => {
      if (globalHandle.__calsyncDatabase === opening) globalHandle.__calsyncDatabase = undefined;
    });
  }
  return globalHandle.__calsyncDatabase;
}

export async function getPrisma(): Promise<AppPrismaClient> {
  return (await getDatabase()).prisma;
}

/** Lets tests and scripts install a database of their own choosing as the process-wide handle. */
export function useDatabase(database: Database | undefined): void {
  globalHandle.__calsyncDatabase = database ? Promise.resolve(database) : undefined;
}
