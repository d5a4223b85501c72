import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dispatchApiRequest } from "@/lib/api/dispatch";
import type { ApiKeyRouteName } from "@/lib/api/authorize";
import { engineRoutes } from "@/lib/api/engine-routes";
import type { ApiRequest, ApiResponse } from "@/lib/api/http";
import { nextRoute } from "@/lib/api/next-adapter";
import { apiRateLimiter } from "@/lib/api/rate-limit";
import { MAX_BODY_BYTES } from "@/lib/api/schemas";
import { setKeyRing } from "@/lib/crypto/key-store";
import { KeyRing } from "@/lib/crypto/seal";
import { useDatabase, type Database } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { testEngines } from "@/test-support/databases";
import { seedEngineApiData } from "@/test-support/engine-api-seed";

/**
 * The engine handlers answer the same whether Next calls them through the Fetch adapter or
 * scripts/server.mjs calls them with plain objects: each case is sent both ways, from a fresh rate
 * limit, and status, headers and body must be equal.
 */

const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);

type Case = {
  route: ApiKeyRouteName;
  id?: string;
  query?: string;
  headers?: Record<string, string>;
  /** Sent in chunks of 8 kB without Content-Length, as with chunked transfer encoding. */
  body?: string;
};

function chunks(text: string): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  const parts: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += 8192) parts.push(bytes.slice(offset, offset + 8192));
  return parts;
}

async function* iterate(parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* parts;
}

function pathOf(test: Case, id: string): string {
  return test.route.split(" ")[1]!.replace("[id]", test.id ?? id) + (test.query ?? "");
}

async function viaCore(test: Case, id: string, clientIp: string | null = null): Promise<ApiResponse> {
  const method = test.route.split(" ")[0]!;
  const request: ApiRequest = {
    method,
    url: pathOf(test, id),
    headers: { host: "localhost", ...test.headers },
    clientIp,
    body: test.body === undefined ? undefined : iterate(chunks(test.body)),
  };
  return engineRoutes[test.route](request, { id: test.id ?? (test.route.includes("[id]") ? id : "") });
}

async function viaNext(test: Case, id: string, headers: Record<string, string> = {}): Promise<ApiResponse> {
  const method = test.route.split(" ")[0]!;
  const body =
    test.body === undefined
      ? undefined
      : new ReadableStream<Uint8Array>({
          start(controller) {
            for (const part of chunks(test.body!)) controller.enqueue(part);
            controller.close();
          },
        });
  const request = new Request(`http://localhost${pathOf(test, id)}`, { method, headers: { ...test.headers, ...headers }, body, duplex: "half" } as RequestInit);
  const response = await nextRoute(test.route)(request, { params: Promise.resolve(test.route.includes("[id]") ? { id: test.id ?? id } : {}) });
  const text = await response.text();
  return { status: response.status, headers: Object.fromEntries(response.headers), ...(text === "" && response.status === 304 ? {} : { body: text }) };
}

const sorted = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).sort(([a], [b]) => a.localeCompare(b)));

describe.each(testEngines())("engine handlers, plain and through Next, on $name", (engine) => {
  let database: Database;
  let connectionId = "";
  const keys: Record<"read" | "tokens" | "reports" | "credentials", string> = { read: "", tokens: "", reports: "", credentials: "" };

  beforeAll(async () => {
    setKeyRing(ring);
    database = await engine.open();
    useDatabase(database);
    const seeded = await seedEngineApiData(database.prisma, ring, {
      read: ["connections:read"],
      tokens: ["tokens:issue"],
      reports: ["reports:write"],
      credentials: ["connections:read", "credentials:read"],
    });
    connectionId = seeded.connectionId;
    Object.assign(keys, seeded.keys);
  });

  afterAll(async () => {
    useDatabase(undefined);
    setKeyRing(undefined);
    await database?.close();
  });

  beforeEach(() => apiRateLimiter().reset());

  afterEach(() => {
    delete process.env.CALSYNC_API_RATE_LIMIT_PER_MINUTE;
    resetEnvCache();
  });

  const bearer = (key: keyof typeof keys) => ({ authorization: `Bearer ${keys[key]}` });

  async function bothWays(test: Case): Promise<ApiResponse> {
    apiRateLimiter().reset();
    const plain = await viaCore(test, connectionId);
    apiRateLimiter().reset();
    const next = await viaNext(test, connectionId);
    expect({ status: next.status, headers: sorted(next.headers), body: next.body }).toEqual({ status: plain.status, headers: sorted(plain.headers), body: plain.body });
    return plain;
  }

  it.each<[string, () => Case, number]>([
    ["a read of one connection", () => ({ route: "GET /api/v1/connections/[id]", headers: bearer("read") }), 200],
    ["the list", () => ({ route: "GET /api/v1/connections", headers: bearer("read") }), 200],
    ["no key", () => ({ route: "GET /api/v1/connections/[id]" }), 401],
    ["a key that is not one", () => ({ route: "GET /api/v1/connections/[id]", headers: { authorization: `Bearer csk_zzzzzzzz_${"A".repeat(43)}` } }), 401],
    ["a key without the scope", () => ({ route: "GET /api/v1/connections/[id]", headers: bearer("tokens") }), 403],
    ["a malformed id", () => ({ route: "GET /api/v1/connections/[id]", id: "not-a-uuid", headers: bearer("read") }), 404],
    ["an unknown connection for a token", () => ({ route: "POST /api/v1/connections/[id]/token", id: randomUUID(), headers: bearer("tokens") }), 404],
    ["a bad query parameter", () => ({ route: "GET /api/v1/connections", query: "?limit=0", headers: bearer("read") }), 400],
    ["a bad body field", () => ({ route: "POST /api/v1/connections/[id]/reports", headers: bearer("reports"), body: `{"outcome":"ok"}` }), 400],
    ["an unknown body field", () => ({ route: "POST /api/v1/connections/[id]/token", headers: bearer("tokens"), body: `{"scope":"x"}` }), 400],
    ["a body declared over 64 kB", () => ({ route: "POST /api/v1/connections/[id]/reports", headers: { ...bearer("reports"), "content-length": String(MAX_BODY_BYTES + 1) }, body: "{}" }), 400],
    ["a streamed body over 64 kB", () => ({ route: "POST /api/v1/connections/[id]/reports", headers: bearer("reports"), body: JSON.stringify({ outcome: "failure", message: "x".repeat(MAX_BODY_BYTES) }) }), 400],
  ])("%s", async (_label, test, status) => {
    const answer = await bothWays(test());
    expect(answer.status).toBe(status);
  });

  it("names the field of a bad query, and says when a body is too large", async () => {
    const query = await bothWays({ route: "GET /api/v1/connections", query: "?limit=1&limit=2", headers: bearer("read") });
    expect(JSON.parse(query.body!).errors).toEqual([{ field: "limit", message: "must be given once" }]);
    const large = await bothWays({ route: "POST /api/v1/connections/[id]/reports", headers: bearer("reports"), body: "x".repeat(MAX_BODY_BYTES + 1) });
    expect(JSON.parse(large.body!).errors).toEqual([{ field: "body", message: "must be at most 64 kB" }]);
  });

  it("answers 304 to a matching If-None-Match the same way, with the ETag and no body", async () => {
    const first = await bothWays({ route: "GET /api/v1/connections/[id]", headers: bearer("read") });
    const revalidated = await bothWays({ route: "GET /api/v1/connections/[id]", headers: { ...bearer("read"), "if-none-match": `W/${first.headers.etag}` } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body).toBeUndefined();
    expect(revalidated.headers.etag).toBe(first.headers.etag);
    expect(revalidated.headers["cache-control"]).toBe("private, no-cache");
  });

  it("answers 429 with Retry-After the same way", async () => {
    process.env.CALSYNC_API_RATE_LIMIT_PER_MINUTE = "1";
    resetEnvCache();
    const test: Case = { route: "GET /api/v1/connections/[id]", headers: bearer("read") };
    apiRateLimiter().reset();
    await viaCore(test, connectionId);
    const plain = await viaCore(test, connectionId);
    apiRateLimiter().reset();
    await viaNext(test, connectionId);
    const next = await viaNext(test, connectionId);
    expect(plain.status).toBe(429);
    expect(sorted(next.headers)).toEqual(sorted(plain.headers));
    expect(next.body).toBe(plain.body);
    expect(Number(plain.headers["retry-after"])).toBeGreaterThan(0);
  });

  it("audits a credentials read with the address the server determined, not a header the client sent", async () => {
    const test: Case = { route: "GET /api/v1/connections/[id]", headers: { ...bearer("credentials"), "x-calsync-client-ip": "198.51.100.1" } };
    expect((await viaCore(test, connectionId, "192.0.2.7")).status).toBe(200);
    // Through Next, scripts/server.mjs has already replaced the header with the socket's address.
    expect((await viaNext(test, connectionId, { "x-calsync-client-ip": "192.0.2.8" })).status).toBe(200);
    const events = await database.prisma.auditEvent.findMany({ where: { action: "api.credentials-read" }, orderBy: { id: "asc" }, select: { ip: true } });
    expect(events.map((event) => event.ip)).toEqual(["192.0.2.7", "192.0.2.8"]);
  });

  it("does not read a body before the caller is authorised", async () => {
    let started = false;
    const body = (async function* () {
      started = true;
      yield new TextEncoder().encode(`{"outcome":"success"}`);
    })();
    const answer = await engineRoutes["POST /api/v1/connections/[id]/reports"]({ method: "POST", url: `/api/v1/connections/${connectionId}/reports`, headers: {}, clientIp: null, body }, { id: connectionId });
    expect(answer.status).toBe(401);
    expect(started).toBe(false);
  });

  describe("dispatch for scripts/server.mjs", () => {
    const request = (method: string, url: string, headers: Record<string, string> = {}): ApiRequest => ({ method, url, headers, clientIp: "127.0.0.1" });

    it("leaves anything but an engine route to Next, at once", () => {
      for (const [method, url] of [
        ["GET", "/api/v1/connectionsx"],
        ["PUT", `/api/v1/connections/${randomUUID()}`],
        ["HEAD", "/api/v1/connections"],
        ["GET", `/api/v1/connections/${randomUUID()}/token`],
        ["GET", "/api/v1/connections/a/b/c"],
        ["GET", "/api/v1/openapi.json"],
      ] as const) {
        expect(dispatchApiRequest(request(method, url)), `${method} ${url}`).toBeNull();
      }
    });

    it("serves an engine route with the id decoded and the query and a trailing slash allowed", async () => {
      const encoded = connectionId.replace("-", "%2D");
      const answer = await dispatchApiRequest(request("GET", `/api/v1/connections/${encoded}/?x=1`, bearer("read")));
      expect(answer?.status).toBe(200);
      expect(JSON.parse(answer!.body!).id).toBe(connectionId);
    });

    it("answers a malformed escape in the id like an unknown connection", async () => {
      const answer = await dispatchApiRequest(request("GET", "/api/v1/connections/%E0%A4%A", bearer("read")));
      expect(answer?.status).toBe(404);
      expect(JSON.parse(answer!.body!)).toMatchObject({ type: "urn:calsync:problem:not-found", instance: "/api/v1/connections/%E0%A4%A" });
    });
  });
});
