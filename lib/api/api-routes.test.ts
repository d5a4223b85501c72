import { randomBytes, randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { GET as listConnectionsRoute } from "@/app/api/v1/connections/route";
import { GET as getConnectionRoute } from "@/app/api/v1/connections/[id]/route";
import { POST as createReportRoute } from "@/app/api/v1/connections/[id]/reports/route";
import { POST as issueTokenRoute } from "@/app/api/v1/connections/[id]/token/route";
import { startSimulator, type Simulator } from "@/simulator/server";
import { createApiKey, forgetCachedApiKeys, revokeApiKey, updateApiKeyLastUsed } from "@/lib/api/api-keys";
import { INVALID_KEY_DETAIL } from "@/lib/api/authorize";
import { assertDocumented, documentedAnswers } from "@/lib/api/openapi-conformance";
import { apiRateLimiter } from "@/lib/api/rate-limit";
import { MAX_BODY_BYTES } from "@/lib/api/schemas";
import { clearTokenCache } from "@/lib/api/token-broker";
import type { ApiScope } from "@/lib/auth/access-policy";
import type { CheckReport } from "@/lib/checks/schema";
import { appIds, assertSimulatorCaTrusted, contosoId, secret, testScenario } from "@/test-support/check-scenario";
import { generateCertificateCredential } from "@/lib/crypto/certificates";
import { fixtureKeys, pemBody } from "@/test-support/certificate-fixtures";
import { createConnection } from "@/lib/connections/connections";
import { setKeyRing } from "@/lib/crypto/key-store";
import { KeyRing, sealContext } from "@/lib/crypto/seal";
import { createPrismaClient, useDatabase, type Database } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { testEngines } from "@/test-support/databases";
import { testSimulatorStateDir } from "@/test-support/simulator-ca";

/**
 * The sync-engine API through its route handlers, against PGlite and PostgreSQL, with the token
 * broker talking to the Entra simulator through the real msal-node. Every answer is also checked
 * against the generated OpenAPI document (assertDocumented), and the suite ends by proving that each
 * documented answer was produced at least once.
 */

assertSimulatorCaTrusted();

const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);
const savedEnv = { ...process.env };
let sim: Simulator;

// Everything written to stdout/stderr during the suite, to prove no secret or key reaches a log.
const output: string[] = [];

beforeAll(async () => {
  sim = await startSimulator({ scenario: testScenario(), stateDir: testSimulatorStateDir });
  process.env.CALSYNC_CLOUD = "custom";
  process.env.CALSYNC_AUTHORITY_HOST = sim.origin;
  process.env.CALSYNC_GRAPH_HOST = sim.origin;
  resetEnvCache();
  setKeyRing(ring);
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, "write").mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      output.push(String(chunk));
      return (write as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean)(chunk, ...rest);
    });
  }
});

afterAll(async () => {
  vi.restoreAllMocks();
  process.env = savedEnv;
  resetEnvCache();
  setKeyRing(undefined);
  await sim?.close();
});

type RouteName = "GET /api/v1/connections" | "GET /api/v1/connections/[id]" | "POST /api/v1/connections/[id]/token" | "POST /api/v1/connections/[id]/reports";

const routes: RouteName[] = ["GET /api/v1/connections", "GET /api/v1/connections/[id]", "POST /api/v1/connections/[id]/token", "POST /api/v1/connections/[id]/reports"];

type Call = { id?: string; key?: string | null; authorization?: string; query?: string; body?: BodyInit; headers?: Record<string, string> };

const report = (): CheckReport => ({
  ok: true,
  cancelled: false,
  tenantId: contosoId,
  cloud: "custom",
  startedAt: new Date().toISOString(),
  durationMs: 10,
  checks: [{ id: "token", status: "pass", title: "App signed in", detail: "ok", durationMs: 5 }],
});

const baseInput = () => ({
  cloud: "custom" as const,
  tenant: contosoId,
  clientSecret: secret,
  secretExpiresAt: new Date("2027-01-01T00:00:00Z") as Date | null,
  mailboxScope: { kind: "all" as const },
  testMailbox: null,
  outOfScopeMailbox: null,
  writeTest: false,
  report: report(),
});

describe.each(testEngines())("sync-engine API on $name", (engine) => {
  let database: Database;
  let actor: { id: string; email: string };
  const connections = { healthy: "", expired: "", noSecret: "", second: "" };
  const keys: Record<"read" | "credentials" | "tokens" | "reports" | "revoked" | "expired", { key: string; id: string; prefix: string; name: string }> = {
    read: { key: "", id: "", prefix: "", name: "" },
    credentials: { key: "", id: "", prefix: "", name: "" },
    tokens: { key: "", id: "", prefix: "", name: "" },
    reports: { key: "", id: "", prefix: "", name: "" },
    revoked: { key: "", id: "", prefix: "", name: "" },
    expired: { key: "", id: "", prefix: "", name: "" },
  };
  const seen = new Set<string>();

  async function call(route: RouteName, options: Call = {}): Promise<{ response: Response; json: () => Promise<Record<string, unknown>> }> {
    const path = route.split(" ")[1]!.replace("[id]", options.id ?? connections.healthy);
    const headers = new Headers(options.headers);
    const key = options.key === undefined ? keys.read.key : options.key;
    if (options.authorization !== undefined) headers.set("authorization", options.authorization);
    else if (key !== null) headers.set("authorization", `Bearer ${key}`);
    const method = route.split(" ")[0]!;
    const init: RequestInit & { duplex?: "half" } = { method, headers, ...(options.body !== undefined ? { body: options.body, duplex: "half" } : {}) };
    const request = new Request(`http://localhost${path}${options.query ?? ""}`, init);
    const context = { params: Promise.resolve({ id: options.id ?? connections.healthy }) };
    const response =
      route === "GET /api/v1/connections"
        ? await listConnectionsRoute(request)
        : route === "GET /api/v1/connections/[id]"
          ? await getConnectionRoute(request, context)
          : route === "POST /api/v1/connections/[id]/token"
            ? await issueTokenRoute(request, context)
            : await createReportRoute(request, context);
    await assertDocumented(route, response);
    seen.add(`${route} ${response.status}`);
    return { response, json: async () => (await response.clone().json()) as Record<string, unknown> };
  }

  beforeAll(async () => {
    database = await engine.open();
    useDatabase(database);
    actor = await database.prisma.user.create({ data: { email: "admin@example.com", displayName: "Admin", role: "admin" }, select: { id: true, email: true } });
    const base = baseInput();
    connections.healthy = (await createConnection(database.prisma, ring, { ...base, name: "Alpha", clientId: appIds.healthy }, { actor })).id;
    connections.expired = (await createConnection(database.prisma, ring, { ...base, name: "Bravo", clientId: appIds.expired }, { actor })).id;
    connections.second = (await createConnection(database.prisma, ring, { ...base, name: "Charlie", clientId: appIds.extra }, { actor })).id;
    connections.noSecret = (
      await database.prisma.connection.create({
        data: { name: "Delta mailbox", kind: "mailbox", cloud: "custom", tenant: contosoId, tenantId: contosoId, clientId: appIds.rbacScoped, mailboxScope: { kind: "all" } },
        select: { id: true },
      })
    ).id;
    const scopes: Record<keyof typeof keys, ApiScope[]> = {
      read: ["connections:read"],
      credentials: ["connections:read", "credentials:read"],
      tokens: ["tokens:issue"],
      reports: ["reports:write"],
      revoked: ["connections:read", "tokens:issue", "reports:write", "credentials:read"],
      expired: ["connections:read"],
    };
    for (const name of Object.keys(keys) as (keyof typeof keys)[]) {
      const expiresAt = name === "expired" ? new Date(Date.now() - 1000) : null;
      const created = await createApiKey(database.prisma, { name: `engine ${name}`, scopes: scopes[name], expiresAt }, { actor });
      keys[name] = { key: created.key, id: created.view.id, prefix: created.view.prefix, name: created.view.name };
    }
    await revokeApiKey(database.prisma, keys.revoked.id, { actor });
  });

  afterAll(async () => {
    useDatabase(undefined);
    await database?.close();
  });

  beforeEach(() => {
    apiRateLimiter().reset();
    clearTokenCache();
    sim.clearRequests();
  });

  afterEach(() => {
    delete process.env.CALSYNC_API_RATE_LIMIT_PER_MINUTE;
    resetEnvCache();
  });

  describe("API keys", () => {
    it("have the documented shape, are stored only as a hash and audited without the key", async () => {
      expect(keys.read.key).toMatch(/^csk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
      expect(keys.read.key.startsWith(`${keys.read.prefix}_`)).toBe(true);
      const rows = await database.prisma.apiKey.findMany({ select: { prefix: true, secretHash: true, name: true, scopes: true } });
      const stored = JSON.stringify(rows);
      for (const { key } of Object.values(keys)) expect(stored).not.toContain(key.slice(13));
      const audit = await database.prisma.auditEvent.findMany({ where: { action: { startsWith: "api-key." } }, select: { action: true, summary: true, targetLabel: true } });
      expect(audit.filter((event) => event.action === "api-key.create")).toHaveLength(6);
      expect(audit.find((event) => event.action === "api-key.revoke")?.summary).toContain(keys.revoked.prefix);
      for (const { key } of Object.values(keys)) expect(JSON.stringify(audit)).not.toContain(key.slice(13));
    });

    it("refuses to revoke a key twice, with a message", async () => {
      await expect(revokeApiKey(database.prisma, keys.revoked.id, { actor })).rejects.toThrow(/already revoked/);
    });
  });

  describe("authentication", () => {
    it("answers 401 with a Bearer challenge when the key is missing or malformed", async () => {
      for (const route of routes) expect((await call(route, { key: null })).response.status).toBe(401);
      const missing = await call("GET /api/v1/connections", { key: null });
      expect(missing.response.status).toBe(401);
      expect(missing.response.headers.get("www-authenticate")).toBe(`Bearer realm="calsync-api"`);
      expect(await missing.json()).toMatchObject({ type: "urn:calsync:problem:unauthorized", status: 401, instance: "/api/v1/connections" });
      for (const authorization of ["Basic abc", "Bearer", "Bearer csk_short", `Bearer ${keys.read.key}x`]) {
        const malformed = await call("GET /api/v1/connections", { authorization });
        expect(malformed.response.status).toBe(401);
        expect(malformed.response.headers.get("www-authenticate")).toContain(`error="invalid_token"`);
      }
    });

    it("gives an unknown prefix and a wrong secret exactly the same answer", async () => {
      const wrongSecret = `${keys.read.prefix}_${"A".repeat(43)}`;
      const unknownPrefix = `csk_zzzzzzzz_${keys.read.key.slice(13)}`;
      const a = await call("GET /api/v1/connections", { key: wrongSecret });
      const b = await call("GET /api/v1/connections", { key: unknownPrefix });
      expect(a.response.status).toBe(401);
      expect(await a.response.text()).toBe(await b.response.text());
      expect([...a.response.headers]).toEqual([...b.response.headers]);
      expect(await (await call("GET /api/v1/connections", { key: wrongSecret })).json()).toMatchObject({ detail: INVALID_KEY_DETAIL });
    });

    it("refuses revoked and expired keys, saying so only to the holder of the full key", async () => {
      const revoked = await call("GET /api/v1/connections", { key: keys.revoked.key });
      expect(revoked.response.status).toBe(401);
      expect((await revoked.json()).detail).toMatch(/was revoked on \d{4}-\d{2}-\d{2}/);
      const expired = await call("GET /api/v1/connections", { key: keys.expired.key });
      expect(expired.response.status).toBe(401);
      expect((await expired.json()).detail).toMatch(/expired on \d{4}-\d{2}-\d{2}/);
    });

    it("refuses a key as soon as it is revoked, although key rows are cached", async () => {
      const created = await createApiKey(database.prisma, { name: "short-lived", scopes: ["connections:read"], expiresAt: null }, { actor });
      expect((await call("GET /api/v1/connections", { key: created.key })).response.status).toBe(200);
      await revokeApiKey(database.prisma, created.view.id, { actor });
      expect((await call("GET /api/v1/connections", { key: created.key })).response.status).toBe(401);
    });

    it("answers 403 naming the missing scope, with rate-limit headers", async () => {
      const denied = await call("GET /api/v1/connections", { key: keys.tokens.key });
      expect(denied.response.status).toBe(403);
      expect((await denied.json()).detail).toContain("connections:read");
      for (const [route, key] of [
        ["GET /api/v1/connections/[id]", keys.reports.key],
        ["POST /api/v1/connections/[id]/token", keys.read.key],
        ["POST /api/v1/connections/[id]/reports", keys.tokens.key],
      ] as const) {
        expect((await call(route, { key, body: route.startsWith("POST") ? "{}" : undefined })).response.status).toBe(403);
      }
    });

    it("records last use at most once a minute", async () => {
      await database.prisma.apiKey.update({ where: { id: keys.reports.id }, data: { lastUsedAt: null }, select: { id: true } });
      forgetCachedApiKeys();
      await call("GET /api/v1/connections", { key: keys.reports.key });
      const first = await database.prisma.apiKey.findUniqueOrThrow({ where: { id: keys.reports.id }, select: { lastUsedAt: true } });
      expect(first.lastUsedAt).toBeInstanceOf(Date);
      await call("GET /api/v1/connections", { key: keys.reports.key });
      const second = await database.prisma.apiKey.findUniqueOrThrow({ where: { id: keys.reports.id }, select: { lastUsedAt: true } });
      expect(second.lastUsedAt).toEqual(first.lastUsedAt);
      const later = new Date(first.lastUsedAt!.getTime() + 61_000);
      await updateApiKeyLastUsed(database.prisma, { id: keys.reports.id, prefix: keys.reports.prefix, lastUsedAt: first.lastUsedAt }, later);
      const third = await database.prisma.apiKey.findUniqueOrThrow({ where: { id: keys.reports.id }, select: { lastUsedAt: true } });
      expect(third.lastUsedAt).toEqual(later);
    });
  });

  describe("rate limit", () => {
    it("counts requests per key, announces the budget and answers 429 with Retry-After", async () => {
      process.env.CALSYNC_API_RATE_LIMIT_PER_MINUTE = "3";
      resetEnvCache();
      const remaining: string[] = [];
      for (let index = 0; index < 3; index += 1) {
        const { response } = await call("GET /api/v1/connections");
        expect(response.status).toBe(200);
        expect(response.headers.get("ratelimit-policy")).toBe(`"default";q=3;w=60`);
        remaining.push(response.headers.get("ratelimit")!.split(";")[1]!);
      }
      expect(remaining).toEqual(["r=2", "r=1", "r=0"]);
      const limited = await call("GET /api/v1/connections");
      expect(limited.response.status).toBe(429);
      expect(Number(limited.response.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(limited.response.headers.get("ratelimit")).toMatch(/^"default";r=0;t=\d+$/);
      expect(await limited.json()).toMatchObject({ type: "urn:calsync:problem:rate-limited", status: 429 });
      // Another key has its own budget.
      expect((await call("GET /api/v1/connections", { key: keys.credentials.key })).response.status).toBe(200);
    });

    it("guards every route", async () => {
      process.env.CALSYNC_API_RATE_LIMIT_PER_MINUTE = "1";
      resetEnvCache();
      const keyFor = { "GET /api/v1/connections": keys.read, "GET /api/v1/connections/[id]": keys.read, "POST /api/v1/connections/[id]/token": keys.tokens, "POST /api/v1/connections/[id]/reports": keys.reports };
      for (const route of routes) {
        apiRateLimiter().reset();
        const body = route.endsWith("reports") ? `{"outcome":"success"}` : undefined;
        expect((await call(route, { key: keyFor[route].key, body })).response.status).toBeLessThan(300);
        expect((await call(route, { key: keyFor[route].key, body })).response.status).toBe(429);
      }
    });
  });

  describe("GET /api/v1/connections", () => {
    it("lists connections with their non-secret settings, in name order", async () => {
      const { response, json } = await call("GET /api/v1/connections");
      expect(response.status).toBe(200);
      expect(response.headers.get("ratelimit-policy")).toBe(`"default";q=600;w=60`);
      const body = await json();
      const data = body.data as Record<string, unknown>[];
      expect(data.map((row) => row.name)).toEqual(["Alpha", "Bravo", "Charlie", "Delta mailbox"]);
      expect(Object.keys(data[0]!).sort()).toEqual(
        ["id", "name", "kind", "cloud", "tenant", "tenantId", "clientId", "mailboxScope", "state", "stateSince", "lastCheckedAt", "secretExpiresAt", "credentialType", "certificateExpiresAt", "updatedAt", "version"].sort(),
      );
      expect(data[0]).toMatchObject({ id: connections.healthy, cloud: "custom", tenantId: contosoId, secretExpiresAt: "2027-01-01", version: 1 });
      expect(body.nextCursor).toBeNull();
      expect(JSON.stringify(body)).not.toContain(secret.slice(-4) + '"');
    });

    it("pages with an opaque cursor", async () => {
      const names: unknown[] = [];
      let cursor: string | null = null;
      do {
        const page: { json: () => Promise<Record<string, unknown>> } = await call("GET /api/v1/connections", { query: `?limit=3${cursor ? `&cursor=${cursor}` : ""}` });
        const body = await page.json();
        names.push(...(body.data as { name: string }[]).map((row) => row.name));
        cursor = body.nextCursor as string | null;
      } while (cursor);
      expect(names).toEqual(["Alpha", "Bravo", "Charlie", "Delta mailbox"]);
    });

    it("names the bad query parameter", async () => {
      for (const [query, field] of [
        ["?limit=0", "limit"],
        ["?limit=201", "limit"],
        ["?limit=ten", "limit"],
        ["?limit=1&limit=2", "limit"],
        ["?cursor=not-ours", "cursor"],
        ["?pageSize=10", "pageSize"],
      ] as const) {
        const { response, json } = await call("GET /api/v1/connections", { query });
        expect(response.status, query).toBe(400);
        expect((await json()).errors, query).toEqual([expect.objectContaining({ field })]);
      }
    });

    it("answers 304 to a matching If-None-Match, and 200 once something changed", async () => {
      const first = await call("GET /api/v1/connections");
      const etag = first.response.headers.get("etag")!;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
      const again = await call("GET /api/v1/connections", { headers: { "if-none-match": `W/${etag}` } });
      expect(again.response.status).toBe(304);
      expect(again.response.headers.get("etag")).toBe(etag);
      await database.prisma.connection.update({ where: { id: connections.second }, data: { name: "Charlie 2" }, select: { id: true } });
      const changed = await call("GET /api/v1/connections", { headers: { "if-none-match": etag } });
      expect(changed.response.status).toBe(200);
      expect(changed.response.headers.get("etag")).not.toBe(etag);
      await database.prisma.connection.update({ where: { id: connections.second }, data: { name: "Charlie" }, select: { id: true } });
    });
  });

  describe("GET /api/v1/connections/{id}", () => {
    it("returns one connection without credentials, with an ETag and 304", async () => {
      const { response, json } = await call("GET /api/v1/connections/[id]");
      expect(response.status).toBe(200);
      const body = await json();
      expect(body).toMatchObject({ id: connections.healthy, name: "Alpha", clientId: appIds.healthy });
      expect(body).not.toHaveProperty("credentials");
      const etag = response.headers.get("etag")!;
      expect((await call("GET /api/v1/connections/[id]", { headers: { "if-none-match": `"other", ${etag}` } })).response.status).toBe(304);
    });

    it("answers 404 to an unknown or malformed id", async () => {
      for (const id of [randomUUID(), "not-a-uuid", "1; drop table"]) {
        const { response, json } = await call("GET /api/v1/connections/[id]", { id });
        expect(response.status).toBe(404);
        expect(await json()).toMatchObject({ type: "urn:calsync:problem:not-found" });
      }
    });

    it("with credentials:read returns the secret, uncached, and audits each read without it", async () => {
      const before = await database.prisma.auditEvent.count({ where: { action: "api.credentials-read" } });
      const { response, json } = await call("GET /api/v1/connections/[id]", { key: keys.credentials.key, headers: { "x-calsync-client-ip": "192.0.2.7" } });
      expect(response.status).toBe(200);
      expect((await json()).credentials).toEqual({ type: "secret", clientSecret: secret, certificate: null });
      expect(response.headers.get("etag")).toBeNull();
      expect(response.headers.get("cache-control")).toBe("no-store");
      await call("GET /api/v1/connections/[id]", { key: keys.credentials.key, id: connections.noSecret }).then(async ({ json: body }) =>
        expect((await body()).credentials).toEqual({ type: "delegated", clientSecret: null, certificate: null }),
      );
      const events = await database.prisma.auditEvent.findMany({
        where: { action: "api.credentials-read" },
        orderBy: { id: "asc" },
        select: { actorId: true, actorEmail: true, targetId: true, summary: true, ip: true },
      });
      expect(events).toHaveLength(before + 2);
      expect(events[before]).toMatchObject({ actorId: null, actorEmail: null, targetId: connections.healthy, ip: "192.0.2.7" });
      expect(events[before]!.summary).toContain(keys.credentials.name);
      expect(events[before]!.summary).toContain(keys.credentials.prefix);
      const allAudit = JSON.stringify(await database.prisma.auditEvent.findMany({ select: { summary: true, targetLabel: true } }));
      expect(allAudit).not.toContain(secret);
    });
  });

  describe("a certificate connection", () => {
    it("shows its credential type, thumbprint and exact expiry, never the key, and mints tokens signed with it", async () => {
      const certificate = await generateCertificateCredential({ commonName: "Calsync Console: Echo", privateKeyPem: fixtureKeys.c });
      const scenario = testScenario();
      scenario.tenants[0]!.apps!.find((app) => app.clientId === appIds.noUserRead)!.certificates = [{ pem: certificate.certificatePem }];
      sim.setScenario(scenario);
      const { id } = await createConnection(
        database.prisma,
        ring,
        { ...baseInput(), name: "Echo", clientId: appIds.noUserRead, clientSecret: "", secretExpiresAt: null, certificate: { ...certificate, generated: true } },
        { actor },
      );
      try {
        const listed = await call("GET /api/v1/connections/[id]", { id });
        expect(await listed.json()).toMatchObject({ credentialType: "certificate", certificateExpiresAt: certificate.expiresAt.toISOString(), secretExpiresAt: null });
        const detail = await call("GET /api/v1/connections/[id]", { id, key: keys.credentials.key });
        const body = await detail.json();
        expect(body.credentials).toEqual({
          type: "certificate",
          clientSecret: null,
          certificate: { thumbprintSha256: certificate.thumbprintSha256, expiresAt: certificate.expiresAt.toISOString() },
        });
        expect(JSON.stringify(body)).not.toContain(pemBody(certificate.privateKeyPem).slice(0, 40));
        const audit = await database.prisma.auditEvent.findFirst({ where: { action: "api.credentials-read", targetId: id }, select: { summary: true } });
        expect(audit?.summary).toContain("certificate details (thumbprint and expiry, no key)");
        const token = await call("POST /api/v1/connections/[id]/token", { id, key: keys.tokens.key });
        expect(token.response.status).toBe(200);
        expect(await token.json()).toMatchObject({ tokenType: "Bearer" });
      } finally {
        await database.prisma.connection.delete({ where: { id } });
        sim.setScenario(testScenario());
      }
    });
  });

  describe("POST /api/v1/connections/{id}/token", () => {
    it("mints a Graph token through msal and serves the second call from its cache", async () => {
      const first = await call("POST /api/v1/connections/[id]/token", { key: keys.tokens.key });
      expect(first.response.status).toBe(200);
      const token = await first.json();
      expect(token).toMatchObject({ tokenType: "Bearer", scope: `${sim.origin}/.default` });
      expect(Date.parse(token.expiresOn as string)).toBeGreaterThan(Date.now() + 10 * 60_000);
      expect(first.response.headers.get("cache-control")).toBe("no-store");
      const second = await call("POST /api/v1/connections/[id]/token", { key: keys.tokens.key, body: "{}" });
      expect((await second.json()).accessToken).toBe(token.accessToken);
      const tokenPosts = sim.requests.filter((request) => request.method === "POST" && request.path.endsWith("/oauth2/v2.0/token"));
      expect(tokenPosts).toHaveLength(1);
      expect(JSON.stringify(token)).not.toContain(secret);
    });

    it("asks Microsoft again once the secret changed", async () => {
      await call("POST /api/v1/connections/[id]/token", { key: keys.tokens.key, id: connections.second });
      const rotated = "rotated~secret~value~000000000000000001";
      await database.prisma.connection.update({
        where: { id: connections.second },
        data: { clientSecretSealed: ring.seal(rotated, sealContext("connections", "client_secret_sealed", connections.second)) },
        select: { id: true },
      });
      const after = await call("POST /api/v1/connections/[id]/token", { key: keys.tokens.key, id: connections.second });
      // The simulator knows only the old secret: the answer proves the cache was not used.
      expect(after.response.status).toBe(502);
      expect(await after.response.clone().text()).not.toContain(rotated);
      expect(sim.requests.filter((request) => request.method === "POST" && request.path.endsWith("/oauth2/v2.0/token"))).toHaveLength(2);
      await database.prisma.connection.update({
        where: { id: connections.second },
        data: { clientSecretSealed: ring.seal(secret, sealContext("connections", "client_secret_sealed", connections.second)) },
        select: { id: true },
      });
    });

    it("turns Microsoft's refusal into a 502 problem from the error catalog", async () => {
      const { response, json } = await call("POST /api/v1/connections/[id]/token", { key: keys.tokens.key, id: connections.expired });
      expect(response.status).toBe(502);
      const body = await json();
      expect(body).toMatchObject({ type: "urn:calsync:problem:microsoft-error", code: "AADSTS7000222", fix: { step: "client-secret" } });
      expect(body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(body.detail).toMatch(/secret/i);
      expect(JSON.stringify(body)).not.toContain(secret);
    });

    it("answers 409 for a connection without a secret and 404 for an unknown one", async () => {
      expect((await call("POST /api/v1/connections/[id]/token", { key: keys.tokens.key, id: connections.noSecret })).response.status).toBe(409);
      expect((await call("POST /api/v1/connections/[id]/token", { key: keys.tokens.key, id: randomUUID() })).response.status).toBe(404);
    });

    it("refuses a body other than {} with the field named", async () => {
      const unknown = await call("POST /api/v1/connections/[id]/token", { key: keys.tokens.key, body: `{"scope":"x"}` });
      expect(unknown.response.status).toBe(400);
      expect((await unknown.json()).errors).toEqual([{ field: "scope", message: "is not a known field" }]);
      const malformed = await call("POST /api/v1/connections/[id]/token", { key: keys.tokens.key, body: "{" });
      expect((await malformed.json()).errors).toEqual([{ field: "body", message: "is not valid JSON" }]);
    });
  });

  describe("POST /api/v1/connections/{id}/reports", () => {
    const valid = { outcome: "partial", startedAt: "2026-11-24T01:00:00Z", finishedAt: "2026-11-24T01:02:00+00:00", itemsSynced: 120, itemsFailed: 3, errorCode: "ErrorItemNotFound", message: "3 events vanished" };

    it("stores the report with the key that sent it", async () => {
      const { response, json } = await call("POST /api/v1/connections/[id]/reports", { key: keys.reports.key, body: JSON.stringify(valid), headers: { "content-type": "application/json" } });
      expect(response.status).toBe(201);
      const body = await json();
      expect(body).toMatchObject({ connectionId: connections.healthy, apiKeyId: keys.reports.id, outcome: "partial", itemsSynced: 120, startedAt: "2026-11-24T01:00:00.000Z" });
      const stored = await database.prisma.engineReport.findUniqueOrThrow({ where: { id: BigInt(body.id as string) }, select: { apiKeyId: true, message: true } });
      expect(stored).toEqual({ apiKeyId: keys.reports.id, message: "3 events vanished" });
      const minimal = await call("POST /api/v1/connections/[id]/reports", { key: keys.reports.key, body: `{"outcome":"success"}` });
      expect(await minimal.json()).toMatchObject({ outcome: "success", startedAt: null, itemsSynced: null });
    });

    it.each([
      ["malformed JSON", `{"outcome":`, "body"],
      ["an empty body", "", "body"],
      ["an array", "[]", "body"],
      ["an unknown field", JSON.stringify({ ...valid, extra: 1 }), "extra"],
      ["a missing outcome", JSON.stringify({ itemsSynced: 1 }), "outcome"],
      ["a bad outcome", JSON.stringify({ outcome: "ok" }), "outcome"],
      ["a negative count", JSON.stringify({ outcome: "success", itemsFailed: -1 }), "itemsFailed"],
      ["a bad timestamp", JSON.stringify({ outcome: "success", startedAt: "yesterday" }), "startedAt"],
      ["finishing before starting", JSON.stringify({ ...valid, finishedAt: "2026-11-24T00:00:00Z" }), "finishedAt"],
    ])("refuses %s with the field named", async (_label, body, field) => {
      const { response, json } = await call("POST /api/v1/connections/[id]/reports", { key: keys.reports.key, body });
      expect(response.status).toBe(400);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect((await json()).errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });

    it("refuses bodies over 64 kB by Content-Length and by what was actually read", async () => {
      const declared = await call("POST /api/v1/connections/[id]/reports", { key: keys.reports.key, body: "{}", headers: { "content-length": String(MAX_BODY_BYTES + 1) } });
      expect(declared.response.status).toBe(400);
      expect((await declared.json()).errors).toEqual([{ field: "body", message: "must be at most 64 kB" }]);
      const big = JSON.stringify({ outcome: "failure", message: "x".repeat(MAX_BODY_BYTES) });
      // A stream has no Content-Length, as with chunked transfer encoding: only counting can catch it.
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          const bytes = new TextEncoder().encode(big);
          for (let offset = 0; offset < bytes.length; offset += 8192) controller.enqueue(bytes.slice(offset, offset + 8192));
          controller.close();
        },
      });
      const streamed = await call("POST /api/v1/connections/[id]/reports", { key: keys.reports.key, body: stream });
      expect(streamed.response.status).toBe(400);
      expect((await streamed.json()).errors).toEqual([{ field: "body", message: "must be at most 64 kB" }]);
    });

    it("answers 404 for an unknown connection", async () => {
      expect((await call("POST /api/v1/connections/[id]/reports", { key: keys.reports.key, id: randomUUID(), body: `{"outcome":"success"}` })).response.status).toBe(404);
    });
  });

  describe("while the database is not answering", () => {
    const bodies: Partial<Record<RouteName, string>> = { "POST /api/v1/connections/[id]/reports": `{"outcome":"success"}` };
    const keyFor: Record<RouteName, keyof typeof keys> = {
      "GET /api/v1/connections": "read",
      "GET /api/v1/connections/[id]": "read",
      "POST /api/v1/connections/[id]/token": "tokens",
      "POST /api/v1/connections/[id]/reports": "reports",
    };

    it("answers 503 with a problem document on every route, whether the key was cached or not", async () => {
      const goneAway = createPrismaClient(new PrismaPg({ connectionString: "postgresql://calsync:hunter2-db-password@127.0.0.1:9/calsync" }));
      try {
        forgetCachedApiKeys();
        useDatabase({ ...database, prisma: goneAway });
        for (const route of routes) {
          const { response, json } = await call(route, { key: keys[keyFor[route]].key, body: bodies[route] });
          expect(response.status, route).toBe(503);
          expect(await json()).toMatchObject({ type: "urn:calsync:problem:database-unavailable", status: 503, detail: expect.stringMatching(/^The database is not answering/) });
        }
        // A key looked up a moment ago passes without the database; the handler's own query then fails.
        useDatabase(database);
        expect((await call("GET /api/v1/connections")).response.status).toBe(200);
        useDatabase({ ...database, prisma: goneAway });
        const { response } = await call("GET /api/v1/connections");
        expect(response.status).toBe(503);
        expect(response.headers.get("ratelimit")).not.toBeNull();
      } finally {
        useDatabase(database);
        await goneAway.$disconnect();
      }
    });
  });

  it("produced every documented answer (except 500) and never logged a secret or key", () => {
    const expected = documentedAnswers().filter((answer) => !answer.endsWith(" 500"));
    expect(expected.filter((answer) => !seen.has(answer))).toEqual([]);
    const logged = output.join("");
    expect(logged).not.toContain(secret);
    for (const { key } of Object.values(keys)) expect(logged).not.toContain(key.slice(13));
  });
});
