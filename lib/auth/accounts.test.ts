import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { recordAudit } from "@/lib/audit/audit";
import { acceptInvite, createInvite, getInviteStatus } from "@/lib/auth/invites";
import { passwordSchema } from "@/lib/auth/password-policy";
import { saveMfaPolicy } from "@/lib/auth/mfa/policy";
import { FAILURE_LIMITS } from "@/lib/auth/rate-limit";
import { createSession, getSessionUser, revokeSession } from "@/lib/auth/sessions";
import { DEACTIVATED_SIGN_IN, GENERIC_SIGN_IN_FAILURE, RATE_LIMITED_SIGN_IN, signIn } from "@/lib/auth/sign-in";
import { claimConsole, issueSetupCode, WRONG_SETUP_CODE } from "@/lib/auth/setup";
import { changePassword, changeUserRole, createUser, setUserActive } from "@/lib/auth/users";
import { UserFacingError } from "@/lib/errors";
import { testEngines } from "@/test-support/databases";

const policy = { idleMinutes: 30, absoluteHours: 8 };
const adminPassword = "correct horse battery staple";

describe("password policy", () => {
  it.each([
    ["short", /at least 12 characters/],
    ["password1234", /commonly used/],
    ["Password1234", /commonly used/],
  ])("rejects %s", (password, message) => {
    const result = passwordSchema.safeParse(password);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(message);
  });
});

describe.each(testEngines())("console accounts on $name", (engine) => {
  let database: Database;
  let admin: { id: string; email: string };
  beforeAll(async () => {
    database = await engine.open();
  });
  afterAll(async () => {
    await database.close();
  });

  it("claims the console only with the setup code", async () => {
    const db = database.prisma;
    const code = await issueSetupCode(db);
    expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    const input = { email: "root@example.com", displayName: "Root", password: adminPassword, ip: "192.0.2.1" };
    await expect(claimConsole(db, { ...input, code: "AAAA-BBBB-CCCC" })).rejects.toThrow(WRONG_SETUP_CODE);
    expect(await db.user.count()).toBe(0);
    const claimed = await claimConsole(db, { ...input, code: code!.toLowerCase().replace(/-/g, " ") });
    admin = { id: claimed.userId, email: claimed.email };
    expect(await issueSetupCode(db)).toBeNull();
    await expect(claimConsole(db, { ...input, email: "second@example.com", code: code! })).rejects.toThrow(/already has an administrator/);
    const stored = await db.user.findUniqueOrThrow({ where: { id: admin.id }, select: { passwordHash: true, role: true } });
    expect(stored.role).toBe("admin");
    expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it("signs in with one generic failure message", async () => {
    const db = database.prisma;
    const wrong = await signIn(db, { email: admin.email, password: "not the password!", ip: "192.0.2.10", userAgent: null }, policy);
    const unknown = await signIn(db, { email: "nobody@example.com", password: "not the password!", ip: "192.0.2.10", userAgent: null }, policy);
    expect(wrong).toEqual({ ok: false, message: GENERIC_SIGN_IN_FAILURE });
    expect(unknown).toEqual({ ok: false, message: GENERIC_SIGN_IN_FAILURE });
    // A new console requires a second factor of administrators: the right password leads to its enrolment.
    const toEnrol = await signIn(db, { email: admin.email, password: adminPassword, ip: "192.0.2.99", userAgent: "Test" }, policy);
    expect(toEnrol.ok && toEnrol.pending).toBe("enrol");
    await saveMfaPolicy(db, { requireAll: false, requireAdmins: false }, { actor: admin });
    const ok = await signIn(db, { email: admin.email, password: adminPassword, ip: "192.0.2.99", userAgent: "Test" }, policy);
    expect(ok.ok && ok.pending).toBeUndefined();
  });

  it("rate-limits per IP address across accounts", async () => {
    const db = database.prisma;
    for (let attempt = 0; attempt < FAILURE_LIMITS.signInPerAddress; attempt += 1) {
      await signIn(db, { email: `spray${attempt}@example.com`, password: "whatever-whatever", ip: "198.51.100.5", userAgent: null }, policy);
    }
    const limited = await signIn(db, { email: admin.email, password: adminPassword, ip: "198.51.100.5", userAgent: null }, policy);
    expect(limited).toEqual({ ok: false, message: RATE_LIMITED_SIGN_IN });
    await db.signInFailure.deleteMany({});
  });

  it("expires sessions when idle or past their absolute lifetime, and revokes them", async () => {
    const db = database.prisma;
    const start = new Date("2030-01-01T00:00:00Z");
    const { token } = await createSession(db, { userId: admin.id }, policy, start);
    expect(await getSessionUser(db, token, policy, new Date(start.getTime() + 29 * 60_000))).toMatchObject({ id: admin.id, role: "admin" });
    expect(await getSessionUser(db, token, policy, new Date(start.getTime() + 29 * 60_000 + 31 * 60_000))).toBeNull();

    const second = await createSession(db, { userId: admin.id }, policy, start);
    let now = start.getTime();
    while (now < start.getTime() + 8 * 3_600_000 - 20 * 60_000) {
      now += 20 * 60_000;
      expect(await getSessionUser(db, second.token, policy, new Date(now))).not.toBeNull();
    }
    expect(await getSessionUser(db, second.token, policy, new Date(start.getTime() + 8 * 3_600_000))).toBeNull();

    const third = await createSession(db, { userId: admin.id }, policy);
    await revokeSession(db, third.token);
    expect(await getSessionUser(db, third.token, policy)).toBeNull();
    expect(await getSessionUser(db, "forged-token-forged-token-forged", policy)).toBeNull();
  });

  it("creates users, refuses duplicates, and protects the last active admin", async () => {
    const db = database.prisma;
    const context = { actor: admin, ip: "192.0.2.1" };
    const helper = await createUser(db, { email: "help@example.com", displayName: "Help", role: "helpdesk", password: "helpdesk password 1" }, context);
    await expect(createUser(db, { email: "help@example.com", displayName: "Again", role: "member", password: "another password 1" }, context)).rejects.toThrow(
      /already exists/,
    );
    await expect(changeUserRole(db, admin.id, "member", context)).rejects.toThrow(/last active administrator/);
    await expect(setUserActive(db, admin.id, false, context)).rejects.toThrow(/last active administrator/);
    await changeUserRole(db, helper.id, "admin", context);
    await changeUserRole(db, admin.id, "helpdesk", context);
    await expect(setUserActive(db, helper.id, false, { actor: helper, ip: null })).rejects.toThrow(/last active administrator/);
    await changeUserRole(db, admin.id, "admin", { actor: helper, ip: null });
    await changeUserRole(db, helper.id, "helpdesk", context);
    expect(await db.user.count({ where: { role: "admin", active: true } })).toBe(1);
  });

  it("ends a deactivated user's sessions and tells them why they cannot sign in", async () => {
    const db = database.prisma;
    const context = { actor: admin, ip: null };
    const user = await createUser(db, { email: "leaver@example.com", displayName: "Leaver", role: "member", password: "leaver password 1" }, context);
    const { token } = await createSession(db, { userId: user.id }, policy);
    await setUserActive(db, user.id, false, context);
    expect(await getSessionUser(db, token, policy)).toBeNull();
    const result = await signIn(db, { email: user.email, password: "leaver password 1", ip: null, userAgent: null }, policy);
    expect(result).toEqual({ ok: false, message: DEACTIVATED_SIGN_IN });
  });

  it("accepts an invitation once, and refuses expired and reused links", async () => {
    const db = database.prisma;
    const { token } = await createInvite(db, { email: "new@example.com", role: "member" }, { actor: admin });
    expect(await getInviteStatus(db, token)).toMatchObject({ state: "valid", email: "new@example.com", role: "member" });
    const joined = await acceptInvite(db, { token, displayName: "New", password: "a fine password 1", ip: null });
    expect(joined.email).toBe("new@example.com");
    await expect(acceptInvite(db, { token, displayName: "New", password: "a fine password 1", ip: null })).rejects.toThrow(/already been used/);
    await expect(createInvite(db, { email: "new@example.com", role: "member" }, { actor: admin })).rejects.toThrow(/already exists/);

    const old = await createInvite(db, { email: "late@example.com", role: "helpdesk" }, { actor: admin }, new Date("2020-01-01T00:00:00Z"));
    expect((await getInviteStatus(db, old.token)).state).toBe("expired");
    await expect(acceptInvite(db, { token: old.token, displayName: "Late", password: "a fine password 1", ip: null })).rejects.toThrow(/expired/);
    expect(await db.user.count({ where: { email: "late@example.com" } })).toBe(0);
  });

  it("refuses a weak password wherever one is set, counting the account's own name and address, and changes nothing", async () => {
    const db = database.prisma;
    const context = { actor: admin, ip: null };
    await expect(createUser(db, { email: "weak@example.com", displayName: "Weak", role: "member", password: "password1234" }, context)).rejects.toMatchObject({
      fieldErrors: { password: expect.stringMatching(/commonly used password/) },
    });
    expect(await db.user.count({ where: { email: "weak@example.com" } })).toBe(0);

    const { token } = await createInvite(db, { email: "ada.lovelace@example.com", role: "member" }, { actor: admin });
    await expect(acceptInvite(db, { token, displayName: "Ada", password: "AdaLovelace2026", ip: null })).rejects.toMatchObject({
      fieldErrors: { password: expect.stringMatching(/personal/) },
    });
    expect((await getInviteStatus(db, token)).state).toBe("valid");

    const before = await db.user.findUniqueOrThrow({ where: { id: admin.id }, select: { passwordHash: true } });
    const session = await createSession(db, { userId: admin.id }, policy);
    const sessionId = (await getSessionUser(db, session.token, policy))!.sessionId;
    for (const weak of ["            ", "zzzzzzzzzzzzzzzz", "root@example.com"]) {
      await expect(changePassword(db, { userId: admin.id, currentPassword: adminPassword, newPassword: weak, keepSessionId: sessionId }, {})).rejects.toBeInstanceOf(UserFacingError);
    }
    expect(await db.user.findUniqueOrThrow({ where: { id: admin.id }, select: { passwordHash: true } })).toEqual(before);
  });

  it("changes a password only with the current one and ends other sessions", async () => {
    const db = database.prisma;
    const here = await createSession(db, { userId: admin.id }, policy);
    const elsewhere = await createSession(db, { userId: admin.id }, policy);
    const hereUser = (await getSessionUser(db, here.token, policy))!;
    await expect(
      changePassword(db, { userId: admin.id, currentPassword: "wrong", newPassword: "brand new password 1", keepSessionId: hereUser.sessionId }, {}),
    ).rejects.toBeInstanceOf(UserFacingError);
    await changePassword(db, { userId: admin.id, currentPassword: adminPassword, newPassword: "brand new password 1", keepSessionId: hereUser.sessionId }, {});
    expect(await getSessionUser(db, here.token, policy)).not.toBeNull();
    expect(await getSessionUser(db, elsewhere.token, policy)).toBeNull();
  });

  it("keeps the audit log append-only and free of secrets", async () => {
    const db = database.prisma;
    await recordAudit(db, { actor: admin, action: "test.event", summary: "A test event" });
    await expect(db.auditEvent.updateMany({ data: { summary: "rewritten" } })).rejects.toThrow(/append-only/);
    await expect(db.auditEvent.deleteMany({})).rejects.toThrow(/append-only/);
    await expect(database.sql.exec(`TRUNCATE audit_events`)).rejects.toThrow(/append-only/);
    const events = await db.auditEvent.findMany({ select: { summary: true, targetLabel: true, action: true } });
    expect(events.map((event) => event.action)).toEqual(
      expect.arrayContaining(["console.claim", "session.sign-in", "user.create", "user.role", "user.deactivate", "user.invite", "user.invite-accept", "user.password"]),
    );
    const text = JSON.stringify(events);
    for (const secret of [adminPassword, "helpdesk password 1", "leaver password 1", "a fine password 1", "brand new password 1"]) {
      expect(text).not.toContain(secret);
    }
  });
});
