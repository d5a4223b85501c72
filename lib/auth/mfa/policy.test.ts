import { describe, expect, it } from "vitest";
import type { Role } from "@/lib/auth/roles";
import { createSession } from "@/lib/auth/sessions";
import { enrolInsteadOfSession, findPendingSignIn } from "@/lib/auth/mfa/pending-sign-in";
import { saveMfaPolicy } from "@/lib/auth/mfa/policy";
import { testEngines } from "@/test-support/databases";
import { openDatabaseForSuite } from "@/test-support/engine-database";

const sessionPolicy = { idleMinutes: 30, absoluteHours: 8 };

describe.each(testEngines())("a stricter MFA policy on $name", (engine) => {
  const database = openDatabaseForSuite(engine);

  async function person(email: string, role: Role, factors: { password?: boolean; totp?: "confirmed" | "unconfirmed"; passkey?: boolean } = {}) {
    const db = database.prisma;
    // Only whether a password exists matters here, never its value.
    const user = await db.user.create({ data: { email, displayName: email, role, passwordHash: factors.password === false ? null : "scrypt$placeholder" }, select: { id: true, email: true } });
    if (factors.totp) await db.mfaTotp.create({ data: { userId: user.id, secretSealed: "cs1.placeholder", confirmedAt: factors.totp === "confirmed" ? new Date() : null } });
    if (factors.passkey) {
      await db.mfaPasskey.create({ data: { userId: user.id, credentialId: `cred-${email}`, publicKey: "placeholder", transports: [], name: "Key" } });
    }
    const session = await createSession(db, { userId: user.id }, sessionPolicy);
    return { ...user, session };
  }

  const sessionsOf = (userId: string) => database.prisma.session.count({ where: { userId } });

  it("ends the sessions of local accounts without a second factor, keeps the saving admin's current one for enrolment, and audits each", async () => {
    const db = database.prisma;
    const admin = await person("admin@example.com", "admin");
    await createSession(db, { userId: admin.id }, sessionPolicy);
    const current = await db.session.findFirstOrThrow({ where: { userId: admin.id }, orderBy: { createdAt: "asc" }, select: { id: true } });
    const helpdesk = await person("helpdesk@example.com", "helpdesk");
    const halfway = await person("halfway@example.com", "member", { totp: "unconfirmed" });
    const withApp = await person("with-app@example.com", "member", { totp: "confirmed" });
    const withPasskey = await person("with-passkey@example.com", "helpdesk", { passkey: true });
    const microsoftOnly = await person("microsoft@example.com", "member", { password: false });

    // Administrators only: nobody else's session is touched yet.
    const adminsOnly = await saveMfaPolicy(db, { requireAll: false, requireAdmins: true }, { actor: admin, ip: "192.0.2.9", currentSessionId: current.id });
    expect(adminsOnly).toEqual({ endedSessions: 1, people: 1, callerMustEnrol: true });
    expect(await db.session.findMany({ where: { userId: admin.id }, select: { id: true } })).toEqual([{ id: current.id }]);
    expect(await sessionsOf(helpdesk.id)).toBe(1);

    const everyone = await saveMfaPolicy(db, { requireAll: true, requireAdmins: true }, { actor: admin, ip: "192.0.2.9", currentSessionId: current.id });
    expect(everyone).toEqual({ endedSessions: 2, people: 2, callerMustEnrol: true });
    expect(await sessionsOf(helpdesk.id)).toBe(0);
    expect(await sessionsOf(halfway.id)).toBe(0);
    expect(await sessionsOf(withApp.id)).toBe(1);
    expect(await sessionsOf(withPasskey.id)).toBe(1);
    // No password, so no local sign-in: Entra's own MFA rules apply to it.
    expect(await sessionsOf(microsoftOnly.id)).toBe(1);
    expect(await sessionsOf(admin.id)).toBe(1);

    const ended = await db.auditEvent.findMany({ where: { action: "user.end-sessions" }, select: { targetLabel: true, summary: true, actorEmail: true, ip: true }, orderBy: { targetLabel: "asc" } });
    expect(ended.map((entry) => entry.targetLabel)).toEqual(["admin@example.com", "halfway@example.com", "helpdesk@example.com"]);
    expect(ended[1]).toEqual({
      targetLabel: "halfway@example.com",
      summary: "Ended 1 session of halfway@example.com: MFA is now required for every local account, and they have no second factor yet",
      actorEmail: "admin@example.com",
      ip: "192.0.2.9",
    });
    expect(await db.auditEvent.count({ where: { action: "settings.mfa-policy" } })).toBe(2);

    // The admin's own session becomes the enrolment: no session left, a pending sign-in that only enrols.
    const step = await enrolInsteadOfSession(db, { id: current.id, user: admin }, { ip: "192.0.2.9", userAgent: "Test", returnTo: "/settings/security" });
    expect(step?.pending).toBe("enrol");
    expect(await sessionsOf(admin.id)).toBe(0);
    const pending = await findPendingSignIn(db, step!.token);
    expect(pending).toMatchObject({ purpose: "enrol", returnTo: "/settings/security", user: { id: admin.id } });
    // Spent: the same session cannot be turned into a second enrolment.
    expect(await enrolInsteadOfSession(db, { id: current.id, user: admin }, { ip: null, userAgent: null, returnTo: "/" })).toBeNull();
    expect(await db.auditEvent.count({ where: { action: "user.end-sessions", targetLabel: "admin@example.com" } })).toBe(2);
  });

  it("ends nothing when the policy gets looser, and a saving admin with a second factor keeps their session", async () => {
    const db = database.prisma;
    await db.session.deleteMany();
    const admin = await person("enrolled-admin@example.com", "admin", { totp: "confirmed" });
    const member = await person("loose-member@example.com", "member");
    const current = await db.session.findFirstOrThrow({ where: { userId: admin.id }, select: { id: true } });
    const looser = await saveMfaPolicy(db, { requireAll: false, requireAdmins: false }, { actor: admin, currentSessionId: current.id });
    expect(looser).toEqual({ endedSessions: 0, people: 0, callerMustEnrol: false });
    expect(await sessionsOf(member.id)).toBe(1);
    const stricter = await saveMfaPolicy(db, { requireAll: true, requireAdmins: true }, { actor: admin, currentSessionId: current.id });
    expect(stricter).toEqual({ endedSessions: 1, people: 1, callerMustEnrol: false });
    expect(await sessionsOf(admin.id)).toBe(1);
  });
});
