import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyRing } from "@/lib/crypto/seal";
import type { Database } from "@/lib/db/client";
import type { ConnectionState } from "@/lib/connections/state";
import { listStatusRows, STATUS_PAGE_SIZE, statusFilterSchema, statusHref, tenantLabel } from "@/lib/monitoring/status";
import { recordTenantName } from "@/lib/connections/tenant-names";
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

describe.each(testEngines())("the board's default order on $name", (engine) => {
  let database: Database;
  // Enough rows that the first page ends inside the healthy slice and the second starts in it.
  const plan: Array<[ConnectionState, number]> = [["healthy", STATUS_PAGE_SIZE], ["never_checked", 2], ["warning", 3], ["needs_reauth", 1], ["failing", 4]];
  beforeAll(async () => {
    database = await engine.open();
    await database.prisma.connection.deleteMany();
    const start = Date.parse("2026-11-01T00:00:00.000Z");
    for (const [state, count] of plan) {
      for (let n = 0; n < count; n += 1) {
        const id = await insertConnection(database.prisma, ring, { name: `${state} ${String(n).padStart(2, "0")}`, clientId: randomUUID(), state });
        // The higher the number, the longer in that state.
        await database.prisma.connection.update({ where: { id }, data: { stateSince: new Date(start - n * 3_600_000) }, select: { id: true } });
      }
    }
  });
  afterAll(async () => {
    await database.close();
  });

  const page = async (params: Record<string, string>) => (await listStatusRows(database.prisma, statusFilterSchema.parse(params))).rows.map((row) => row.name);

  it("puts failing first, then re-authentication, warning, never checked and healthy last, the longest in each state first", async () => {
    const first = await page({});
    expect(first.slice(0, 10)).toEqual([
      "failing 03", "failing 02", "failing 01", "failing 00",
      "needs_reauth 00",
      "warning 02", "warning 01", "warning 00",
      "never_checked 01", "never_checked 00",
    ]);
    expect(first).toHaveLength(STATUS_PAGE_SIZE);
    expect(first.slice(10, 12)).toEqual(["healthy 49", "healthy 48"]);
    expect(first.at(-1)).toBe("healthy 10");
    const second = await page({ page: "2" });
    expect(second).toEqual(["healthy 09", "healthy 08", "healthy 07", "healthy 06", "healthy 05", "healthy 04", "healthy 03", "healthy 02", "healthy 01", "healthy 00"]);
    expect(new Set([...first, ...second]).size).toBe(STATUS_PAGE_SIZE + 10);
  });

  it("reverses to healthy first, keeps filters, and counts only the filtered rows", async () => {
    expect((await page({ dir: "asc" })).slice(0, 2)).toEqual(["healthy 00", "healthy 01"]);
    const warning = await listStatusRows(database.prisma, statusFilterSchema.parse({ state: "warning" }));
    expect(warning.rows.map((row) => row.name)).toEqual(["warning 02", "warning 01", "warning 00"]);
    expect(warning.total).toBe(3);
    expect(warning.pageCount).toBe(1);
  });

  it("is the default, so the board's plain address means worst first", () => {
    expect(statusFilterSchema.parse({}).sort).toBe("worst");
    expect(statusHref(statusFilterSchema.parse({}), { state: "failing" })).toBe("/status?state=failing");
    expect(statusHref(statusFilterSchema.parse({}), { sort: "name", dir: "asc" })).toBe("/status?sort=name&dir=asc");
  });
});

describe("tenantLabel", () => {
  const guid = "6babcaad-604b-40ac-a9d7-9fd97c0b779f";
  it("prefers Microsoft's name, then a typed domain, then a known mailbox's domain, then the GUID", () => {
    expect(tenantLabel({ tenant: guid, name: "Contoso Ltd", mailbox: "adele@contoso.com" })).toBe("Contoso Ltd");
    expect(tenantLabel({ tenant: "contoso.onmicrosoft.com", mailbox: "adele@contoso.com" })).toBe("contoso.onmicrosoft.com");
    expect(tenantLabel({ tenant: guid, mailbox: "adele@contoso.com" })).toBe("contoso.com");
    expect(tenantLabel({ tenant: guid, mailbox: null })).toBe(guid);
  });
});

describe.each(testEngines())("tenant names on the board on $name", (engine) => {
  let database: Database;
  const named = "0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5";
  const unnamed = "1c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5";
  beforeAll(async () => {
    database = await engine.open();
    await database.prisma.connection.deleteMany();
    await insertConnection(database.prisma, ring, { name: "Named app", tenantId: named, clientId: randomUUID() });
    await insertConnection(database.prisma, ring, { name: "Unnamed app", tenantId: unnamed, clientId: randomUUID() });
    // Learned from another connection of the tenant, upper-case id and control characters included.
    await recordTenantName(database.prisma, named.toUpperCase(), "Fabrikam\u0000 Europe\u200b ");
    await recordTenantName(database.prisma, unnamed, "   ");
  });
  afterAll(async () => {
    await database.close();
  });

  it("names every connection of a tenant whose name is known, and finds it by that name", async () => {
    const rows = (await listStatusRows(database.prisma, statusFilterSchema.parse({ sort: "name", dir: "asc" }))).rows;
    expect(rows.map((row) => [row.name, row.tenantLabel])).toEqual([
      ["Named app", "Fabrikam Europe"],
      ["Unnamed app", unnamed],
    ]);
    const found = await listStatusRows(database.prisma, statusFilterSchema.parse({ q: "fabrikam" }));
    expect(found.rows.map((row) => row.name)).toEqual(["Named app"]);
  });

  it("a later name replaces the earlier one", async () => {
    await recordTenantName(database.prisma, named, "Fabrikam Group");
    const rows = (await listStatusRows(database.prisma, statusFilterSchema.parse({ q: "Fabrikam Group" }))).rows;
    expect(rows.map((row) => [row.name, row.tenantLabel])).toEqual([["Named app", "Fabrikam Group"]]);
  });
});
