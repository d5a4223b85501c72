import "server-only";
import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";

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

export async function postgresConnection(connectionString: string): Promise<SqlConnection> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 10_000 });
  await client.connect();
  const queryable = (inTransaction: boolean): SqlConnection => ({
    engine: "postgres",
    async exec(sql) {
      await client.query(sql);
    },
    async query<Row extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      const result = await client.query<Row>(sql, params);
      return result.rows;
    },
    async transaction(fn) {
      if (inTransaction) throw new Error("nested transactions are not supported");
      await client.query("BEGIN");
      try {
        const value = await fn(queryable(true));
        await client.query("COMMIT");
        return value;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      }
    },
    async close() {
      await client.end();
    },
  });
  return queryable(false);
}
