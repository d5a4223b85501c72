import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { verifyPassword } from "@/lib/auth/passwords";
import {
  CONNECT_LINK_PROBLEMS,
  CONNECT_LINK_TTL_DAYS,
  connectLinkPath,
  createAccountFromConnectLink,
  createConnectLink,
  emailConnectLink,
  getConnectLinkStatus,
  redeemConnectLink,
  revokeConnectLink,
} from "@/lib/delegated/connect-links";
import { resetEnvCache } from "@/lib/env";
import { UserFacingError } from "@/lib/errors";
import { createUserForSuite } from "@/test-support/console-users";
import { testEngines } from "@/test-support/databases";
import { openDatabaseForSuite } from "@/test-support/engine-database";
import { startSmtpSink, type SinkMail, type SmtpSink } from "@/test-support/smtp-sink";

/** One-time "connect your calendar" links: newest wins, one use, for one person, seven days. */

const DAY_MS = 86_400_000;
const contosoId = "7a1c2e3f-4b5d-4c6e-8f70-819a2b3c4d5e";

describe.each(testEngines())("connect links on $name", (engine) => {
  const database = openDatabaseForSuite(engine);
  const helpdesk = createUserForSuite(database, "helpdesk@example.com", "Helpdesk", "helpdesk");

  beforeEach(async () => {
    await database.prisma.connectLink.deleteMany();
    await database.prisma.connection.deleteMany();
    await database.prisma.user.deleteMany({ where: { id: { not: helpdesk.id } } });
  });

  const create = (email: string, connectionId?: string, now?: Date) =>
    createConnectLink(database.prisma, { email, ...(connectionId ? { connectionId } : {}) }, { actor: helpdesk, ip: "192.0.2.10", allowNewAccount: true }, now);

  /** A connection owned by dana@example.com (reconnect links go to the owner only). */
  async function mailboxConnection(kind: "mailbox" | "organization" = "mailbox"): Promise<string> {
    const id = randomUUID();
    const owner = await database.prisma.user.upsert({
      where: { email: "dana@example.com" },
      create: { email: "dana@example.com", displayName: "Dana", role: "member" },
      update: {},
      select: { id: true },
    });
    await database.prisma.connection.create({
      data: { id, name: `Mailbox ${id.slice(0, 6)}`, kind, cloud: "global", tenant: contosoId, tenantId: contosoId, clientId: randomUUID(), mailboxScope: { kind: "all" }, ownerId: owner.id },
      select: { id: true },
    });
    return id;
  }

  async function rejection(promise: Promise<unknown>): Promise<UserFacingError> {
    const error = await promise.then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UserFacingError);
    return error as UserFacingError;
  }

  it("creates a link that is valid for seven days and stores only its hash", async () => {
    const now = new Date();
    const { token, expiresAt } = await create("dana@example.com", undefined, now);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(connectLinkPath(token)).toBe(`/connect/link/${token}`);
    expect(expiresAt.getTime()).toBe(now.getTime() + CONNECT_LINK_TTL_DAYS * DAY_MS);
    const status = await getConnectLinkStatus(database.prisma, token, now);
    expect(status).toEqual({ state: "valid", id: expect.any(String), email: "dana@example.com", connectionId: null, accountExists: false, expiresAt });
    const raw = await database.sql.query("SELECT * FROM connect_links");
    expect(raw).toHaveLength(1);
    expect(JSON.stringify(raw)).not.toContain(token);
    const audit = await database.prisma.auditEvent.findFirst({ where: { action: "mailbox.invite" }, orderBy: { id: "desc" } });
    expect(audit).toMatchObject({ actorId: helpdesk.id, targetType: "connect-link", targetLabel: "dana@example.com", ip: "192.0.2.10" });
    expect(audit!.summary).not.toContain(token);
  });

  it("knows when the person already has an account", async () => {
    await database.prisma.user.create({ data: { email: "erin@example.com", displayName: "Erin", role: "member" } });
    const { token } = await create("erin@example.com");
    expect(await getConnectLinkStatus(database.prisma, token)).toMatchObject({ state: "valid", accountExists: true });
  });

  it("replaces an older link for the same person and mailbox, and only that one", async () => {
    const older = await create("dana@example.com");
    const otherPerson = await create("frank@example.com");
    const connectionId = await mailboxConnection();
    const reconnect = await create("dana@example.com", connectionId);
    // A reconnect link for a mailbox is a different link from the invitation.
    expect((await getConnectLinkStatus(database.prisma, older.token)).state).toBe("valid");
    const newer = await create("dana@example.com");
    expect((await getConnectLinkStatus(database.prisma, older.token)).state).toBe("used");
    expect((await getConnectLinkStatus(database.prisma, newer.token)).state).toBe("valid");
    expect((await getConnectLinkStatus(database.prisma, otherPerson.token)).state).toBe("valid");
    expect(await getConnectLinkStatus(database.prisma, reconnect.token)).toMatchObject({ state: "valid", connectionId });
    const error = await rejection(redeemConnectLink(database.prisma, older.token, { email: "dana@example.com" }));
    expect(error.message).toBe(CONNECT_LINK_PROBLEMS.used);
  });

  it("is redeemed only by the person it was made for, and only once", async () => {
    const connectionId = await mailboxConnection();
    const { token } = await create("dana@example.com", connectionId);
    const wrong = await rejection(redeemConnectLink(database.prisma, token, { email: "mallory@example.com" }));
    expect(wrong.message).toContain("This link is for dana@example.com, but you are signed in as mallory@example.com");
    // The refusal did not use the link up.
    expect((await getConnectLinkStatus(database.prisma, token)).state).toBe("valid");
    expect(await redeemConnectLink(database.prisma, token, { email: "Dana@Example.com" })).toEqual({ connectionId });
    expect((await getConnectLinkStatus(database.prisma, token)).state).toBe("used");
    expect((await rejection(redeemConnectLink(database.prisma, token, { email: "dana@example.com" }))).message).toBe(CONNECT_LINK_PROBLEMS.used);
  });

  it("lets exactly one of two simultaneous redemptions through", async () => {
    const { token } = await create("dana@example.com");
    const results = await Promise.allSettled([0, 1, 2].map(() => redeemConnectLink(database.prisma, token, { email: "dana@example.com" })));
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    for (const result of results) if (result.status === "rejected") expect(result.reason).toBeInstanceOf(UserFacingError);
  });

  it("expires after seven days", async () => {
    const now = new Date();
    const { token, expiresAt } = await create("dana@example.com", undefined, now);
    expect((await getConnectLinkStatus(database.prisma, token, new Date(expiresAt.getTime() - 1_000))).state).toBe("valid");
    expect((await getConnectLinkStatus(database.prisma, token, expiresAt)).state).toBe("expired");
    const later = new Date(now.getTime() + 8 * DAY_MS);
    expect((await rejection(redeemConnectLink(database.prisma, token, { email: "dana@example.com" }, later))).message).toBe(CONNECT_LINK_PROBLEMS.expired);
    expect((await rejection(createAccountFromConnectLink(database.prisma, { token, displayName: "Dana", password: "a long enough password 1", ip: null }, later))).message).toBe(
      CONNECT_LINK_PROBLEMS.expired,
    );
  });

  it("does not recognise a made-up or mangled token", async () => {
    const { token } = await create("dana@example.com");
    expect((await getConnectLinkStatus(database.prisma, token.slice(0, -1))).state).toBe("unknown");
    expect((await getConnectLinkStatus(database.prisma, "A".repeat(43))).state).toBe("unknown");
    expect((await getConnectLinkStatus(database.prisma, "../../etc/passwd")).state).toBe("unknown");
    expect((await rejection(redeemConnectLink(database.prisma, "B".repeat(43), { email: "dana@example.com" }))).message).toBe(CONNECT_LINK_PROBLEMS.unknown);
  });

  it("creates a member account from the link, once, and leaves the link valid to connect", async () => {
    const { token } = await create("gina@example.com");
    const password = "correct horse battery staple 9";
    const created = await createAccountFromConnectLink(database.prisma, { token, displayName: "Gina", password, ip: "192.0.2.20" });
    expect(created.email).toBe("gina@example.com");
    const user = await database.prisma.user.findUniqueOrThrow({ where: { id: created.userId } });
    expect(user).toMatchObject({ email: "gina@example.com", displayName: "Gina", role: "member", active: true });
    expect(user.passwordHash).not.toContain(password);
    expect(await verifyPassword(user.passwordHash!, password)).toBe(true);
    const audit = await database.prisma.auditEvent.findFirst({ where: { action: "user.connect-link-accept", targetId: created.userId } });
    expect(audit).toMatchObject({ actorId: created.userId, ip: "192.0.2.20" });
    expect(audit!.summary).not.toContain(password);

    expect(await getConnectLinkStatus(database.prisma, token)).toMatchObject({ state: "valid", accountExists: true });
    const again = await rejection(createAccountFromConnectLink(database.prisma, { token, displayName: "Gina 2", password, ip: null }));
    expect(again.message).toMatch(/already exists/);
    expect(await database.prisma.user.count({ where: { email: "gina@example.com" } })).toBe(1);
    expect(await redeemConnectLink(database.prisma, token, { email: "gina@example.com" })).toEqual({ connectionId: null });
  });

  it("refuses links for a deactivated person or for an organisation connection", async () => {
    await database.prisma.user.create({ data: { email: "gone@example.com", displayName: "Gone", role: "member", active: false } });
    expect((await rejection(create("gone@example.com"))).message).toMatch(/deactivated/);
    const organization = await mailboxConnection("organization");
    expect((await rejection(create("dana@example.com", organization))).message).toMatch(/only for mailbox connections/);
    expect(await database.prisma.connectLink.count()).toBe(0);
  });

  it("sends a reconnect link only to the mailbox's owner", async () => {
    const connectionId = await mailboxConnection();
    const error = await rejection(create("mallory@example.com", connectionId));
    expect(error.fieldErrors?.email).toBe("A reconnect link can only go to its owner, dana@example.com.");
    expect(await database.prisma.connectLink.count()).toBe(0);
  });

  it("lets a link create an account only where allowed (helpdesk's copied links may not)", async () => {
    const copied = (email: string) => createConnectLink(database.prisma, { email }, { actor: helpdesk, allowNewAccount: false });
    const error = await rejection(copied("ceo@example.com"));
    expect(error.fieldErrors?.email).toMatch(/No console account has this address yet/);
    expect(await database.prisma.connectLink.count()).toBe(0);
    await database.prisma.user.create({ data: { email: "erin@example.com", displayName: "Erin", role: "member" } });
    expect(await copied("erin@example.com")).toMatchObject({ accountExists: true });
  });

  it("withdraws a link that could not be delivered", async () => {
    const { token } = await create("dana@example.com");
    await revokeConnectLink(database.prisma, token);
    expect((await getConnectLinkStatus(database.prisma, token)).state).toBe("used");
  });

  it("deletes a mailbox's reconnect links with the mailbox", async () => {
    const connectionId = await mailboxConnection();
    const { token } = await create("dana@example.com", connectionId);
    await database.prisma.connection.delete({ where: { id: connectionId } });
    expect((await getConnectLinkStatus(database.prisma, token)).state).toBe("unknown");
  });
});

describe("emailConnectLink", () => {
  let sink: SmtpSink;
  let mails: SinkMail[];
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    sink = await startSmtpSink();
    mails = sink.mails;
  });
  afterAll(async () => {
    process.env = savedEnv;
    resetEnvCache();
    await sink.close();
  });
  beforeEach(() => {
    mails.length = 0;
    process.env.CALSYNC_SMTP_URL = sink.url;
    process.env.CALSYNC_SMTP_FROM = "calsync@example.com";
    resetEnvCache();
  });
  afterEach(() => {
    delete process.env.CALSYNC_SMTP_URL;
    delete process.env.CALSYNC_SMTP_FROM;
    resetEnvCache();
  });

  // Quoted-printable may wrap long lines with "=\r\n"; unwrap before looking for the URL.
  const body = (data: string) => data.replace(/=\r?\n/g, "");
  const url = `https://calsync.example.test${connectLinkPath("AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcd")}`;

  it("delivers an invitation with the link", async () => {
    const result = await emailConnectLink({ email: "dana@example.com", url, reconnect: false, sender: "Helpdesk (helpdesk@example.com)", expiresAt: new Date("2031-05-06T12:00:00Z") });
    expect(result).toEqual({ ok: true });
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toEqual(["dana@example.com"]);
    expect(mails[0]!.data).toMatch(/^Subject: Connect your calendar to Calsync\r?$/m);
    expect(mails[0]!.data).toMatch(/^X-Calsync-Event: connect-invite\r?$/m);
    expect(body(mails[0]!.data)).toContain(url);
    expect(body(mails[0]!.data)).toContain("Helpdesk (helpdesk@example.com) asks you to connect");
    expect(body(mails[0]!.data)).toContain("expires on 2031-05-06");
  });

  it("delivers a reconnect link", async () => {
    expect((await emailConnectLink({ email: "dana@example.com", url, reconnect: true, sender: "Helpdesk", expiresAt: new Date("2031-05-06T12:00:00Z") })).ok).toBe(true);
    expect(mails[0]!.data).toMatch(/^Subject: Reconnect your calendar to Calsync\r?$/m);
    expect(mails[0]!.data).toMatch(/^X-Calsync-Event: reconnect-link\r?$/m);
    expect(body(mails[0]!.data)).toContain(url);
  });

  it("says so when email is not configured", async () => {
    delete process.env.CALSYNC_SMTP_URL;
    resetEnvCache();
    const result = await emailConnectLink({ email: "dana@example.com", url, reconnect: false, sender: "Helpdesk", expiresAt: new Date() });
    expect(result).toEqual({ ok: false, error: expect.stringContaining("Email is not configured") });
    expect(mails).toHaveLength(0);
  });
});
