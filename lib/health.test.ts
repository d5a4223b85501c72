import { afterEach, describe, expect, it } from "vitest";
import { DatabaseUnavailableError, openDatabase, useDatabase } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { checkHealth } from "@/lib/health";
import { testEngines } from "@/test-support/databases";

const unreachable = "postgresql://calsync:hunter2-db-password@127.0.0.1:9/calsync";

describe("health and an unreachable database", () => {
  afterEach(() => {
    delete process.env.DATABASE_URL;
    resetEnvCache();
    useDatabase(undefined);
  });

  it("names the host but never the password when the database cannot be reached at start", async () => {
    const failure = await openDatabase({ kind: "postgres", url: unreachable }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DatabaseUnavailableError);
    expect((failure as Error).message).toContain("PostgreSQL at 127.0.0.1:9/calsync");
    expect((failure as Error).message).not.toContain("hunter2");
  });

  it("reports not ready, with a reason, while the database is down", async () => {
    process.env.DATABASE_URL = unreachable;
    resetEnvCache();
    useDatabase(undefined);
    const health = await checkHealth();
    expect(health.live).toBe(true);
    expect(health.ready).toBe(false);
    expect(health.checks.database.reason).toMatch(/database unavailable: Cannot reach the PostgreSQL at 127\.0\.0\.1:9/);
    expect(JSON.stringify(health)).not.toContain("hunter2");
  });

  it.each(testEngines())("reports ready on a working $name database", async (engine) => {
    const database = await engine.open();
    useDatabase(database);
    try {
      expect(await checkHealth()).toMatchObject({ live: true, ready: true, checks: { database: { ok: true } } });
    } finally {
      await database.close();
    }
  });
});
