import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditFilterSchema, listAuditEvents, recordAudit } from "@/lib/audit/audit";
import type { Database } from "@/lib/db/client";
import { testEngines } from "@/test-support/databases";

describe.each(testEngines())("audit search on $name", (engine) => {
  let database: Database;
  // The log is append-only, so each run searches under its own tag.
  const tag = randomUUID().slice(0, 8);
  beforeAll(async () => {
    database = await engine.open();
    for (const summary of ["100% done", "1000 done", "a_b renamed", "axb renamed", "back\\slash"]) {
      await recordAudit(database.prisma, { actor: null, action: "test.search", summary: `${tag} ${summary}` });
    }
  });
  afterAll(async () => {
    await database.close();
  });

  const search = async (q: string) => (await listAuditEvents(database.prisma, auditFilterSchema.parse({ q }))).events.map((event) => event.summary).sort();

  it("matches %, _ and \\ literally, not as LIKE wildcards", async () => {
    expect(await search(`${tag} 100%`)).toEqual([`${tag} 100% done`]);
    expect(await search(`${tag} a_b`)).toEqual([`${tag} a_b renamed`]);
    expect(await search(`${tag} back\\s`)).toEqual([`${tag} back\\slash`]);
  });

  it("a NUL byte in the search is no server error: the search is dropped", async () => {
    expect((await search(`${tag}\u0000`)).length).toBeGreaterThanOrEqual(5);
  });
});
