import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { signInThroughForm } from "@/simulator/browser-sign-in";
import { demo } from "@/simulator/demo-ids";
import { KeyRing } from "@/lib/crypto/seal";
import { hashPassword } from "@/lib/auth/passwords";
import { getSessionUser } from "@/lib/auth/sessions";
import { signIn } from "@/lib/auth/sign-in";
import { changeUserRole, endUserSessions, setBreakGlass } from "@/lib/auth/users";
import { createInvite } from "@/lib/auth/invites";
import { createConnectLink } from "@/lib/delegated/connect-links";
import { UserFacingError } from "@/lib/errors";
import { completeMicrosoftSignIn, getMicrosoftSignInRefusal, MICROSOFT_SIGN_IN_TTL_MS, startMicrosoftSignIn } from "@/lib/auth/oidc/sign-in";
import { getConsoleSignIn, MICROSOFT_ONLY_SIGN_IN, saveConsoleSignIn } from "@/lib/auth/oidc/settings";
import type { ConsoleSignInInput } from "@/lib/auth/oidc/settings-schema";
import { saveSignInAppForSuite } from "@/test-support/connect-mailbox";
import { consoleGroups, consoleSignInScenario, fabrikam } from "@/test-support/console-sign-in-scenario";
import { createUserForSuite } from "@/test-support/console-users";
import { testEngines } from "@/test-support/databases";
import { openDatabaseForSuite } from "@/test-support/engine-database";
import { CALLBACK, CONSOLE_SIGN_IN_CALLBACK, simulatorCloudForFile } from "@/test-support/simulator-cloud";
import { patchScenario } from "@/test-support/simulator-scenario";
import { startDemoSimulatorForFile } from "@/test-support/simulator-trust";

/**
 * Sign in with Microsoft end to end: startMicrosoftSignIn → the simulator's /authorize pages (played
 * like a browser) → completeMicrosoftSignIn with the real msal-node. Roles come from the simulator's ID
 * tokens (app roles, groups, the groups overage read through Graph); nothing is mocked.
 */

const { sim, pristine } = startDemoSimulatorForFile();
simulatorCloudForFile(sim);
beforeEach(() => {
  sim.setScenario(consoleSignInScenario(pristine(), { clientId: demo.apps.healthy.clientId, redirectUris: [CALLBACK, CONSOLE_SIGN_IN_CALLBACK] }));
});

const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);
const policy = { idleMinutes: 60, absoluteHours: 12 };
const ip = "203.0.113.9";
/** The contoso admin's mail attribute: the ID token's `email`, so the address a new account gets. */
const adminEmail = "admin@contoso.com";

const settingsInput = (patch: Partial<ConsoleSignInInput> = {}): ConsoleSignInInput => ({
  tenants: [demo.contoso.domain],
  adminGroups: [consoleGroups.admins],
  helpdeskGroups: [consoleGroups.helpdesk],
  memberGroups: [],
  allowMembers: false,
  microsoftOnly: false,
  memberTenants: [],
  expectedVersion: 0,
  appKind: "mailbox",
  certificatePem: undefined,
  ...patch,
});

describe.each(testEngines())("Sign in with Microsoft on $name", (engine) => {
  const database = openDatabaseForSuite(engine);
  const operator = createUserForSuite(database, "operator@example.com", "Operator", "admin");
  saveSignInAppForSuite(database, ring, operator);

  beforeEach(async () => {
    await database.prisma.session.deleteMany();
    await database.prisma.microsoftSignIn.deleteMany();
    await database.prisma.linkedIdentity.deleteMany();
    await database.prisma.consoleSignIn.deleteMany();
    await database.prisma.user.deleteMany({ where: { id: { not: operator.id } } });
  });

  async function configure(patch: Partial<ConsoleSignInInput> = {}) {
    const current = await getConsoleSignIn(database.prisma);
    const saved = await saveConsoleSignIn(database.prisma, ring, settingsInput({ expectedVersion: current?.version ?? 0, ...patch }), { actor: operator });
    expect(saved.checks.filter((check) => check.status === "fail")).toEqual([]);
    expect(saved.saved).toBe(true);
  }

  async function microsoftSignIn(login: string, options: { binding?: string; now?: Date; purpose?: "connect"; connectLinkToken?: string; inviteToken?: string } = {}) {
    const started = await startMicrosoftSignIn(database.prisma, ring, {
      returnTo: "/status",
      ip,
      ...(options.purpose ? { purpose: options.purpose } : {}),
      ...(options.connectLinkToken ? { connectLinkToken: options.connectLinkToken } : {}),
      ...(options.inviteToken ? { inviteToken: options.inviteToken } : {}),
    });
    const location = await signInThroughForm(started.url, { login, password: demo.password, mfa: "mfa-approve" });
    expect(`${location.origin}${location.pathname}`).toBe(CONSOLE_SIGN_IN_CALLBACK);
    const complete = () =>
      completeMicrosoftSignIn(database.prisma, ring, { params: location.searchParams, binding: options.binding ?? started.binding, ip, userAgent: "Test" }, policy, options.now);
    return { started, location, outcome: await complete(), complete };
  }

  async function signedInUser(outcome: Awaited<ReturnType<typeof completeMicrosoftSignIn>>) {
    if (outcome.kind !== "signed-in") throw new Error(`expected a sign-in, got ${JSON.stringify(outcome)}`);
    const user = await getSessionUser(database.prisma, outcome.token, policy);
    expect(user).not.toBeNull();
    return user!;
  }

  async function refusalCode(result: Awaited<ReturnType<typeof microsoftSignIn>>) {
    if (result.outcome.kind !== "refused") throw new Error(`expected a refusal, got ${JSON.stringify(result.outcome)}`);
    return (await getMicrosoftSignInRefusal(database.prisma, result.outcome.attemptId, result.started.binding))?.code;
  }

  it("asks Microsoft with PKCE, a nonce and the trusted tenant, and gives the admin role from the Calsync.Admin app role", async () => {
    await configure();
    const started = await startMicrosoftSignIn(database.prisma, ring, { returnTo: "/status", ip });
    const authorize = new URL(started.url);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${sim.origin}/${demo.contoso.id}/oauth2/v2.0/authorize`);
    expect(authorize.searchParams.get("redirect_uri")).toBe(CONSOLE_SIGN_IN_CALLBACK);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("nonce")).toBeTruthy();
    expect(authorize.searchParams.get("scope")!.split(" ")).toEqual(expect.arrayContaining(["openid", `${sim.origin}/GroupMember.Read.All`]));

    const result = await microsoftSignIn(demo.users.admin.upn);
    const user = await signedInUser(result.outcome);
    expect(user).toMatchObject({ email: adminEmail, role: "admin" });
    expect(result.outcome).toMatchObject({ returnTo: "/status" });
    const identity = await database.prisma.linkedIdentity.findFirstOrThrow({ select: { tenantId: true, objectId: true, userId: true } });
    expect(identity).toEqual({ tenantId: demo.contoso.id, objectId: demo.users.admin.id, userId: user.id });
    const account = await database.prisma.user.findUniqueOrThrow({ where: { id: user.id }, select: { passwordHash: true } });
    expect(account.passwordHash).toBeNull();
    const audit = await database.prisma.auditEvent.findMany({ where: { targetId: user.id }, select: { action: true, summary: true } });
    expect(audit.map((event) => event.action)).toEqual(expect.arrayContaining(["user.create", "session.sign-in"]));
    expect(audit.find((event) => event.action === "session.sign-in")?.summary).toContain("app role Calsync.Admin");
  });

  it("signs staff in through a separate app of its own, verified before anything is saved, its credential sealed", async () => {
    // The app roles and the console's redirect URI live on the separate app alone.
    const separate = demo.apps.mailboxSignIn;
    sim.setScenario(consoleSignInScenario(pristine(), { clientId: separate.clientId, redirectUris: [CONSOLE_SIGN_IN_CALLBACK] }));
    const separateInput = { appKind: "separate" as const, cloud: "custom" as const, clientId: separate.clientId, homeTenant: demo.contoso.domain, credentialKind: "secret" as const };

    const wrong = await saveConsoleSignIn(database.prisma, ring, settingsInput({ ...separateInput, clientSecret: "wrong~secret~value~000000000000000" }), { actor: operator });
    expect(wrong.saved).toBe(false);
    expect(wrong.checks.find((check) => check.status === "fail")?.id).toBe("token");
    expect(await database.prisma.consoleSignIn.count()).toBe(0);
    await expect(
      saveConsoleSignIn(database.prisma, ring, settingsInput({ ...separateInput, clientId: demo.apps.healthy.clientId, clientSecret: demo.apps.healthy.secret }), { actor: operator }),
    ).rejects.toThrow("This client ID is the mailbox sign-in app's");
    expect(await database.prisma.consoleSignIn.count()).toBe(0);

    await configure({ ...separateInput, clientSecret: separate.secret });
    const rows = await database.sql.query<Record<string, unknown>>("SELECT app_kind, client_id, app_credential_sealed, app_credential_hint FROM console_sign_ins");
    expect(rows[0]).toMatchObject({ app_kind: "separate", client_id: separate.clientId, app_credential_hint: separate.secret.slice(-4) });
    expect(String(rows[0]!.app_credential_sealed)).toMatch(/^cs1\.t1\./);
    expect(String(rows[0]!.app_credential_sealed)).not.toContain(separate.secret);
    const audit = await database.prisma.auditEvent.findFirstOrThrow({ where: { action: "console-sign-in.save" }, orderBy: { id: "desc" }, select: { summary: true } });
    expect(audit.summary).toContain(`through its own app ${separate.clientId}`);
    expect(audit.summary).not.toContain(separate.secret);

    const started = await startMicrosoftSignIn(database.prisma, ring, { returnTo: "/status", ip });
    expect(new URL(started.url).searchParams.get("client_id")).toBe(separate.clientId);
    const user = await signedInUser((await microsoftSignIn(demo.users.admin.upn)).outcome);
    expect(user).toMatchObject({ email: adminEmail, role: "admin" });

    // Saving again with the credential left empty keeps the sealed one; going back to the mailbox sign-in app keeps no copy.
    await configure({ ...separateInput, clientSecret: undefined });
    await configure({ appKind: "mailbox" });
    const after = await database.sql.query<Record<string, unknown>>("SELECT app_kind, client_id, app_credential_sealed FROM console_sign_ins");
    expect(after[0]).toEqual({ app_kind: "mailbox", client_id: demo.apps.healthy.clientId, app_credential_sealed: null });
  });

  it("gives helpdesk from a group, also when the token carries the groups overage and the groups are read from Graph", async () => {
    await configure();
    expect(await signedInUser((await microsoftSignIn(demo.users.megan.upn)).outcome)).toMatchObject({ role: "helpdesk" });
    expect(await signedInUser((await microsoftSignIn(demo.users.lynne.upn)).outcome)).toMatchObject({ role: "helpdesk" });
    expect(sim.requests.some((request) => request.path.endsWith("/me/getMemberGroups") && request.status === 200)).toBe(true);
  });

  it("refuses a person without a role and names the refusal, unless members are allowed", async () => {
    await configure();
    const refused = await microsoftSignIn(demo.users.adele.upn);
    expect(await refusalCode(refused)).toBe("no-role");
    expect(await database.prisma.user.count({ where: { email: demo.users.adele.upn } })).toBe(0);
    // The refusal is readable only in the browser that started the attempt.
    expect(await getMicrosoftSignInRefusal(database.prisma, (refused.outcome as { attemptId: string }).attemptId, "another-browser")).toBeNull();

    await configure({ allowMembers: true });
    expect(await signedInUser((await microsoftSignIn(demo.users.adele.upn)).outcome)).toMatchObject({ role: "member" });
  });

  it("refuses an account of a tenant that is not trusted, even with the admin app role", async () => {
    // Two trusted tenants sign in at /organizations, so Microsoft lets Fabrikam's person through and the tid check decides.
    await configure({ tenants: [demo.contoso.domain, demo.usgov.id] });
    const refused = await microsoftSignIn(fabrikam.ben.upn);
    expect(await refusalCode(refused)).toBe("tenant-not-trusted");
    expect(await database.prisma.user.count({ where: { email: fabrikam.ben.upn } })).toBe(0);
    expect(await database.prisma.linkedIdentity.count()).toBe(0);
  });

  it("re-evaluates the role at every sign-in: a person whose app role was removed is downgraded, and an admin ends their sessions at once", async () => {
    await configure({ allowMembers: true });
    const first = await signedInUser((await microsoftSignIn(demo.users.admin.upn)).outcome);
    expect(first.role).toBe("admin");
    patchScenario(sim, (scenario) => {
      scenario.tenants[0]!.users.find((user) => user.id === demo.users.admin.id)!.appRoleAssignments = [];
    });
    const second = await microsoftSignIn(demo.users.admin.upn);
    const downgraded = await signedInUser(second.outcome);
    expect(downgraded).toMatchObject({ id: first.id, role: "member" });
    expect(await database.prisma.user.count({ where: { email: adminEmail } })).toBe(1);

    expect(await endUserSessions(database.prisma, first.id, { actor: operator })).toBe(2);
    if (second.outcome.kind !== "signed-in") throw new Error("expected a session");
    expect(await getSessionUser(database.prisma, second.outcome.token, policy)).toBeNull();
  });

  it("links a signed-in local account to its Microsoft account, after which Microsoft sign-in reaches it", async () => {
    await configure();
    const local = await database.prisma.user.create({ data: { email: adminEmail, displayName: "Local", role: "helpdesk" }, select: { id: true } });
    const start = () => startMicrosoftSignIn(database.prisma, ring, { returnTo: "/account/microsoft", ip, purpose: "link", linkUserId: local.id });
    const complete = async (started: Awaited<ReturnType<typeof start>>, sessionUserId: string) => {
      const location = await signInThroughForm(started.url, { login: demo.users.admin.upn, password: demo.password });
      return completeMicrosoftSignIn(database.prisma, ring, { params: location.searchParams, binding: started.binding, ip, userAgent: null, sessionUserId }, policy);
    };
    // The callback must come back to the same console session that started the link.
    expect(await complete(await start(), operator.id)).toMatchObject({ kind: "refused", purpose: "link" });
    expect(await complete(await start(), local.id)).toEqual({ kind: "linked" });
    expect(await database.prisma.linkedIdentity.findFirstOrThrow({ select: { userId: true, tenantId: true, objectId: true } })).toEqual({ userId: local.id, tenantId: demo.contoso.id, objectId: demo.users.admin.id });

    const signedIn = await signedInUser((await microsoftSignIn(demo.users.admin.upn)).outcome);
    expect(signedIn).toMatchObject({ id: local.id, role: "admin" });
  });

  it("matches people by tenant and object id, never by email: an existing account with the same address is not taken over", async () => {
    await configure();
    await database.prisma.user.create({ data: { email: adminEmail, displayName: "Local", role: "member" }, select: { id: true } });
    expect(await refusalCode(await microsoftSignIn(demo.users.admin.upn))).toBe("email-taken");
    expect(await database.prisma.linkedIdentity.count()).toBe(0);
  });

  it("accepts a callback once, only in the browser that started it, and only within ten minutes", async () => {
    await configure();
    const otherBrowser = await microsoftSignIn(demo.users.admin.upn, { binding: "not-the-browser-that-started-it" });
    expect(otherBrowser.outcome).toEqual({ kind: "bad-state" });

    const replayed = await microsoftSignIn(demo.users.admin.upn);
    expect(replayed.outcome.kind).toBe("signed-in");
    expect(await replayed.complete()).toEqual({ kind: "bad-state" });

    const late = await microsoftSignIn(demo.users.admin.upn, { now: new Date(Date.now() + MICROSOFT_SIGN_IN_TTL_MS + 1000) });
    expect(late.outcome).toEqual({ kind: "bad-state" });
  });

  it("stores Microsoft's refusal on the attempt (Conditional Access), not in a URL", async () => {
    await configure();
    patchScenario(sim, (scenario) => {
      scenario.tenants[0]!.users.find((user) => user.id === demo.users.admin.id)!.conditionalAccessBlocked = true;
    });
    const refused = await microsoftSignIn(demo.users.admin.upn);
    expect(await refusalCode(refused)).toBe("AADSTS53003");
  });

  it("saves nothing when a trusted tenant does not exist", async () => {
    const result = await saveConsoleSignIn(database.prisma, ring, settingsInput({ tenants: ["no-such-tenant.example.com"] }), { actor: operator });
    expect(result.saved).toBe(false);
    expect(result.checks.some((check) => check.status === "fail")).toBe(true);
    expect(await getConsoleSignIn(database.prisma)).toBeNull();
    await expect(startMicrosoftSignIn(database.prisma, ring, { returnTo: "/", ip })).rejects.toBeInstanceOf(UserFacingError);
  });

  it("with Microsoft sign-in only, leaves local passwords to break-glass administrators", async () => {
    const password = "correct horse battery staple 7";
    const local = await database.prisma.user.create({ data: { email: "local@example.com", displayName: "Local", role: "admin", passwordHash: await hashPassword(password) }, select: { id: true } });
    await database.prisma.user.create({ data: { email: "helper@example.com", displayName: "Helper", role: "helpdesk", passwordHash: await hashPassword(password) }, select: { id: true } });
    await expect(configure({ microsoftOnly: true })).rejects.toThrow(/break-glass/);
    await setBreakGlass(database.prisma, local.id, true, { actor: operator });
    await configure({ microsoftOnly: true });

    const helper = await signIn(database.prisma, { email: "helper@example.com", password, ip, userAgent: null }, policy);
    expect(helper).toEqual({ ok: false, message: MICROSOFT_ONLY_SIGN_IN });
    const breakGlass = await signIn(database.prisma, { email: "local@example.com", password, ip, userAgent: null }, policy);
    expect(breakGlass.ok).toBe(true);
    await expect(setBreakGlass(database.prisma, local.id, false, { actor: operator })).rejects.toThrow(/last break-glass/);
  });

  it("keeps the last local administrator while Microsoft sign-in is not verified", async () => {
    const local = await database.prisma.user.create({ data: { email: "local@example.com", displayName: "Local", role: "admin", passwordHash: await hashPassword("correct horse battery staple 7") }, select: { id: true } });
    // The operator is an admin without a password, as an account made at Microsoft sign-in is.
    await expect(changeUserRole(database.prisma, local.id, "helpdesk", { actor: operator })).rejects.toThrow(/not verified/);
    await configure();
    await expect(changeUserRole(database.prisma, local.id, "helpdesk", { actor: operator })).resolves.toMatchObject({ role: "helpdesk" });
  });

  describe("one-step member connect", () => {
    beforeEach(async () => {
      await database.prisma.connection.deleteMany();
    });

    it("creates a member account, signs it in and connects the mailbox in one Microsoft sign-in", async () => {
      await configure({ allowMembers: true, memberTenants: [demo.contoso.domain] });
      const started = await startMicrosoftSignIn(database.prisma, ring, { returnTo: "/connect", ip, purpose: "connect" });
      expect(new URL(started.url).searchParams.get("scope")!.split(" ")).toEqual(expect.arrayContaining([`${sim.origin}/Calendars.ReadWrite`, "offline_access"]));
      const result = await microsoftSignIn(demo.users.adele.upn, { purpose: "connect" });
      if (result.outcome.kind !== "connected") throw new Error(`expected a connection, got ${JSON.stringify(result.outcome)}`);
      const user = await getSessionUser(database.prisma, result.outcome.token, policy);
      expect(user).toMatchObject({ email: demo.users.adele.upn, role: "member" });
      const connection = await database.prisma.connection.findUniqueOrThrow({ where: { id: result.outcome.connectionId }, select: { ownerId: true, kind: true, accountUpn: true } });
      expect(connection).toEqual({ ownerId: user!.id, kind: "mailbox", accountUpn: demo.users.adele.upn });
      expect(await database.prisma.linkedIdentity.count({ where: { userId: user!.id, tenantId: demo.contoso.id, objectId: demo.users.adele.id } })).toBe(1);

      // The same person again: found by tid + oid, no second account.
      const again = await microsoftSignIn(demo.users.adele.upn, { purpose: "connect" });
      expect(again.outcome).toMatchObject({ kind: "connected", userId: user!.id });
    });

    it("never opens a staff session: staff sign in as staff, where their role and tenant are decided afresh", async () => {
      await configure({ allowMembers: true, memberTenants: [demo.contoso.domain] });
      const admin = await signedInUser((await microsoftSignIn(demo.users.admin.upn)).outcome);
      const sessionsBefore = await database.prisma.session.count({ where: { userId: admin.id } });
      const connected = await microsoftSignIn(demo.users.admin.upn, { purpose: "connect" });
      expect(await refusalCode(connected)).toBe("connect-refused");
      expect(await database.prisma.session.count({ where: { userId: admin.id } })).toBe(sessionsBefore);
      expect(await database.prisma.connection.count({ where: { ownerId: admin.id } })).toBe(0);
      expect(await database.prisma.user.findUniqueOrThrow({ where: { id: admin.id }, select: { role: true } })).toEqual({ role: "admin" });
    });

    it("refuses people of a tenant the operator did not open, and is not offered without members allowed", async () => {
      await configure({ allowMembers: true, memberTenants: [demo.usgov.id] });
      const refused = await microsoftSignIn(demo.users.adele.upn, { purpose: "connect" });
      expect(await refusalCode(refused)).toBe("member-tenant-not-allowed");
      expect(await database.prisma.connection.count()).toBe(0);
      expect(await database.prisma.user.count({ where: { email: demo.users.adele.upn } })).toBe(0);

      await configure({ allowMembers: false, memberTenants: [demo.contoso.domain] });
      await expect(startMicrosoftSignIn(database.prisma, ring, { returnTo: "/connect", ip, purpose: "connect" })).rejects.toThrow(/not offered/);
    });
  
    it("lets a connect link stand in for the member tenants, for the person it names only, once", async () => {
      await configure();
      const link = await createConnectLink(database.prisma, { email: demo.users.adele.upn }, { actor: operator, allowNewAccount: true });
      const someoneElse = await microsoftSignIn(demo.users.lynne.upn, { connectLinkToken: link.token });
      expect(await refusalCode(someoneElse)).toBe("link-for-someone-else");

      const connected = await microsoftSignIn(demo.users.adele.upn, { connectLinkToken: link.token });
      expect(connected.outcome).toMatchObject({ kind: "connected" });
      expect(await database.prisma.connectLink.findFirstOrThrow({ select: { usedAt: true } })).toEqual({ usedAt: expect.any(Date) });
      await expect(startMicrosoftSignIn(database.prisma, ring, { returnTo: "/connect", ip, connectLinkToken: link.token })).rejects.toThrow(UserFacingError);
    });

    it("leads connect and reconnect links of existing accounts into the same one sign-in, honouring the target once", async () => {
      await configure();
      // A member who once chose a console password and has never signed in with Microsoft.
      const member = await database.prisma.user.create({ data: { email: demo.users.adele.upn, displayName: "Adele", role: "member", passwordHash: "scrypt$placeholder" }, select: { id: true } });
      const invite = await createConnectLink(database.prisma, { email: demo.users.adele.upn }, { actor: operator, allowNewAccount: false });
      const first = await microsoftSignIn(demo.users.adele.upn, { connectLinkToken: invite.token });
      if (first.outcome.kind !== "connected") throw new Error(`expected a connection, got ${JSON.stringify(first.outcome)}`);
      // The account the link was for, now linked by tid + oid: no second account.
      expect(first.outcome.userId).toBe(member.id);
      expect(await database.prisma.user.count({ where: { email: demo.users.adele.upn } })).toBe(1);
      expect(await database.prisma.linkedIdentity.count({ where: { userId: member.id, tenantId: demo.contoso.id, objectId: demo.users.adele.id } })).toBe(1);
      const connectionId = first.outcome.connectionId;

      // A reconnect link: someone else's Microsoft account is refused and the link stays usable; the owner renews the same connection.
      const reconnect = await createConnectLink(database.prisma, { email: demo.users.adele.upn, connectionId }, { actor: operator, allowNewAccount: false });
      expect(await refusalCode(await microsoftSignIn(demo.users.lynne.upn, { connectLinkToken: reconnect.token }))).toBe("link-for-someone-else");
      const renewed = await microsoftSignIn(demo.users.adele.upn, { connectLinkToken: reconnect.token });
      expect(renewed.outcome).toMatchObject({ kind: "connected", userId: member.id, connectionId });
      expect(await database.prisma.connection.count({ where: { ownerId: member.id } })).toBe(1);
      expect(await database.prisma.connectLink.count({ where: { email: demo.users.adele.upn, usedAt: null, revokedAt: null } })).toBe(0);
      // Used: the link starts nothing again.
      await expect(startMicrosoftSignIn(database.prisma, ring, { returnTo: "/connect", ip, connectLinkToken: reconnect.token })).rejects.toThrow(UserFacingError);
    });

    it("leads a member invitation into the same one sign-in, for the invited person only, and accepts it once", async () => {
      await configure();
      const staffInvite = await createInvite(database.prisma, { email: demo.users.megan.upn, role: "helpdesk" }, { actor: operator });
      await expect(startMicrosoftSignIn(database.prisma, ring, { returnTo: "/connect", ip, inviteToken: staffInvite.token })).rejects.toThrow(/staff account/);
      const invite = await createInvite(database.prisma, { email: demo.users.adele.upn, role: "member" }, { actor: operator });
      expect(await refusalCode(await microsoftSignIn(demo.users.lynne.upn, { inviteToken: invite.token }))).toBe("link-for-someone-else");
      expect(await database.prisma.user.count({ where: { email: demo.users.lynne.upn } })).toBe(0);

      const joined = await microsoftSignIn(demo.users.adele.upn, { inviteToken: invite.token });
      if (joined.outcome.kind !== "connected") throw new Error(`expected a connection, got ${JSON.stringify(joined.outcome)}`);
      expect(await getSessionUser(database.prisma, joined.outcome.token, policy)).toMatchObject({ email: demo.users.adele.upn, role: "member" });
      expect(await database.prisma.connection.count({ where: { ownerId: joined.outcome.userId } })).toBe(1);
      expect(await database.prisma.invite.findFirstOrThrow({ where: { email: demo.users.adele.upn }, select: { acceptedAt: true } })).toEqual({ acceptedAt: expect.any(Date) });
      expect(await database.prisma.auditEvent.count({ where: { action: "user.invite-accept", targetId: joined.outcome.userId } })).toBe(1);
      await expect(startMicrosoftSignIn(database.prisma, ring, { returnTo: "/connect", ip, inviteToken: invite.token })).rejects.toThrow(UserFacingError);
    });

    it("names an account made from a link after the link, never after the unverified email claim", async () => {
      await configure();
      // Any tenant's administrator can set a user's mail to someone else's address.
      patchScenario(sim, (scenario) => {
        scenario.tenants[0]!.users.find((user) => user.id === demo.users.adele.id)!.mail = "victim@example.com";
      });
      const link = await createConnectLink(database.prisma, { email: demo.users.adele.upn }, { actor: operator, allowNewAccount: true });
      const connected = await microsoftSignIn(demo.users.adele.upn, { connectLinkToken: link.token });
      if (connected.outcome.kind !== "connected") throw new Error(`expected a connection, got ${JSON.stringify(connected.outcome)}`);
      expect(await database.prisma.user.findUniqueOrThrow({ where: { id: connected.outcome.userId }, select: { email: true } })).toEqual({ email: demo.users.adele.upn });
      expect(await database.prisma.user.count({ where: { email: "victim@example.com" } })).toBe(0);
    });

    it("does not hand an account that belongs to another Microsoft identity to whoever now holds its sign-in name", async () => {
      await configure();
      const member = await database.prisma.user.create({ data: { email: demo.users.adele.upn, displayName: "Adele (before)", role: "member", passwordHash: null }, select: { id: true } });
      // The address once belonged to another person (a reused or renamed UPN).
      await database.prisma.linkedIdentity.create({ data: { userId: member.id, tenantId: demo.contoso.id, objectId: "0f0f0f0f-0000-4000-8000-000000000001", username: demo.users.adele.upn }, select: { id: true } });
      const link = await createConnectLink(database.prisma, { email: demo.users.adele.upn }, { actor: operator, allowNewAccount: false });
      expect(await refusalCode(await microsoftSignIn(demo.users.adele.upn, { connectLinkToken: link.token }))).toBe("link-for-someone-else");
      expect(await database.prisma.linkedIdentity.count({ where: { userId: member.id } })).toBe(1);
      expect(await database.prisma.connection.count({ where: { ownerId: member.id } })).toBe(0);
    });

    it("refuses a staff account reached through a link, without linking its Microsoft account", async () => {
      await configure();
      const staff = await database.prisma.user.create({ data: { email: demo.users.megan.upn, displayName: "Megan", role: "helpdesk", passwordHash: "scrypt$placeholder" }, select: { id: true } });
      const link = await createConnectLink(database.prisma, { email: demo.users.megan.upn }, { actor: operator, allowNewAccount: false });
      const refused = await microsoftSignIn(demo.users.megan.upn, { connectLinkToken: link.token });
      expect(await refusalCode(refused)).toBe("connect-refused");
      expect(await database.prisma.linkedIdentity.count({ where: { userId: staff.id } })).toBe(0);
      expect(await database.prisma.session.count({ where: { userId: staff.id } })).toBe(0);
      expect(await database.prisma.connectLink.count({ where: { email: demo.users.megan.upn, usedAt: null, revokedAt: null } })).toBe(1);
    });
  });
});
