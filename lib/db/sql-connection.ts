import "server-only";
import type { PGlite } from "@electric-sql/pglite";
import type pg from "pg";
import { createPostgresPool, DEFAULT_DATABASE_TIMEOUTS, type DatabaseTimeouts } from "@/lib/db/postgres-pool";
import { asDatabaseUnavailable, isDatabaseUnavailable } from "@/lib/db/unavailable";

/**
 * The few raw-SQL operations the migration runner and key rotation need, over either engine. Prisma
 * serves everything else; this exists because migrations must run before Prisma's client is usable
 * and must control their own transactions.
 */
export interface SqlConnection {
  readonly engine: "pglite" | "postgres";
  exec(sql: string): Promise<void>;
  query<Row extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlConnection) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

type PGliteQueryable = Pick<PGlite, "exec" | "query">;

function pgliteQueryable(db: PGliteQueryable, transaction: SqlConnection["transaction"], close: () => Promise<void>): SqlConnection {
  return {
    engine: "pglite",
    async exec(sql) {
      await db.exec(sql);
    },
    async query<Row extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      const result = await db.query<Row>(sql, params);
      return result.rows;
    },
    transaction,
    close,
  };
}

export function pgliteConnection(db: PGlite, { closeDatabase = false } = {}): SqlConnection {
  const transaction: SqlConnection["transaction"] = (fn) =>
    db.transaction((tx) =>
      fn(
        pgliteQueryable(
          tx,
          () => Promise.reject(new Error("nested transactions are not supported")),
          () => Promise.resolve(),
        ),
      ),
    );
  return pgliteQueryable(db, transaction, async () => {
    if (closeDatabase) await db.close();
  });
}

/**
 * One pooled connection at most (migrations hold a session-level advisory lock across their
 * statements), with the query and connect timeouts; after a connection is lost or discarded the next
 * statement opens a new one, so the same object works again once the database answers.
 */
export async function postgresConnection(connectionString: string, timeouts: DatabaseTimeouts = DEFAULT_DATABASE_TIMEOUTS): Promise<SqlConnection> {
  const pool = createPostgresPool(connectionString, timeouts, { max: 1 });
  try {
    // Connecting once now reports an unreachable database at start rather than at first use.
    (await pool.connect()).release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  const queryable = (client: pg.Pool | pg.PoolClient, inTransaction: boolean): SqlConnection => ({
    engine: "postgres",
    async exec(sql) {
      await reportingUnavailable(() => client.query(sql));
    },
    async query<Row extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      const result = await reportingUnavailable(() => client.query<Row>(sql, params));
      return result.rows;
    },
    async transaction(fn) {
      if (inTransaction) throw new Error("nested transactions are not supported");
      const connection = await reportingUnavailable(() => pool.connect());
      let broken: Error | undefined;
      try {
        await reportingUnavailable(() => connection.query("BEGIN"));
        const value = await fn(queryable(connection, true));
        await reportingUnavailable(() => connection.query("COMMIT"));
        return value;
      } catch (error) {
        await connection.query("ROLLBACK").catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        if (isDatabaseUnavailable(error)) broken ??= error as Error;
        throw error;
      } finally {
        // A connection whose state is unknown is closed rather than handed out again.
        connection.release(broken);
      }
    },
    async close() {
      await pool.end();
    },
  });
  return queryable(pool, false);
}

async function reportingUnavailable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asDatabaseUnavailable(error) ?? error;
  }
}
