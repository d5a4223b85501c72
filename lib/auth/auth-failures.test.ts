import { beforeAll, describe, expect, it } from "vitest";
import { AUTH_FAILURE_ACTIONS, auditFilterSchema, listAuditEvents } from "@/lib/audit/audit";
import { createSession, getSessionUser } from "@/lib/auth/sessions";
import { claimConsole, issueSetupCode } from "@/lib/auth/setup";
import { signIn } from "@/lib/auth/sign-in";
import { changePassword, createUser } from "@/lib/auth/users";
import { testEngines } from "@/test-support/databases";
import { openDatabaseForSuite } from "@/test-support/engine-database";
import { serverLogDuring } from "@/test-support/server-log";

/**
 * ASVS 7.2.1: every failed authentication, and every lockout it starts, is in the audit log and the
 * server log with the client address, and nothing typed (password, setup code) is in either.
 */
const policy = { idleMinutes: 30, absoluteHours: 8 };
const at = (start: Date, seconds: number) => new Date(start.getTime() + seconds * 1000);

describe.each(testEngines())("authentication failures on $name", (engine) => {
  const database = openDatabaseForSuite(engine);
  const member = { id: "", email: "tried@example.com", password: "the member's passphrase 11" };
  beforeAll(async () => {
    member.id = (await createUser(database.prisma, { email: member.email, displayName: "Tried", role: "member", password: member.password }, { actor: null })).id;
  });
  const auditEntries = (actionPrefix: string) =>
    database.prisma.auditEvent.findMany({
      where: { action: { startsWith: actionPrefix } },
      select: { action: true, ip: true, summary: true, actorEmail: true, targetLabel: true },
      orderBy: { id: "asc" },
    });

  it("records failed sign-ins and the lockout they start, with the address and never the password", async () => {
    const start = new Date("2031-06-01T10:00:00Z");
    const typed = ["first secret guess", "second secret guess", "third secret guess", "fourth secret guess", "fifth secret guess", "ghost's own secret"];
    const serverLog = await serverLogDuring(async () => {
      for (let n = 0; n < 5; n += 1) {
        await signIn(database.prisma, { email: member.email, password: typed[n]!, ip: "203.0.113.77", userAgent: null }, policy, at(start, n * 120));
      }
      await signIn(database.prisma, { email: "ghost@example.com", password: typed[5]!, ip: "203.0.113.78", userAgent: null }, policy, start);
    });
    const entries = await auditEntries("auth.sign-in");
    expect(entries.map((entry) => [entry.action, entry.ip, entry.targetLabel])).toEqual([
      ...Array.from({ length: 5 }, () => ["auth.sign-in-failed", "203.0.113.77", member.email]),
      ["auth.sign-in-locked", "203.0.113.77", member.email],
      ["auth.sign-in-failed", "203.0.113.78", "ghost@example.com"],
    ]);
    // Nobody was signed in: the entries name the account tried, not an actor.
    expect(entries.every((entry) => entry.actorEmail === null)).toBe(true);
    expect(serverLog).toMatch(/auth\.sign-in-failed.*203\.0\.113\.77/);
    expect(serverLog).toMatch(/auth\.sign-in-locked.*203\.0\.113\.77/);
    expect(serverLog).toMatch(/auth\.sign-in-failed.*203\.0\.113\.78/);
    for (const secret of typed) {
      expect(JSON.stringify(entries)).not.toContain(secret);
      expect(serverLog).not.toContain(secret);
    }
  });

  it("records wrong setup codes and the lockout of the guessing address, never the code", async () => {
    // No administrator exists in this suite, so the console is still waiting to be claimed.
    const code = (await issueSetupCode(database.prisma))!;
    const serverLog = await serverLogDuring(async () => {
      for (let n = 0; n < 10; n += 1) {
        await claimConsole(database.prisma, { code: "WRON-GCOD-E234", email: "first@example.com", displayName: "First", password: "correct horse battery staple", ip: "198.51.100.12" }).catch(() => undefined);
      }
    });
    const entries = await auditEntries("auth.setup-code");
    expect(entries.map((entry) => [entry.action, entry.ip])).toEqual([
      ...Array.from({ length: 10 }, () => ["auth.setup-code-failed", "198.51.100.12"]),
      ["auth.setup-code-locked", "198.51.100.12"],
    ]);
    expect(serverLog).toMatch(/auth\.setup-code-failed.*198\.51\.100\.12/);
    expect(serverLog).toMatch(/auth\.setup-code-locked.*198\.51\.100\.12/);
    for (const secret of ["WRON-GCOD-E234", "WRONGCODE234", code, code.replace(/-/g, ""), "correct horse battery staple"]) {
      expect(JSON.stringify(entries)).not.toContain(secret);
      expect(serverLog).not.toContain(secret);
    }
  });

  it("lets helpdesk and admins filter the audit log down to authentication failures", async () => {
    const later = new Date("2031-06-01T12:00:00Z");
    const { token } = await createSession(database.prisma, { userId: member.id }, policy, later);
    const sessionId = (await getSessionUser(database.prisma, token, policy, later))!.sessionId;
    await changePassword(
      database.prisma,
      { userId: member.id, currentPassword: "not it at all", newPassword: "another fine passphrase 12", keepSessionId: sessionId },
      { ip: "203.0.113.79" },
      later,
    ).catch(() => undefined);
    // A successful sign-in is an authentication event, but not a failure.
    expect((await signIn(database.prisma, { email: member.email, password: member.password, ip: "192.0.2.80", userAgent: null }, policy, later)).ok).toBe(true);

    const failures = await listAuditEvents(database.prisma, auditFilterSchema.parse({ category: "auth-failures" }));
    const actions = failures.events.map((event) => event.action);
    expect(new Set(actions)).toEqual(
      new Set(["auth.sign-in-failed", "auth.sign-in-locked", "auth.setup-code-failed", "auth.setup-code-locked", "auth.current-password-failed"]),
    );
    expect(actions.every((action) => (AUTH_FAILURE_ACTIONS as readonly string[]).includes(action))).toBe(true);
    expect(failures.total).toBe(await database.prisma.auditEvent.count({ where: { action: { in: [...AUTH_FAILURE_ACTIONS] } } }));
    const everything = await listAuditEvents(database.prisma, auditFilterSchema.parse({}));
    expect(everything.events.map((event) => event.action)).toContain("session.sign-in");
  });
});
