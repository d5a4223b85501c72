import { beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "@/lib/auth/passwords";
import { createSession, getSessionUser } from "@/lib/auth/sessions";
import { changePassword, createUser } from "@/lib/auth/users";
import { testEngines } from "@/test-support/databases";
import { openDatabaseForSuite } from "@/test-support/engine-database";

const policy = { idleMinutes: 30, absoluteHours: 8 };

describe.each(testEngines())("changing a password on $name", (engine) => {
  const database = openDatabaseForSuite(engine);
  const password = "the real one, long and plain 4";
  const account = { id: "", email: "guessed@example.com" };
  let sessionId = "";
  beforeAll(async () => {
    account.id = (await createUser(database.prisma, { email: account.email, displayName: "Guessed", role: "member", password }, { actor: null })).id;
    const { token } = await createSession(database.prisma, { userId: account.id }, policy);
    sessionId = (await getSessionUser(database.prisma, token, policy))!.sessionId;
  });

  it("checks at most the limit of current passwords sent in parallel from a stolen session", async () => {
    const other = await createUser(database.prisma, { email: "parallel@example.com", displayName: "Parallel", role: "member", password }, { actor: null });
    const { token } = await createSession(database.prisma, { userId: other.id }, policy);
    const keep = (await getSessionUser(database.prisma, token, policy))!.sessionId;
    const guesses = await Promise.allSettled(
      Array.from({ length: 12 }, (_, n) => changePassword(database.prisma, { userId: other.id, currentPassword: `guess ${n}`, newPassword: "a brand new passphrase 5", keepSessionId: keep }, { ip: "198.51.100.45" })),
    );
    const checked = guesses.filter((result) => result.status === "rejected" && /current password is not right/.test(String(result.reason)));
    expect(checked.length).toBeLessThanOrEqual(5);
    expect(guesses.every((result) => result.status === "rejected")).toBe(true);
  });

  it("limits wrong current passwords like failed sign-ins, and audits them, so a stolen session cannot guess the password", async () => {
    const start = new Date();
    const attempt = (currentPassword: string, now: Date) =>
      changePassword(database.prisma, { userId: account.id, currentPassword, newPassword: "a brand new passphrase 5", keepSessionId: sessionId }, { ip: "198.51.100.44" }, now);
    for (let n = 0; n < 5; n += 1) {
      await expect(attempt(`guess number ${n}`, start)).rejects.toThrow("Your current password is not right");
    }
    // Even the right one is refused now, and nothing changes.
    await expect(attempt(password, start)).rejects.toThrow(/Too many wrong current passwords/);
    const stored = await database.prisma.user.findUniqueOrThrow({ where: { id: account.id }, select: { passwordHash: true } });
    expect(await verifyPassword(stored.passwordHash!, password)).toBe(true);

    const audit = await database.prisma.auditEvent.findMany({
      where: { targetId: account.id, action: { startsWith: "auth." } },
      select: { action: true, ip: true, summary: true, actorEmail: true },
      orderBy: { id: "asc" },
    });
    expect(audit.map((event) => event.action)).toEqual([...Array(5).fill("auth.current-password-failed"), "auth.current-password-locked"]);
    expect(audit.every((event) => event.ip === "198.51.100.44" && event.actorEmail === account.email)).toBe(true);
    expect(JSON.stringify(audit)).not.toMatch(/guess number|the real one/);

    // After the window the owner changes it as usual.
    await attempt(password, new Date(start.getTime() + 16 * 60_000));
    const changed = await database.prisma.user.findUniqueOrThrow({ where: { id: account.id }, select: { passwordHash: true } });
    expect(await verifyPassword(changed.passwordHash!, "a brand new passphrase 5")).toBe(true);
  });
});
