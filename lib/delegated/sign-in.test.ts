import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { demo } from "@/simulator/demo-ids";
import { startDemoSimulatorForFile } from "@/test-support/simulator-trust";
import { KeyRing } from "@/lib/crypto/seal";
import { openTokenCache } from "@/lib/delegated/mailbox-connections";
import { explainRefusal } from "@/lib/delegated/refusals";
import { completeMailboxSignIn, getSignInAttempt, SIGN_IN_TTL_MS, startMailboxSignIn } from "@/lib/delegated/sign-in";
import { UserFacingError } from "@/lib/errors";
import { connectMailbox, saveSignInAppForSuite, signInAtMicrosoft } from "@/test-support/connect-mailbox";
import { createUserForSuite, type ConsoleUser } from "@/test-support/console-users";
import { testEngines } from "@/test-support/databases";
import { openDatabaseForSuite } from "@/test-support/engine-database";
import { microsoftSignIn } from "@/test-support/microsoft-sign-in";
import { CALLBACK, simulatorCloudForFile } from "@/test-support/simulator-cloud";
import { healthyApp, patchScenario, signInScenarioBeforeEach } from "@/test-support/simulator-scenario";

/**
 * "Connect my calendar" end to end: startMailboxSignIn → the simulator's real /authorize pages
 * (played with fetch, like a browser) → completeMailboxSignIn with the real msal-node redeeming the
 * code. Nothing is mocked; the simulator enforces PKCE, the nonce and the redirect URI.
 */

const { sim, pristine } = startDemoSimulatorForFile();
simulatorCloudForFile(sim);
signInScenarioBeforeEach(sim, pristine);

const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);

type CacheSecrets = { refreshTokens: string[]; accessTokens: string[]; idTokens: string[] };

function secretsOf(cacheJson: string): CacheSecrets {
  const cache = JSON.parse(cacheJson) as Record<string, Record<string, { secret?: string }> | undefined>;
  const secrets = (section: string) => Object.values(cache[section] ?? {}).map((entry) => entry.secret ?? "");
  return { refreshTokens: secrets("RefreshToken"), accessTokens: secrets("AccessToken"), idTokens: secrets("IdToken") };
}

describe.each(testEngines())("mailbox sign-in on $name", (engine) => {
  const database = openDatabaseForSuite(engine);
  const admin = createUserForSuite(database, "admin@example.com", "Admin", "admin");
  const alice = createUserForSuite(database, "alice@example.com", "Alice", "member");
  const bob = createUserForSuite(database, "bob@example.com", "Bob", "member");
  // Verified against the simulator's pristine scenario (client credentials at the home tenant).
  saveSignInAppForSuite(database, ring, admin);

  beforeEach(async () => {
    await database.prisma.connection.deleteMany();
    await database.prisma.delegatedSignIn.deleteMany();
  });

  const ip = "203.0.113.7";
  const complete = (user: ConsoleUser, params: URLSearchParams, now?: Date) => completeMailboxSignIn(database.prisma, ring, { userId: user.id, params, actor: user, ip }, now);
  const signIn = (user: ConsoleUser, login: string, options: Parameters<typeof signInAtMicrosoft>[4] = {}) => signInAtMicrosoft(database.prisma, ring, user, login, options);
  const connect = (user: ConsoleUser, login: string, options: { reconnectId?: string; mfa?: "mfa-approve" } = {}) => connectMailbox(database.prisma, ring, user, login, { ...options, ip });

  async function rawConnection(id: string): Promise<Record<string, unknown>> {
    const rows = await database.sql.query<Record<string, unknown>>("SELECT * FROM connections WHERE id = $1", [id]);
    expect(rows).toHaveLength(1);
    return rows[0]!;
  }

  async function refusal(user: { id: string }, outcome: Awaited<ReturnType<typeof complete>>) {
    if (outcome.kind !== "refused") throw new Error(`expected a refusal, got ${JSON.stringify(outcome)}`);
    const attempt = await getSignInAttempt(database.prisma, user.id, outcome.signInId);
    expect(attempt?.outcome).toBeTruthy();
    return attempt!.outcome!;
  }

  it("connects a member's own mailbox with the auth code flow, PKCE and a nonce, and keeps the tokens sealed", async () => {
    const started = await startMailboxSignIn(database.prisma, ring, { userId: alice.id });
    const authorize = new URL(started.url);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${sim.origin}/${demo.contoso.id}/oauth2/v2.0/authorize`);
    expect(authorize.searchParams.get("redirect_uri")).toBe(CALLBACK);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get("nonce")).toBeTruthy();
    expect(authorize.searchParams.get("response_mode")).toBe("query");
    expect(authorize.searchParams.get("scope")!.split(" ")).toEqual(
      expect.arrayContaining([`${sim.origin}/User.Read`, `${sim.origin}/Calendars.ReadWrite`, "offline_access"]),
    );
    const state = authorize.searchParams.get("state")!;
    expect(state.length).toBeGreaterThanOrEqual(32);

    // Only a hash of the state is stored, and the PKCE verifier is sealed.
    const attemptRows = await database.sql.query<Record<string, unknown>>("SELECT * FROM delegated_sign_ins WHERE id = $1", [started.signInId]);
    expect(JSON.stringify(attemptRows)).not.toContain(state);
    expect(String(attemptRows[0]!.code_verifier_sealed)).toMatch(/^cs1\./);

    const params = await microsoftSignIn(started.url, demo.users.adele.upn);
    expect(params.get("state")).toBe(state);
    const outcome = await complete(alice, params);
    expect(outcome).toEqual({ kind: "connected", connectionId: expect.any(String), reconnected: false });
    if (outcome.kind !== "connected") return;

    // The code was redeemed with the PKCE verifier (the simulator checks it against the challenge).
    const redeem = sim.requests.find((request) => request.method === "POST" && request.form?.grant_type === "authorization_code");
    expect(redeem?.form).toMatchObject({ code_verifier: "[redacted]", redirect_uri: CALLBACK });
    expect(redeem?.status).toBe(200);

    const connection = await database.prisma.connection.findUniqueOrThrow({ where: { id: outcome.connectionId } });
    expect(connection).toMatchObject({
      kind: "mailbox",
      ownerId: alice.id,
      createdById: alice.id,
      accountUpn: demo.users.adele.upn,
      accountHomeId: `${demo.users.adele.id}.${demo.contoso.id}`,
      tenantId: demo.contoso.id,
      clientId: demo.apps.healthy.clientId,
      cloud: "custom",
      state: "never_checked",
      testMailbox: demo.users.adele.upn,
    });
    expect((await rawConnection(outcome.connectionId)).client_secret_sealed).toBeNull();
    expect(connection.nextCheckAt.getTime()).toBeGreaterThan(Date.now());

    // msal's cache holds a refresh token and an access token; the row holds them only sealed.
    const cache = await openTokenCache(database.prisma, ring, outcome.connectionId);
    expect(cache).not.toBeNull();
    const secrets = secretsOf(cache!.cacheJson);
    expect(secrets.refreshTokens).toHaveLength(1);
    expect(secrets.refreshTokens[0]).toMatch(/^1\.AAAA-simrt\./);
    expect(secrets.accessTokens).toHaveLength(1);
    const raw = await rawConnection(outcome.connectionId);
    expect(String(raw.token_cache_sealed)).toMatch(/^cs1\.t1\./);
    const rawText = JSON.stringify(raw);
    for (const secret of [...secrets.refreshTokens, ...secrets.accessTokens, ...secrets.idTokens]) expect(rawText).not.toContain(secret);
    expect(rawText).not.toContain("simrt");

    // Audited, without any token.
    const audit = await database.prisma.auditEvent.findMany({ where: { targetId: outcome.connectionId } });
    expect(audit.map((event) => event.action)).toEqual(["mailbox.connect"]);
    expect(audit[0]).toMatchObject({ actorId: alice.id, actorEmail: alice.email, targetType: "connection", targetLabel: demo.users.adele.upn, ip: "203.0.113.7" });
    const auditText = JSON.stringify(await database.sql.query("SELECT * FROM audit_events"));
    for (const secret of [...secrets.refreshTokens, ...secrets.accessTokens]) expect(auditText).not.toContain(secret);

    // The attempt is used up and points at the connection.
    const attempt = await database.prisma.delegatedSignIn.findUniqueOrThrow({ where: { id: started.signInId } });
    expect(attempt.completedAt).not.toBeNull();
    expect(attempt.resultConnectionId).toBe(outcome.connectionId);
    expect(attempt.outcome).toBeNull();
  });

  it("connects through the multi-tenant authority when the app accepts any organisation", async () => {
    // Set directly: saving this audience through saveDelegatedApp is covered in delegated-app.test.ts.
    await database.prisma.delegatedApp.update({ where: { id: 1 }, data: { audience: "organizations" } });
    try {
      const started = await startMailboxSignIn(database.prisma, ring, { userId: alice.id });
      expect(new URL(started.url).pathname).toBe("/organizations/oauth2/v2.0/authorize");
      const outcome = await complete(alice, await microsoftSignIn(started.url, demo.users.adele.upn));
      expect(outcome.kind).toBe("connected");
      if (outcome.kind !== "connected") return;
      // The connection is pinned to the account's own tenant, where its refresh token was issued.
      expect(await database.prisma.connection.findUniqueOrThrow({ where: { id: outcome.connectionId } })).toMatchObject({ tenantId: demo.contoso.id, tenant: demo.contoso.id });
    } finally {
      await database.prisma.delegatedApp.update({ where: { id: 1 }, data: { audience: "organization" } });
    }
  });

  it("refuses a forged state without burning the real sign-in", async () => {
    const { params } = await signIn(alice, demo.users.adele.upn);
    const forged = new URLSearchParams(params);
    forged.set("state", randomBytes(32).toString("base64url"));
    expect(await complete(alice, forged)).toEqual({ kind: "bad-state" });
    const missing = new URLSearchParams(params);
    missing.delete("state");
    expect(await complete(alice, missing)).toEqual({ kind: "bad-state" });
    expect(await database.prisma.connection.count()).toBe(0);
    // The genuine answer still completes.
    expect((await complete(alice, params)).kind).toBe("connected");
  });

  it("accepts a callback once: a replay is bad-state and connects nothing more", async () => {
    const { params } = await signIn(alice, demo.users.adele.upn);
    const [first, second] = [await complete(alice, params), await complete(alice, params)];
    expect(first.kind).toBe("connected");
    expect(second).toEqual({ kind: "bad-state" });
    expect(await database.prisma.connection.count()).toBe(1);
    if (first.kind === "connected") expect(await database.prisma.auditEvent.count({ where: { targetId: first.connectionId } })).toBe(1);
    // Microsoft was asked to redeem the code once.
    expect(sim.requests.filter((request) => request.form?.grant_type === "authorization_code")).toHaveLength(1);
  });

  it("accepts the callback from the same console user only", async () => {
    const { params } = await signIn(alice, demo.users.adele.upn);
    // Bob presents Alice's answer (a login-CSRF: making someone else connect an attacker's mailbox).
    expect(await complete(bob, params)).toEqual({ kind: "bad-state" });
    expect(await database.prisma.connection.count()).toBe(0);
    const mine = await complete(alice, params);
    expect(mine.kind).toBe("connected");
    if (mine.kind === "connected") expect((await database.prisma.connection.findUniqueOrThrow({ where: { id: mine.connectionId } })).ownerId).toBe(alice.id);
  });

  it("refuses a sign-in answered after ten minutes", async () => {
    const { params, signInId } = await signIn(alice, demo.users.adele.upn);
    const attempt = await database.prisma.delegatedSignIn.findUniqueOrThrow({ where: { id: signInId } });
    expect(attempt.expiresAt.getTime() - attempt.createdAt.getTime()).toBe(SIGN_IN_TTL_MS);
    expect(await complete(alice, params, new Date(attempt.expiresAt.getTime() + 1_000))).toEqual({ kind: "bad-state" });
    expect(await complete(alice, params, attempt.expiresAt)).toEqual({ kind: "bad-state" });
    expect(await database.prisma.connection.count()).toBe(0);
  });

  it("binds the code to this attempt's PKCE verifier", async () => {
    // The code Microsoft issued for attempt A, presented with attempt B's state: B's verifier does not match A's challenge.
    const a = await signIn(alice, demo.users.adele.upn);
    const b = await startMailboxSignIn(database.prisma, ring, { userId: alice.id });
    const swapped = new URLSearchParams(a.params);
    swapped.set("state", new URL(b.url).searchParams.get("state")!);
    const outcome = await complete(alice, swapped);
    expect((await refusal(alice, outcome)).code).toBe("AADSTS501481");
    expect(await database.prisma.connection.count()).toBe(0);
  });

  it("checks the id token's nonce against the attempt", async () => {
    const started = await startMailboxSignIn(database.prisma, ring, { userId: alice.id });
    const authorize = new URL(started.url).searchParams;
    // A code with the right PKCE challenge but another sign-in's nonce (an injected code).
    const code = sim.issueAuthCode({
      tenant: demo.contoso.id,
      clientId: demo.apps.healthy.clientId,
      user: demo.users.adele.upn,
      redirectUri: CALLBACK,
      scopes: authorize.get("scope")!.split(" "),
      codeChallenge: authorize.get("code_challenge")!,
      codeChallengeMethod: "S256",
      nonce: "someone-elses-nonce",
    });
    const outcome = await complete(alice, new URLSearchParams({ code, state: authorize.get("state")! }));
    const refused = await refusal(alice, outcome);
    expect(refused.code).toBe("nonce_mismatch");
    expect(explainRefusal(refused.code).kind).toBe("forged");
    expect(await database.prisma.connection.count()).toBe(0);
  });

  it("explains an organisation that needs admin approval (AADSTS90094)", async () => {
    patchScenario(sim, (scenario) => {
      const app = healthyApp(scenario);
      app.grantedScopes = [];
      app.userConsentAllowed = false;
      app.consentBlockCode = 90094;
    });
    const { params, signInId } = await signIn(alice, demo.users.adele.upn);
    expect(params.get("error")).toBe("access_denied");
    const outcome = await complete(alice, params);
    expect(outcome).toEqual({ kind: "refused", signInId });
    const refused = await refusal(alice, outcome);
    expect(refused).toMatchObject({ code: "AADSTS90094", error: "access_denied" });
    expect(refused.description).toMatch(/^AADSTS90094: /);
    expect(explainRefusal(refused.code)).toMatchObject({ kind: "admin-approval", who: "delegated-consent-admin" });
    expect(await database.prisma.connection.count()).toBe(0);
    // The outcome is Alice's: Bob cannot read it.
    expect(await getSignInAttempt(database.prisma, bob.id, signInId)).toBeNull();
  });

  it("reports a cancelled sign-in as cancelled", async () => {
    const { params } = await signIn(alice, demo.users.adele.upn, { action: "cancel" });
    expect(params.get("error")).toBe("access_denied");
    const refused = await refusal(alice, await complete(alice, params));
    expect(refused.code).toBe("access_denied");
    expect(explainRefusal(refused.code).kind).toBe("cancelled");
    expect(await database.prisma.connection.count()).toBe(0);
  });

  it("connects an MFA user who approves the prompt", async () => {
    const outcome = await connect(alice, demo.users.megan.upn, { mfa: "mfa-approve" });
    expect((await database.prisma.connection.findUniqueOrThrow({ where: { id: outcome.connectionId } })).accountUpn).toBe(demo.users.megan.upn);
  });

  it("reports an MFA user who does not complete the MFA prompt as blocked by sign-in rules", async () => {
    const { params } = await signIn(alice, demo.users.megan.upn, { mfa: "mfa-deny" });
    const refused = await refusal(alice, await complete(alice, params));
    expect(refused.code).toBe("AADSTS500121");
    expect(await database.prisma.connection.count()).toBe(0);
    // "Authentication failed during strong authentication request": an MFA requirement stopped the sign-in.
    expect(explainRefusal(refused.code).kind).toBe("blocked");
  });

  it("reports a Conditional Access block (AADSTS53003) as blocked", async () => {
    const { params } = await signIn(alice, demo.users.caBlocked.upn);
    const refused = await refusal(alice, await complete(alice, params));
    expect(refused.code).toBe("AADSTS53003");
    const explanation = explainRefusal(refused.code);
    expect(explanation).toMatchObject({ kind: "blocked", who: "global-admin" });
    expect(await database.prisma.connection.count()).toBe(0);
    // The next step is "send your IT helpdesk the correlation ID below": Microsoft's answer carries
    // it only inside error_description ("… Correlation ID: <guid> …"), so that is where it must come from.
    expect(explanation.nextStep).toMatch(/correlation ID/);
    const sent = /Correlation ID: ([0-9a-f-]{36})/.exec(params.get("error_description") ?? "")?.[1];
    expect(sent).toBeTruthy();
    expect(refused.correlationId).toBe(sent);
  });

  it("reconnects in place: same id, new sealed cache, new refresh token", async () => {
    const first = await connect(alice, demo.users.adele.upn);
    const before = await openTokenCache(database.prisma, ring, first.connectionId);
    const versionBefore = (await database.prisma.connection.findUniqueOrThrow({ where: { id: first.connectionId } })).version;

    const started = await startMailboxSignIn(database.prisma, ring, { userId: alice.id, reconnectId: first.connectionId });
    const outcome = await complete(alice, await microsoftSignIn(started.url, demo.users.adele.upn));
    expect(outcome).toEqual({ kind: "connected", connectionId: first.connectionId, reconnected: true });

    const after = await openTokenCache(database.prisma, ring, first.connectionId);
    expect(after!.sealed).not.toBe(before!.sealed);
    const [oldRefresh, newRefresh] = [secretsOf(before!.cacheJson).refreshTokens, secretsOf(after!.cacheJson).refreshTokens];
    expect(newRefresh).toHaveLength(1);
    expect(newRefresh[0]).not.toBe(oldRefresh[0]);
    expect(await database.prisma.connection.count()).toBe(1);
    expect((await database.prisma.connection.findUniqueOrThrow({ where: { id: first.connectionId } })).version).toBe(versionBefore + 1);
    expect((await database.prisma.delegatedSignIn.findUniqueOrThrow({ where: { id: started.signInId } })).connectionId).toBe(first.connectionId);
    const actions = (await database.prisma.auditEvent.findMany({ where: { targetId: first.connectionId }, orderBy: { id: "asc" } })).map((event) => event.action);
    expect(actions).toEqual(["mailbox.connect", "mailbox.reconnect"]);
  });

  it("asks Microsoft for the connection's account when reconnecting (login_hint)", async () => {
    const first = await connect(alice, demo.users.adele.upn);
    const started = await startMailboxSignIn(database.prisma, ring, { userId: alice.id, reconnectId: first.connectionId });
    // startMailboxSignIn looks the account up for this; it must reach the authorize URL.
    expect(new URL(started.url).searchParams.get("login_hint")).toBe(demo.users.adele.upn);
  });

  it("refuses a reconnect signed in as a different Microsoft account and keeps the saved sign-in", async () => {
    const first = await connect(alice, demo.users.adele.upn);
    const before = await openTokenCache(database.prisma, ring, first.connectionId);
    const { params } = await signIn(alice, demo.users.admin.upn, { reconnectId: first.connectionId });
    const refused = await refusal(alice, await complete(alice, params));
    expect(refused).toMatchObject({ code: "connect-refused", account: demo.users.admin.upn });
    expect(refused.description).toContain(demo.users.admin.upn);
    expect(refused.description).toContain(demo.users.adele.upn);
    expect(explainRefusal(refused.code, { message: refused.description! }).explanation).toBe(refused.description);
    const connection = await database.prisma.connection.findUniqueOrThrow({ where: { id: first.connectionId } });
    expect(connection.accountUpn).toBe(demo.users.adele.upn);
    expect((await openTokenCache(database.prisma, ring, first.connectionId))!.sealed).toBe(before!.sealed);
    expect(await database.prisma.connection.count()).toBe(1);
  });

  it("reconnects the existing connection when the same account connects again without a reconnect id", async () => {
    const first = await connect(alice, demo.users.adele.upn);
    const again = await connect(alice, demo.users.adele.upn);
    expect(again).toEqual({ kind: "connected", connectionId: first.connectionId, reconnected: true });
    expect(await database.prisma.connection.count()).toBe(1);
  });

  it("does not let a second console user take over a mailbox someone else connected", async () => {
    const first = await connect(alice, demo.users.adele.upn);
    const { params } = await signIn(bob, demo.users.adele.upn);
    const refused = await refusal(bob, await complete(bob, params));
    expect(refused.code).toBe("connect-refused");
    expect((await database.prisma.connection.findUniqueOrThrow({ where: { id: first.connectionId } })).ownerId).toBe(alice.id);
    // Nor start a reconnect of it.
    await expect(startMailboxSignIn(database.prisma, ring, { userId: bob.id, reconnectId: first.connectionId })).rejects.toBeInstanceOf(UserFacingError);
  });
});
