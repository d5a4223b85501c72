import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { DatabaseUnavailableError, databaseTargetFromEnv, getDatabase, useDatabase, type Database } from "@/lib/db/client";
import { parseEnv, resetEnvCache } from "@/lib/env";
import { freshPostgresDatabase } from "@/test-support/databases";
import { failureWithin } from "@/test-support/deadline";
import { startPostgresCluster, type PostgresCluster } from "@/test-support/postgres-cluster";

/**
 * A frozen PostgreSQL: every process of the cluster stopped with SIGSTOP, so connections stay open and
 * nothing answers. A server-side statement_timeout cannot fire then; the console's own client-side
 * timeouts must. The cluster is one of the harness's, started for this file alone: freezing the shared
 * one would stall every other suite running beside it.
 */

const QUERY_TIMEOUT_S = 2;
const CONNECT_TIMEOUT_S = 1;
// Scheduling on a loaded machine, never a second query timeout.
const MARGIN_MS = 3_000;
const QUERY_DEADLINE_MS = QUERY_TIMEOUT_S * 1000 + MARGIN_MS;

const frozenEngines = inject("postgresUrl") ? ["postgres"] : [];

describe("PostgreSQL timeouts", () => {
  const url = "postgresql://calsync@db.example.com:5432/calsync";

  it("default to 15 s per query, 5 s per connection attempt and 10 s for an idle connection", () => {
    expect(databaseTargetFromEnv(parseEnv({ DATABASE_URL: url }))).toEqual({ kind: "postgres", url, timeouts: { queryMs: 15_000, connectMs: 5_000, idleMs: 10_000 } });
  });

  it("are configured in seconds, and a bad value names its variable", () => {
    const env = parseEnv({ DATABASE_URL: url, CALSYNC_DB_QUERY_TIMEOUT_SECONDS: "30", CALSYNC_DB_CONNECT_TIMEOUT_SECONDS: "2", CALSYNC_DB_IDLE_TIMEOUT_SECONDS: "60" });
    expect(databaseTargetFromEnv(env)).toMatchObject({ timeouts: { queryMs: 30_000, connectMs: 2_000, idleMs: 60_000 } });
    expect(() => parseEnv({ DATABASE_URL: url, CALSYNC_DB_QUERY_TIMEOUT_SECONDS: "0" })).toThrow(/CALSYNC_DB_QUERY_TIMEOUT_SECONDS must be at least 1/);
  });
});

describe.each(frozenEngines)("a frozen %s database", () => {
  let cluster: PostgresCluster;
  let url: string;
  let database: Database;

  beforeAll(async () => {
    cluster = await startPostgresCluster();
  });

  afterAll(() => {
    cluster?.stop();
  });

  beforeEach(async () => {
    url = await freshPostgresDatabase(cluster.url);
    process.env.DATABASE_URL = url;
    process.env.CALSYNC_DB_QUERY_TIMEOUT_SECONDS = String(QUERY_TIMEOUT_S);
    process.env.CALSYNC_DB_CONNECT_TIMEOUT_SECONDS = String(CONNECT_TIMEOUT_S);
    process.env.CALSYNC_DB_IDLE_TIMEOUT_SECONDS = "60";
    resetEnvCache();
    useDatabase(undefined);
    // Opened the way the console opens it at start.
    database = await getDatabase();
  });

  afterEach(async () => {
    cluster.resume();
    await database?.close();
    useDatabase(undefined);
    for (const name of ["DATABASE_URL", "CALSYNC_DB_QUERY_TIMEOUT_SECONDS", "CALSYNC_DB_CONNECT_TIMEOUT_SECONDS", "CALSYNC_DB_IDLE_TIMEOUT_SECONDS"]) delete process.env[name];
    resetEnvCache();
  });

  function expectUnavailable(failure: { error: unknown; elapsedMs: number }): void {
    expect(failure.error).toBeInstanceOf(DatabaseUnavailableError);
    // What the error pages recognise once Next.js has hidden the message.
    expect((failure.error as { digest?: string }).digest).toBe("calsync-database-unavailable");
    expect((failure.error as Error).message).not.toContain(url);
  }

  it("fails queries within the query timeout, and the same database answers again after SIGCONT", { timeout: 60_000 }, async () => {
    // A pooled connection is open and idle, as in a console that has been serving pages.
    expect(await database.prisma.user.count()).toBe(0);
    cluster.pause();
    try {
      const onOpenConnection = await failureWithin(QUERY_DEADLINE_MS, database.prisma.user.count());
      expectUnavailable(onOpenConnection);
      expect(onOpenConnection.elapsedMs).toBeGreaterThanOrEqual(QUERY_TIMEOUT_S * 1000 - 100);
      // That connection was given up; a new one cannot even get through its start-up.
      const onNewConnection = await failureWithin(QUERY_DEADLINE_MS, database.prisma.user.findMany({ select: { id: true } }));
      expectUnavailable(onNewConnection);
      expectUnavailable(await failureWithin(QUERY_DEADLINE_MS, database.prisma.$queryRaw`SELECT 1`));
      expectUnavailable(await failureWithin(QUERY_DEADLINE_MS, database.sql.query("SELECT 1")));
    } finally {
      cluster.resume();
    }
    expect(await getDatabase()).toBe(database);
    expect(await database.prisma.user.count()).toBe(0);
    expect(await database.prisma.$queryRaw`SELECT 1 AS one`).toEqual([{ one: 1 }]);
    expect(await database.sql.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    await database.prisma.$transaction(async (tx) => {
      await tx.user.create({ data: { email: "after@example.com", displayName: "After", role: "member" }, select: { id: true } });
    });
    expect(await database.prisma.user.count()).toBe(1);
  });

  it("rolls back a transaction the timeout cut off, and hands its connection to no one", { timeout: 60_000 }, async () => {
    const attempt = database.prisma.$transaction(
      async (tx) => {
        await tx.user.create({ data: { email: "cut-off@example.com", displayName: "Cut off", role: "member" }, select: { id: true } });
        cluster.pause();
        await tx.user.count();
      },
      // Prisma's own transaction timeout must not be what ends it.
      { timeout: 60_000 },
    );
    try {
      expectUnavailable(await failureWithin(QUERY_DEADLINE_MS, attempt));
    } finally {
      cluster.resume();
    }
    // A connection left inside the abandoned transaction would sit "idle in transaction", and whatever
    // it ran next would never be committed.
    const observer = new pg.Client({ connectionString: url });
    await observer.connect();
    try {
      await expect
        .poll(
          async () =>
            (await observer.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`)).rows[0]!.n,
          { timeout: 10_000 },
        )
        .toBe(0);
      for (const email of ["one@example.com", "two@example.com", "three@example.com"]) {
        await database.prisma.user.create({ data: { email, displayName: email, role: "member" }, select: { id: true } });
      }
      const seen = await observer.query<{ email: string }>(`SELECT email FROM users ORDER BY email`);
      expect(seen.rows.map((row) => row.email)).toEqual(["one@example.com", "three@example.com", "two@example.com"]);
    } finally {
      await observer.end();
    }
  });

  it("rolls back a raw transaction the timeout cut off", { timeout: 60_000 }, async () => {
    const attempt = database.sql.transaction(async (tx) => {
      await tx.query(`INSERT INTO users (id, email, display_name, role, updated_at) VALUES (gen_random_uuid(), 'raw@example.com', 'Raw', 'member', now())`);
      cluster.pause();
      await tx.query("SELECT 1");
    });
    try {
      expectUnavailable(await failureWithin(QUERY_DEADLINE_MS, attempt));
    } finally {
      cluster.resume();
    }
    expect(await database.sql.query(`SELECT email FROM users`)).toEqual([]);
    expect(await database.prisma.user.count()).toBe(0);
  });
});
