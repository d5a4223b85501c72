import { describe, expect, it } from "vitest";
import { createSession, getSessionUser } from "@/lib/auth/sessions";
import { createUserForSuite } from "@/test-support/console-users";
import { testEngines } from "@/test-support/databases";
import { openDatabaseForSuite } from "@/test-support/engine-database";

describe.each(testEngines())("session idle limit on $name", (engine) => {
  const database = openDatabaseForSuite(engine);
  const user = createUserForSuite(database, "busy@example.com", "Busy", "member");

  it("keeps a session in use alive under a one-minute idle limit", async () => {
    const policy = { idleMinutes: 1, absoluteHours: 8 };
    const start = new Date("2031-03-01T09:00:00Z");
    const { token } = await createSession(database.prisma, { userId: user.id }, policy, start);
    // A request every 40 seconds is never a minute idle, for ten minutes.
    for (let seconds = 40; seconds <= 600; seconds += 40) {
      const at = new Date(start.getTime() + seconds * 1000);
      expect(await getSessionUser(database.prisma, token, policy, at), `request at ${seconds} s`).toMatchObject({ id: user.id });
    }
    // And a minute without a request ends it.
    expect(await getSessionUser(database.prisma, token, policy, new Date(start.getTime() + 661_000))).toBeNull();
  });

  it("still writes the last-seen time at most once a minute under a long idle limit", async () => {
    const policy = { idleMinutes: 120, absoluteHours: 8 };
    const start = new Date("2031-03-02T09:00:00Z");
    const { token } = await createSession(database.prisma, { userId: user.id }, policy, start);
    const lastSeen = async () =>
      (await database.prisma.session.findFirstOrThrow({ where: { userId: user.id, createdAt: start }, select: { lastSeenAt: true } })).lastSeenAt.getTime();
    await getSessionUser(database.prisma, token, policy, new Date(start.getTime() + 59_000));
    expect(await lastSeen()).toBe(start.getTime());
    await getSessionUser(database.prisma, token, policy, new Date(start.getTime() + 61_000));
    expect(await lastSeen()).toBe(start.getTime() + 61_000);
  });
});
