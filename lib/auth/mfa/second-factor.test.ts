import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { getSessionUser } from "@/lib/auth/sessions";
import { signIn } from "@/lib/auth/sign-in";
import { createUser } from "@/lib/auth/users";
import { checkTotp, confirmTotp, getMfaStatus, pendingTotpEnrolment, recoveryCodesAfterEnrolment, resetMfaByEmail } from "@/lib/auth/mfa/factors";
import { completePendingSignIn, findPendingSignIn } from "@/lib/auth/mfa/pending-sign-in";
import { getMfaPolicy, mfaRequiredFor, saveMfaPolicy } from "@/lib/auth/mfa/policy";
import { spendRecoveryCode } from "@/lib/auth/mfa/recovery-codes";
import { completeSecondFactor, PENDING_SIGN_IN_ENDED, TOO_MANY_SECOND_FACTORS } from "@/lib/auth/mfa/second-factor";
import { KeyRing } from "@/lib/crypto/seal";
import { testEngines } from "@/test-support/databases";
import { openDatabaseForSuite } from "@/test-support/engine-database";
import { totpCode } from "@/test-support/totp";

const policy = { idleMinutes: 30, absoluteHours: 8 };
const ring = new KeyRing([{ id: "k1", key: randomBytes(32) }]);
const at = (start: Date, seconds: number) => new Date(start.getTime() + seconds * 1000);

describe.each(testEngines())("multi-factor sign-in on $name", (engine) => {
  const database = openDatabaseForSuite(engine);
  const password = "an administrator's passphrase 5";
  let secret = "";
  let recoveryCodes: string[] = [];

  const passwordStep = async (email: string, ip: string, now: Date) => {
    const result = await signIn(database.prisma, { email, password, ip, userAgent: "Test", returnTo: "/audit" }, policy, now);
    if (!result.ok || !result.pending) throw new Error(`expected a pending sign-in, got ${JSON.stringify(result)}`);
    return result;
  };
  const totpStep = (token: string, code: string, ip: string, now: Date) =>
    completeSecondFactor(
      database.prisma,
      { token, purpose: "verify", method: "code", ip, userAgent: "Test", check: (pending) => checkTotp(database.prisma, ring, pending.user.id, code, now) },
      policy,
      now,
    );

  it("requires administrators on a new console to set up a second factor, before any session exists", async () => {
    const db = database.prisma;
    expect(await getMfaPolicy(db)).toEqual({ requireAll: false, requireAdmins: true });
    const admin = await createUser(db, { email: "root@example.com", displayName: "Root", role: "admin", password }, { actor: null });
    const start = new Date("2031-06-01T10:00:00Z");
    const first = await passwordStep("root@example.com", "192.0.2.1", start);
    expect(first.pending).toBe("enrol");
    expect(await db.session.count()).toBe(0);
    // The pending token is no session, whatever it is presented as.
    expect(await getSessionUser(db, first.token, policy, start)).toBeNull();

    const enrolment = await pendingTotpEnrolment(db, ring, { id: admin.id, email: "root@example.com" });
    secret = enrolment!.secret;
    expect(enrolment!.uri).toMatch(/^otpauth:\/\/totp\/.*secret=/);
    expect(enrolment!.qrSvg).toMatch(/^<svg/);
    // Sealed to its row: the stored value is not the secret and opens only there.
    const stored = await db.mfaTotp.findUniqueOrThrow({ where: { userId: admin.id }, select: { secretSealed: true } });
    expect(stored.secretSealed).not.toContain(secret);
    expect(stored.secretSealed).toMatch(/^cs1\./);

    const enrolled = await completeSecondFactor(
      db,
      { token: first.token, purpose: "enrol", method: "code", ip: "192.0.2.1", userAgent: "Test", check: (pending) => confirmTotp(db, ring, pending.user.id, totpCode(secret, start), start) },
      policy,
      start,
    );
    expect(enrolled).toMatchObject({ ok: true, session: null });
    recoveryCodes = (await recoveryCodesAfterEnrolment(db, admin.id))!;
    expect(recoveryCodes).toHaveLength(10);
    expect(await db.mfaRecoveryCode.count({ where: { codeHash: { in: recoveryCodes } } })).toBe(0);
    const pending = await findPendingSignIn(db, first.token, start);
    expect(pending?.purpose).toBe("enrolled");
    const session = await completePendingSignIn(db, pending!, { ip: "192.0.2.1", userAgent: "Test" }, policy, "a new authenticator app", start);
    expect((await getSessionUser(db, session!.token, policy, start))?.email).toBe("root@example.com");
    // Spent once: the same pending sign-in gives no second session.
    expect(await completePendingSignIn(db, pending!, { ip: null, userAgent: null }, policy, "again", start)).toBeNull();
    expect(await getMfaStatus(db, admin.id)).toEqual({ totp: true, passkeys: 0, recoveryCodesLeft: 10 });
  });

  it("asks for the code at the next sign-in, and refuses a code used before", async () => {
    const start = new Date("2031-06-02T10:00:00Z");
    const first = await passwordStep("root@example.com", "192.0.2.2", start);
    expect(first.pending).toBe("verify");
    const code = totpCode(secret, start);
    const done = await totpStep(first.token, code, "192.0.2.2", start);
    expect(done.ok && done.session && done.pending.returnTo).toBe("/audit");

    const second = await passwordStep("root@example.com", "192.0.2.2", at(start, 5));
    expect(await totpStep(second.token, code, "192.0.2.2", at(start, 5))).toEqual({ ok: false, message: "That code is not right. Try again.", ended: false });
    expect((await totpStep(second.token, totpCode(secret, at(start, 30)), "192.0.2.2", at(start, 30))).ok).toBe(true);
  });

  it("limits wrong codes like passwords: a few end the pending sign-in, and are audited", async () => {
    const db = database.prisma;
    const start = new Date("2031-06-03T10:00:00Z");
    const attacker = "203.0.113.9";
    const pending = await passwordStep("root@example.com", attacker, start);
    const answers = [];
    // Spaced out so that the account's growing wait has always passed: only the counting is tested.
    for (let n = 0; n < 5; n += 1) answers.push(await totpStep(pending.token, "000000", attacker, at(start, n * 120)));
    expect(answers.slice(0, 4).every((answer) => !answer.ok && !answer.ended)).toBe(true);
    expect(answers[4]).toEqual({ ok: false, message: TOO_MANY_SECOND_FACTORS, ended: true });
    expect(await findPendingSignIn(db, pending.token, at(start, 600))).toBeNull();

    // With the password again, the address stays refused for the window, even with the right code.
    const again = await passwordStep("root@example.com", attacker, at(start, 700));
    expect(await totpStep(again.token, totpCode(secret, at(start, 700)), attacker, at(start, 700))).toEqual({ ok: false, message: TOO_MANY_SECOND_FACTORS, ended: true });
    // A right password from another address does not wipe the account's count of wrong codes, so the
    // wait they built keeps growing for a guesser who moves between addresses.
    const account = await db.user.findUniqueOrThrow({ where: { email: "root@example.com" }, select: { failedSignIns: true } });
    expect(account.failedSignIns).toBeGreaterThanOrEqual(5);
    // The owner, elsewhere, is not locked out.
    const owner = await passwordStep("root@example.com", "192.0.2.3", at(start, 760));
    expect((await totpStep(owner.token, totpCode(secret, at(start, 760)), "192.0.2.3", at(start, 760))).ok).toBe(true);

    const audited = await db.auditEvent.findMany({ where: { action: { startsWith: "auth.second-factor" }, ip: attacker }, select: { action: true, summary: true } });
    expect(audited.filter((event) => event.action === "auth.second-factor-failed")).toHaveLength(5);
    expect(audited.filter((event) => event.action === "auth.second-factor-locked")).toHaveLength(1);
    expect(audited.every((event) => !event.summary.includes("000000"))).toBe(true);
  });

  it("takes each recovery code once", async () => {
    const db = database.prisma;
    const start = new Date("2031-06-04T10:00:00Z");
    const user = await db.user.findUniqueOrThrow({ where: { email: "root@example.com" }, select: { id: true } });
    const typed = recoveryCodes[0]!.toUpperCase().replace("-", " ");
    const viaRecovery = (token: string, now: Date) =>
      completeSecondFactor(db, { token, purpose: "verify", method: "recovery code", ip: "192.0.2.4", userAgent: null, check: (p) => spendRecoveryCode(db, p.user.id, typed, now) }, policy, now);
    const first = await passwordStep("root@example.com", "192.0.2.4", start);
    expect((await viaRecovery(first.token, start)).ok).toBe(true);
    const second = await passwordStep("root@example.com", "192.0.2.4", at(start, 10));
    expect((await viaRecovery(second.token, at(start, 10))).ok).toBe(false);
    expect((await getMfaStatus(db, user.id)).recoveryCodesLeft).toBe(9);
  });

  it("ends a pending sign-in after its minutes, and never takes one for the wrong step", async () => {
    const start = new Date("2031-06-05T10:00:00Z");
    const pending = await passwordStep("root@example.com", "192.0.2.5", start);
    expect(await totpStep(pending.token, totpCode(secret, at(start, 601)), "192.0.2.5", at(start, 601))).toEqual({ ok: false, message: PENDING_SIGN_IN_ENDED, ended: true });
    const fresh = await passwordStep("root@example.com", "192.0.2.5", at(start, 700));
    const wrongStep = await completeSecondFactor(
      database.prisma,
      { token: fresh.token, purpose: "enrol", method: "code", ip: null, userAgent: null, check: async () => true },
      policy,
      at(start, 700),
    );
    expect(wrongStep).toEqual({ ok: false, message: PENDING_SIGN_IN_ENDED, ended: true });
  });

  it("lets an administrator turn a person's MFA off, audited, and follows the policy", async () => {
    const db = database.prisma;
    const user = await db.user.findUniqueOrThrow({ where: { email: "root@example.com" }, select: { id: true, email: true } });
    await expect(resetMfaByEmail(db, "nobody@example.com")).rejects.toThrow("No account has the email address nobody@example.com. Nothing was changed.");
    expect(await resetMfaByEmail(db, "Root@Example.com")).toBe("root@example.com");
    expect(await getMfaStatus(db, user.id)).toEqual({ totp: false, passkeys: 0, recoveryCodesLeft: 0 });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "user.mfa-reset" }, select: { targetId: true, summary: true } });
    expect(audit).toEqual({ targetId: user.id, summary: expect.stringContaining("users:reset-mfa") });
    // Still an administrator on a console that requires it: enrolment again.
    expect((await passwordStep("root@example.com", "192.0.2.6", new Date("2031-06-06T10:00:00Z"))).pending).toBe("enrol");

    await saveMfaPolicy(db, { requireAll: false, requireAdmins: false }, { actor: user });
    const free = await signIn(db, { email: "root@example.com", password, ip: "192.0.2.6", userAgent: null }, policy, new Date("2031-06-06T10:01:00Z"));
    expect(free.ok && free.pending).toBeUndefined();
    await saveMfaPolicy(db, { requireAll: true, requireAdmins: true }, { actor: user });
    expect(mfaRequiredFor(await getMfaPolicy(db), "member")).toBe(true);
    expect(await db.auditEvent.count({ where: { action: "settings.mfa-policy" } })).toBe(2);
  });
  it("shows an unconfirmed authenticator secret again only minutes after it was made, never one from an abandoned enrolment", async () => {
    const db = database.prisma;
    const person = await createUser(db, { email: "late-enrolment@example.com", displayName: "Late", role: "helpdesk", password }, { actor: null });
    const start = new Date("2031-07-01T10:00:00Z");
    const first = await pendingTotpEnrolment(db, ring, { id: person.id, email: "late-enrolment@example.com" }, start);
    const reloaded = await pendingTotpEnrolment(db, ring, { id: person.id, email: "late-enrolment@example.com" }, at(start, 9 * 60));
    expect(reloaded!.secret).toBe(first!.secret);
    const later = await pendingTotpEnrolment(db, ring, { id: person.id, email: "late-enrolment@example.com" }, at(start, 11 * 60));
    expect(later!.secret).not.toBe(first!.secret);
    // Whoever saw the first secret cannot have it confirmed as the account's app.
    expect(await confirmTotp(db, ring, person.id, totpCode(first!.secret, at(start, 12 * 60)), at(start, 12 * 60))).toBe(false);
    expect(await confirmTotp(db, ring, person.id, totpCode(later!.secret, at(start, 12 * 60)), at(start, 12 * 60))).toBe(true);
  });
});
