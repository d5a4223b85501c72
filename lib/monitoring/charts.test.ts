import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyRing } from "@/lib/crypto/seal";
import type { Database } from "@/lib/db/client";
import { checkDurations, connectionHealthByDay, fleetTrend, secretExpiryByWeek } from "@/lib/monitoring/charts";
import { testEngines } from "@/test-support/databases";
import { insertConnection } from "@/test-support/jobs";

const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);
const now = new Date("2026-11-30T15:00:00.000Z");
const daysAgo = (days: number, hour = 10) => new Date(Date.UTC(2026, 10, 30 - days, hour));

describe.each(testEngines())("chart data on $name", (engine) => {
  let database: Database;
  let watched = "";
  let broken = "";
  beforeAll(async () => {
    database = await engine.open();
    await database.prisma.connection.deleteMany();
    const db = database.prisma;
    watched = await insertConnection(db, ring, { name: "Watched", clientId: randomUUID(), state: "healthy", secretExpiresAt: new Date("2026-12-03") });
    broken = await insertConnection(db, ring, { name: "Broken", clientId: randomUUID(), state: "failing", secretExpiresAt: new Date("2026-11-20") });
    const far = await insertConnection(db, ring, { name: "Far", clientId: randomUUID(), state: "healthy", secretExpiresAt: new Date("2027-06-01") });
    await db.connection.update({ where: { id: watched }, data: { createdAt: daysAgo(40) }, select: { id: true } });
    await db.connection.update({ where: { id: broken }, data: { createdAt: daysAgo(10) }, select: { id: true } });
    await db.connection.update({ where: { id: far }, data: { createdAt: daysAgo(1) }, select: { id: true } });
    // Broken: never checked when created, healthy from 8 days ago, failing from 3 days ago.
    await db.stateChange.createMany({
      data: [
        { connectionId: broken, occurredAt: daysAgo(8), fromState: "never_checked", toState: "healthy", cause: "All checks passed" },
        { connectionId: broken, occurredAt: daysAgo(3), fromState: "healthy", toState: "failing", cause: "Client secret is wrong" },
      ],
    });
    const run = (minutes: number, at: Date, state: "healthy" | "failing") =>
      db.checkRun.create({ data: { connectionId: watched, startedAt: at, durationMs: minutes, trigger: "scheduled", ok: state === "healthy", state, report: {} }, select: { id: true } });
    await run(300, daysAgo(2, 8), "healthy");
    await run(900, daysAgo(2, 9), "failing");
    await run(450, daysAgo(0, 9), "healthy");
    await run(100, daysAgo(45), "healthy");
  });
  afterAll(async () => {
    await database.close();
  });

  it("counts a connection's check runs per day by the state each found, over 30 days ending today", async () => {
    const points = await connectionHealthByDay(database.prisma, watched, now);
    expect(points).toHaveLength(30);
    expect(points.at(-1)).toEqual({ label: "30 Nov 2026", values: expect.objectContaining({ healthy: 1, failing: 0 }) });
    expect(points.at(-3)!.values).toMatchObject({ healthy: 1, failing: 1 });
    expect(points[0]!.label).toBe("1 Nov 2026");
    expect(points.reduce((sum, point) => sum + point.values.healthy! + point.values.failing!, 0)).toBe(3);
  });

  it("lists the last check durations oldest first", async () => {
    expect((await checkDurations(database.prisma, watched, 3)).map((point) => point.values.duration)).toEqual([300, 900, 450]);
  });

  it("rebuilds the fleet's states per day from the state changes, counting each connection from the day it was created", async () => {
    const points = await fleetTrend(database.prisma, now);
    const at = (days: number) => points[points.length - 1 - days]!.values;
    expect(at(0)).toMatchObject({ healthy: 2, failing: 1, never_checked: 0 });
    expect(at(3)).toMatchObject({ healthy: 1, failing: 1 });
    expect(at(4)).toMatchObject({ healthy: 2, failing: 0 });
    expect(at(9)).toMatchObject({ healthy: 1, never_checked: 1 });
    expect(at(12)).toMatchObject({ healthy: 1, never_checked: 0, failing: 0 });
  });

  it("puts secrets in the week they expire in, with those past their date first", async () => {
    const points = await secretExpiryByWeek(database.prisma, now);
    expect(points).toHaveLength(13);
    expect(points[0]).toEqual({ label: "Already expired", values: { secrets: 1 } });
    expect(points[1]).toEqual({ label: "Week of 30 Nov 2026", values: { secrets: 1 } });
    expect(points.slice(2).every((point) => point.values.secrets === 0)).toBe(true);
  });
});
