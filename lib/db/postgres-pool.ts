import "server-only";
import pg from "pg";
import { log } from "@/lib/log";
import { errorReason } from "@/lib/errors";

/**
 * PostgreSQL connections with client-side time limits. A server-side statement_timeout cannot fire
 * while the server is frozen (stopped, swapped out, behind a dead link), so each query gives up on its
 * own (`query_timeout`), as does each connection attempt; idle connections are closed after a while.
 */
export type DatabaseTimeouts = { queryMs: number; connectMs: number; idleMs: number };

export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = { queryMs: 15_000, connectMs: 5_000, idleMs: 10_000 };

type QueryCallback = (error: Error | null, result: unknown) => void;

/**
 * node-postgres leaves a timed-out query on its connection, and a transaction's ROLLBACK queued behind
 * it is dropped, so the connection would go back to the pool inside an open transaction. A client whose
 * query timed out is therefore closed: the pool then discards it, and the server rolls back whatever
 * that connection had not committed.
 */
class ClosingOnTimeoutClient extends pg.Client {
  private closing = false;

  private closeIfTimedOut(error: unknown): void {
    if (error instanceof Error && error.message === "Query read timeout" && !this.closing) {
      this.closing = true;
      this.end().catch(() => undefined);
    }
  }

  // pg's query has callback, promise and submittable forms; each is passed through unchanged.
  override query(...args: unknown[]): never {
    const callbackAt = args.findLastIndex((arg) => typeof arg === "function");
    if (callbackAt >= 0) {
      const callback = args[callbackAt] as QueryCallback;
      args[callbackAt] = (error: Error | null, result: unknown) => {
        this.closeIfTimedOut(error);
        callback(error, result);
      };
    }
    const result = (pg.Client.prototype.query as (...queryArgs: unknown[]) => unknown).apply(this, args);
    if (result instanceof Promise) {
      return result.catch((error: unknown) => {
        this.closeIfTimedOut(error);
        throw error;
      }) as never;
    }
    return result as never;
  }
}

export function createPostgresPool(connectionString: string, timeouts: DatabaseTimeouts, { max }: { max?: number } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    Client: ClosingOnTimeoutClient,
    query_timeout: timeouts.queryMs,
    connectionTimeoutMillis: timeouts.connectMs,
    idleTimeoutMillis: timeouts.idleMs,
    ...(max ? { max } : {}),
  });
  // An idle connection that breaks (server restarted, network gone) is simply replaced on next use.
  pool.on("error", (error) => log.warn("An idle database connection failed", { error: errorReason(error) }));
  return pool;
}
