import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyRing } from "@/lib/crypto/seal";
import type { Database } from "@/lib/db/client";
import { listStatusRows, statusFilterSchema } from "@/lib/monitoring/status";
import { testEngines } from "@/test-support/databases";
import { insertConnection } from "@/test-support/jobs";

const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);

describe.each(testEngines())("status search on $name", (engine) => {
  let database: Database;
  beforeAll(async () => {
    database = await engine.open();
    await database.prisma.connection.deleteMany();
    for (const name of ["100% sync", "1000 sync", "a_b team", "axb team", "back\\slash", "backslash"]) {
      await insertConnection(database.prisma, ring, { name, clientId: randomUUID() });
    }
  });
  afterAll(async () => {
    await database.close();
  });

  const search = async (q: string) => (await listStatusRows(database.prisma, statusFilterSchema.parse({ q, sort: "name", dir: "asc" }))).rows.map((row) => row.name);

  it("matches %, _ and \\ literally, not as LIKE wildcards", async () => {
    expect(await search("100%")).toEqual(["100% sync"]);
    expect(await search("%")).toEqual(["100% sync"]);
    expect(await search("a_b")).toEqual(["a_b team"]);
    expect(await search("_")).toEqual(["a_b team"]);
    expect(await search("k\\s")).toEqual(["back\\slash"]);
    expect(await search("SYNC")).toEqual(["100% sync", "1000 sync"]);
  });

  it("a NUL byte in the search (/status?q=%00) is no server error: the search is dropped", async () => {
    expect(await search("\u0000")).toHaveLength(6);
    expect(await search("sync\u0000")).toHaveLength(6);
  });
});
