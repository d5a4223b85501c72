import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyRing } from "@/lib/crypto/seal";
import type { Database } from "@/lib/db/client";
import { ATTENTION_PER_REASON, getDashboard, listRecentChecks, SECRET_NEXT_STEP } from "@/lib/monitoring/dashboard";
import { testEngines } from "@/test-support/databases";
import { cannedReport, insertConnection } from "@/test-support/jobs";

const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);
const now = new Date("2026-11-15T12:00:00.000Z");
const inDays = (days: number) => new Date(Date.UTC(2026, 10, 15 + days));

describe.each(testEngines())("the home dashboard on $name", (engine) => {
  let database: Database;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    database = await engine.open();
    await database.prisma.connection.deleteMany();
    const add = async (name: string, patch: Parameters<typeof insertConnection>[2]) => {
      ids[name] = await insertConnection(database.prisma, ring, { name, clientId: randomUUID(), ...patch });
    };
    for (let n = 0; n < ATTENTION_PER_REASON + 1; n += 1) await add(`Failing ${n}`, { state: "failing", lastReport: cannedReport("fail") });
    await add("Soon", { secretExpiresAt: inDays(3) });
    await add("Later", { secretExpiresAt: inDays(20) });
    await add("Far", { secretExpiresAt: inDays(45) });
    await add("Fine", {});
    await add("Reauth", { state: "needs_reauth" });
    const run = (name: string, minutesAgo: number, durationMs: number) =>
      database.prisma.checkRun.create({
        data: { connectionId: ids[name]!, startedAt: new Date(now.getTime() - minutesAgo * 60_000), durationMs, trigger: "scheduled", ok: true, state: "healthy", report: {} },
        select: { id: true },
      });
    await run("Fine", 30, 410);
    await run("Soon", 5, 820);
    await run("Far", 90, 1_200);
  });
  afterAll(async () => {
    await database.close();
  });

  it("lists what needs attention by reason, each with its next step, the first few and the total", async () => {
    const { tiles, attention } = await getDashboard(database.prisma, now);
    expect(tiles).toMatchObject({ failing: ATTENTION_PER_REASON + 1, needs_reauth: 1, healthy: 4, expiringSoon: 2, total: ATTENTION_PER_REASON + 6 });
    expect(attention.map((group) => [group.reason, group.total, group.rows.length])).toEqual([
      ["failing", ATTENTION_PER_REASON + 1, ATTENTION_PER_REASON],
      ["needs_reauth", 1, 1],
      ["expiring", 2, 2],
    ]);
    const [failing, reauth, expiring] = attention;
    expect(failing!.rows[0]!.nextStep).toBe("An administrator: Client secret is wrong");
    expect(reauth!.rows[0]!.nextStep).toMatch(/must reconnect/);
    expect(expiring!.rows.map((row) => [row.name, row.nextStep])).toEqual([
      ["Soon", SECRET_NEXT_STEP],
      ["Later", SECRET_NEXT_STEP],
    ]);
  });

  it("leaves out reasons nobody has", async () => {
    await database.prisma.connection.updateMany({ where: { state: { in: ["failing", "needs_reauth"] } }, data: { state: "healthy" } });
    const { attention } = await getDashboard(database.prisma, now);
    expect(attention.map((group) => group.reason)).toEqual(["expiring"]);
  });

  it("shows the last checks newest first, with the connection's name", async () => {
    expect((await listRecentChecks(database.prisma, 2)).map((check) => [check.name, check.durationMs])).toEqual([
      ["Soon", 820],
      ["Fine", 410],
    ]);
  });
});
