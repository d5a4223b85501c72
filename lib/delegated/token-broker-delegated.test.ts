import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { demo } from "@/simulator/demo-ids";
import { startDemoSimulatorForFile } from "@/test-support/simulator-trust";
import { accessTokenSchema } from "@/lib/api/schemas";
import { issueConnectionToken, type BrokerResult } from "@/lib/api/token-broker";
import { KeyRing } from "@/lib/crypto/seal";
import { openTokenCache, storeRenewedTokenCache } from "@/lib/delegated/mailbox-connections";
import { connectMailbox, saveSignInApp } from "@/test-support/connect-mailbox";
import { createUserForSuite } from "@/test-support/console-users";
import { testEngines } from "@/test-support/databases";
import { openDatabaseForSuite } from "@/test-support/engine-database";
import { simulatorCloudForFile } from "@/test-support/simulator-cloud";
import { signInScenario, signInScenarioBeforeEach } from "@/test-support/simulator-scenario";

/**
 * The token broker for mailbox connections: the engine gets a delegated access token minted from the
 * connection's sealed msal cache, never the refresh token. Real msal-node against the simulator.
 */

const { sim, pristine } = startDemoSimulatorForFile();
simulatorCloudForFile(sim);
signInScenarioBeforeEach(sim, pristine);

const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);
const HOUR_MS = 3_600_000;

afterEach(() => {
  vi.useRealTimers();
});

function refreshTokensOf(cacheJson: string): string[] {
  const cache = JSON.parse(cacheJson) as { RefreshToken?: Record<string, { secret: string }> };
  return Object.values(cache.RefreshToken ?? {}).map((entry) => entry.secret);
}

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;
}

const tokenRequests = () => sim.requests.filter((request) => request.method === "POST" && request.path.endsWith("/oauth2/v2.0/token"));

describe.each(testEngines())("token broker for mailbox connections on $name", (engine) => {
  const database = openDatabaseForSuite(engine);
  const admin = createUserForSuite(database, "admin@example.com", "Admin", "admin");
  const member = createUserForSuite(database, "alice@example.com", "Alice", "member");

  beforeEach(async () => {
    await database.prisma.connection.deleteMany();
    // One test deletes the app; the others need it back.
    if ((await database.prisma.delegatedApp.count()) === 0) await saveSignInApp(database.prisma, ring, admin);
  });

  const connect = async (login = demo.users.adele.upn): Promise<string> => (await connectMailbox(database.prisma, ring, member, login)).connectionId;

  async function refreshTokenOf(id: string): Promise<string> {
    const cache = await openTokenCache(database.prisma, ring, id);
    const tokens = refreshTokensOf(cache!.cacheJson);
    expect(tokens).toHaveLength(1);
    return tokens[0]!;
  }

  function expectToken(result: BrokerResult) {
    if (!result.ok) throw new Error(`expected a token, got ${JSON.stringify(result)}`);
    expect(accessTokenSchema.parse(result.token)).toEqual(result.token);
    return result.token;
  }

  it("hands out a delegated access token for the mailbox, never its refresh token", async () => {
    const id = await connect();
    const refreshToken = await refreshTokenOf(id);
    sim.clearRequests();
    const result = await issueConnectionToken(database.prisma, ring, id);
    const token = expectToken(result);
    expect(token.tokenType).toBe("Bearer");
    const claims = claimsOf(token.accessToken);
    expect(String(claims.scp).split(" ")).toEqual(expect.arrayContaining(["User.Read", "Calendars.ReadWrite"]));
    expect(claims).toMatchObject({ upn: demo.users.adele.upn, tid: demo.contoso.id, appid: demo.apps.healthy.clientId, aud: sim.origin });
    expect(token.scope).toContain("Calendars.ReadWrite");
    // msal computes the expiry from expires_in, so it may differ from `exp` by the request's duration.
    expect(Math.abs(new Date(token.expiresOn).getTime() - (claims.exp as number) * 1000)).toBeLessThanOrEqual(5_000);
    expect(new Date(token.expiresOn).getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    // The engine's answer carries no refresh token (nor an id token, nor the cache).
    const json = JSON.stringify(result);
    expect(json).not.toContain(refreshToken);
    expect(json).not.toContain("simrt");
    expect(Object.keys(token).sort()).toEqual(["accessToken", "expiresOn", "scope", "tokenType"]);
    // The token from sign-in is still fresh: msal answered from the sealed cache.
    expect(tokenRequests()).toHaveLength(0);

    // The token works at Graph for that mailbox.
    const calendar = await fetch(`${sim.origin}/v1.0/me/calendar`, { headers: { authorization: `Bearer ${token.accessToken}` } });
    expect(calendar.status).toBe(200);
  });

  it("serves a second request from msal's cache without asking Microsoft", async () => {
    const id = await connect();
    const first = expectToken(await issueConnectionToken(database.prisma, ring, id));
    sim.clearRequests();
    const second = expectToken(await issueConnectionToken(database.prisma, ring, id));
    expect(second.accessToken).toBe(first.accessToken);
    expect(tokenRequests()).toHaveLength(0);
  });

  it("renews a short-lived token with the refresh token and seals the renewed cache", async () => {
    // Tokens that live less than msal's five-minute margin are renewed on every request.
    sim.setScenario(signInScenario(pristine(), (scenario) => (scenario.settings.accessTokenLifetimeSeconds = 120)));
    const id = await connect();
    const before = await openTokenCache(database.prisma, ring, id);
    const refreshToken = refreshTokensOf(before!.cacheJson)[0]!;
    sim.clearRequests();
    const result = await issueConnectionToken(database.prisma, ring, id);
    expectToken(result);
    expect(tokenRequests().map((request) => request.form?.grant_type)).toEqual(["refresh_token"]);
    expect(JSON.stringify(result)).not.toContain(refreshToken);
    const after = await openTokenCache(database.prisma, ring, id);
    expect(after!.sealed).not.toBe(before!.sealed);
    const renewed = refreshTokensOf(after!.cacheJson);
    expect(renewed).toHaveLength(1);
    expect(renewed[0]).not.toBe(refreshToken);
    expect(JSON.stringify(result)).not.toContain(renewed[0]!);
  });

  it("tells the engine the owner must reconnect once the refresh token is revoked and the access token has expired", async () => {
    const id = await connect();
    const refreshToken = await refreshTokenOf(id);
    sim.revokeRefreshTokens(demo.users.adele.upn);
    // Until the access token expires, the broker cannot know: msal answers from the cache.
    expectToken(await issueConnectionToken(database.prisma, ring, id));

    // Two hours later (only the clock moves; timers stay real).
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 2 * HOUR_MS });
    sim.clearRequests();
    const result = await issueConnectionToken(database.prisma, ring, id);
    expect(tokenRequests().map((request) => request.form?.grant_type)).toEqual(["refresh_token"]);
    if (result.ok || result.reason !== "microsoft") throw new Error(`expected a Microsoft problem, got ${JSON.stringify(result)}`);
    expect(result.problem.code).toBe("AADSTS50173");
    expect(result.problem.detail).toMatch(/owner must reconnect/);
    expect(result.problem.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(result)).not.toContain(refreshToken);
  });

  it("reports an outage at Microsoft without asking the owner to reconnect", async () => {
    sim.setScenario(signInScenario(pristine(), (scenario) => (scenario.settings.accessTokenLifetimeSeconds = 120)));
    const id = await connect();
    sim.setFaults([{ kind: "unavailable", path: "*/oauth2/v2.0/token", status: 503, retryAfterSeconds: 0 }]);
    const result = await issueConnectionToken(database.prisma, ring, id);
    if (result.ok || result.reason !== "microsoft") throw new Error(`expected a Microsoft problem, got ${JSON.stringify(result)}`);
    expect(result.problem.code).toBe("AADSTS90033");
    expect(result.problem.detail).not.toMatch(/reconnect/);
  });

  it("refuses when there is nothing to mint with", async () => {
    const id = await connect();
    await database.prisma.connection.update({ where: { id }, data: { tokenCacheSealed: null } });
    const noCache = await issueConnectionToken(database.prisma, ring, id);
    if (noCache.ok || noCache.reason !== "microsoft") throw new Error(`expected a Microsoft problem, got ${JSON.stringify(noCache)}`);
    expect(noCache.problem.detail).toMatch(/owner must reconnect/);

    await database.prisma.delegatedApp.deleteMany();
    expect(await issueConnectionToken(database.prisma, ring, id)).toEqual({ ok: false, reason: "no-secret" });
    expect(await issueConnectionToken(database.prisma, ring, "00000000-0000-4000-8000-000000000000")).toEqual({ ok: false, reason: "not-found" });
  });

  it("never writes a renewed cache over a sign-in that changed meanwhile", async () => {
    const id = await connect();
    const opened = await openTokenCache(database.prisma, ring, id);
    // A disconnect-like change (or a reconnect) lands between reading and writing back.
    await database.prisma.connection.update({ where: { id }, data: { tokenCacheSealed: null } });
    expect(await storeRenewedTokenCache(database.prisma, ring, opened!, opened!.cacheJson)).toBe(false);
    expect(await openTokenCache(database.prisma, ring, id)).toBeNull();
  });
});
