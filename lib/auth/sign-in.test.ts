import { beforeAll, describe, expect, it } from "vitest";
import { createUser } from "@/lib/auth/users";
import { GENERIC_SIGN_IN_FAILURE, RATE_LIMITED_SIGN_IN, signIn } from "@/lib/auth/sign-in";
import { testEngines } from "@/test-support/databases";
import { openDatabaseForSuite } from "@/test-support/engine-database";

const policy = { idleMinutes: 30, absoluteHours: 8 };
const SLOWED = /Too many failed sign-ins for this account\. Try again in \d+ seconds?\./;

/** Addresses for attempts: each attempt of a spread-out attacker comes from a different one. */
const address = (n: number) => `203.0.113.${n}`;
const at = (start: Date, seconds: number) => new Date(start.getTime() + seconds * 1000);

describe.each(testEngines())("sign-in lockouts on $name", (engine) => {
  const database = openDatabaseForSuite(engine);
  const accounts = {
    owner: { email: "owner@example.com", password: "the owner's own passphrase 7" },
    neighbour: { email: "neighbour@example.com", password: "a neighbourly passphrase 8" },
    spread: { email: "spread@example.com", password: "spread thin across the net 9" },
    raced: { email: "raced@example.com", password: "raced by parallel guesses 10" },
    twin: { email: "twin@example.com", password: "a twin answers alike 11" },
  };
  beforeAll(async () => {
    for (const [name, account] of Object.entries(accounts)) {
      await createUser(database.prisma, { email: account.email, displayName: name, role: "member", password: account.password }, { actor: null });
    }
  });
  const attempt = (account: { email: string }, password: string, ip: string, now: Date) =>
    signIn(database.prisma, { email: account.email, password, ip, userAgent: null }, policy, now);

  it("five wrong passwords from one address do not lock the owner out elsewhere", async () => {
    const start = new Date("2031-05-01T10:00:00Z");
    // Slow enough that the account's growing wait has always passed: only the counting is tested.
    for (let n = 0; n < 5; n += 1) {
      expect(await attempt(accounts.owner, "guess guess guess", address(66), at(start, n * 120))).toEqual({ ok: false, message: GENERIC_SIGN_IN_FAILURE });
    }
    // The attacker's address is done with this account…
    expect(await attempt(accounts.owner, accounts.owner.password, address(66), at(start, 600))).toEqual({ ok: false, message: RATE_LIMITED_SIGN_IN });
    // …but not with other accounts, and the owner signs in from their own address.
    expect((await attempt(accounts.neighbour, accounts.neighbour.password, address(66), at(start, 601))).ok).toBe(true);
    expect((await attempt(accounts.owner, accounts.owner.password, address(7), at(start, 602))).ok).toBe(true);
  });

  it("slows repeated failures from many addresses with a growing not-before time stored with the account", async () => {
    const start = new Date("2031-05-02T10:00:00Z");
    const notBefore = async () =>
      (await database.prisma.user.findUniqueOrThrow({ where: { email: accounts.spread.email }, select: { signInNotBefore: true } })).signInNotBefore;
    // A few typing mistakes cost nothing.
    for (let n = 1; n <= 3; n += 1) {
      expect(await attempt(accounts.spread, "wrong wrong wrong", address(n), start)).toEqual({ ok: false, message: GENERIC_SIGN_IN_FAILURE });
    }
    let now = start;
    const waits: number[] = [];
    for (let n = 4; n <= 12; n += 1) {
      const until = (await notBefore())!;
      waits.push((until.getTime() - now.getTime()) / 1000);
      // Before that time even the right password is refused, unchecked.
      const early = await attempt(accounts.spread, accounts.spread.password, address(n + 100), new Date(until.getTime() - 1));
      expect(early.ok).toBe(false);
      expect(!early.ok && early.message).toMatch(SLOWED);
      now = until;
      expect(await attempt(accounts.spread, "wrong wrong wrong", address(n), now)).toEqual({ ok: false, message: GENERIC_SIGN_IN_FAILURE });
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60]);
    // Once the wait has passed, the owner signs in, and the slate is clean again.
    const until = (await notBefore())!;
    expect((await attempt(accounts.spread, accounts.spread.password, address(200), until)).ok).toBe(true);
    expect(await notBefore()).toBeNull();
    expect(await attempt(accounts.spread, "one typo here", address(201), until)).toEqual({ ok: false, message: GENERIC_SIGN_IN_FAILURE });
    expect((await attempt(accounts.spread, accounts.spread.password, address(201), until)).ok).toBe(true);
  });

  it("lets only one of many parallel guesses through once an account is slowed", async () => {
    const start = new Date("2031-05-03T10:00:00Z");
    for (let n = 1; n <= 3; n += 1) await attempt(accounts.raced, "wrong wrong wrong", address(n), start);
    const guesses = await Promise.all(Array.from({ length: 6 }, (_, n) => attempt(accounts.raced, `parallel guess ${n}`, address(50 + n), at(start, 1))));
    expect(guesses.filter((result) => !result.ok && result.message === GENERIC_SIGN_IN_FAILURE)).toHaveLength(1);
    expect(guesses.filter((result) => !result.ok && SLOWED.test(result.message))).toHaveLength(5);
  });

  it("answers the same for an address that has no account, so the answer does not tell whether one exists", async () => {
    const start = new Date("2031-05-04T10:00:00Z");
    const nobody = { email: "nobody-here@example.com" };
    for (let n = 1; n <= 3; n += 1) {
      expect(await attempt(nobody, "wrong wrong wrong", address(n), start)).toEqual({ ok: false, message: GENERIC_SIGN_IN_FAILURE });
    }
    const early = await attempt(nobody, "wrong wrong wrong", address(4), start);
    expect(!early.ok && early.message).toMatch(SLOWED);
    expect(await attempt(nobody, "wrong wrong wrong", address(4), at(start, 1))).toEqual({ ok: false, message: GENERIC_SIGN_IN_FAILURE });
  });

  it("answers parallel attempts for an address with no account as it answers them for an account", async () => {
    const start = new Date("2031-05-05T10:00:00Z");
    const nobody = { email: "no-twin@example.com" };
    const answers = async (account: { email: string }) => {
      for (let n = 1; n <= 3; n += 1) await attempt(account, "wrong wrong wrong", address(n), start);
      const results = await Promise.all(Array.from({ length: 4 }, (_, n) => attempt(account, `parallel guess ${n}`, address(80 + n), at(start, 1))));
      return results.map((result) => (result.ok ? "signed in" : result.message)).sort();
    };
    const forAccount = await answers(accounts.twin);
    expect(forAccount.filter((message) => SLOWED.test(message))).toHaveLength(3);
    expect(await answers(nobody)).toEqual(forAccount);
  });
});
