import { PrismaPg } from "@prisma/adapter-pg";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GET as healthRoute } from "@/app/api/health/route";
import { sessionCookieName } from "@/lib/auth/current-user";
import { createPrismaClient, DatabaseUnavailableError, openDatabase, useDatabase } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { checkHealth } from "@/lib/health";
import { testEngines } from "@/test-support/databases";

// The request carries a session cookie. Health must answer without ever asking for it: resolving a
// user needs the database, which is exactly what may be down.
const sessionCookie = vi.hoisted(() => vi.fn(() => ({ name: "calsync_session", value: "a-session-token" })));
vi.mock("next/headers", () => ({
  cookies: async () => ({ get: sessionCookie }),
  headers: async () => new Headers(),
}));

const unreachable = "postgresql://calsync:hunter2-db-password@127.0.0.1:9/calsync";

describe("health and an unreachable database", () => {
  afterEach(() => {
    delete process.env.DATABASE_URL;
    resetEnvCache();
    useDatabase(undefined);
    sessionCookie.mockClear();
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

  it("answers 503 with a JSON body, never looking at the session, when a session cookie comes with the request", async () => {
    expect(sessionCookieName()).toBe("calsync_session");
    process.env.DATABASE_URL = unreachable;
    resetEnvCache();
    useDatabase(undefined);
    const response = await healthRoute();
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toContain("application/json");
    const body = (await response.json()) as { live: boolean; ready: boolean; checks: { database: { ok: boolean; reason: string } } };
    expect(body).toMatchObject({ live: true, ready: false, checks: { database: { ok: false } } });
    expect(body.checks.database.reason).toMatch(/^database unavailable: \S/);
    expect(JSON.stringify(body)).not.toContain("hunter2");
    expect(sessionCookie).not.toHaveBeenCalled();
  });

  it("gives a reason when the database goes away after start and the driver's error has no first line", async () => {
    // Prisma's error for a server that stopped answering starts with a blank line.
    const goneAway = createPrismaClient(new PrismaPg({ connectionString: unreachable }));
    const started = await openDatabase({ kind: "pglite" });
    useDatabase({ ...started, prisma: goneAway });
    try {
      const health = await checkHealth();
      expect(health.ready).toBe(false);
      expect(health.checks.database.reason).toMatch(/^database unavailable: \S/);
      expect(JSON.stringify(health)).not.toContain("hunter2");
    } finally {
      await goneAway.$disconnect();
      await started.close();
    }
  });

  it.each(testEngines())("reports ready on a working $name database", async (engine) => {
    const database = await engine.open();
    useDatabase(database);
    try {
      expect(await checkHealth()).toMatchObject({ live: true, ready: true, checks: { database: { ok: true } } });
      const response = await healthRoute();
      expect(response.status).toBe(200);
      expect(sessionCookie).not.toHaveBeenCalled();
    } finally {
      await database.close();
    }
  });
});
