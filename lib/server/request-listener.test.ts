import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { ApiRequest, ApiResponse } from "@/lib/api/http";
import { CLIENT_IP_HEADER, CLIENT_PROTO_HEADER } from "@/lib/request-headers";
import { securityHeaders } from "@/lib/security-headers";
import type { EngineApi } from "@/lib/server/engine-api-slot";
import { createRequestListener, TEST_ROUTE_HEADER, type RequestListenerOptions } from "@/lib/server/request-listener";
import { SERVER_ACTION_BODY_LIMIT_BYTES } from "@/lib/server/server-action-guard";

/**
 * The listener on a real socket. Next.js is replaced by a handler that answers with the headers it
 * was given (what Next and the app would see), and the engine API by one that records the plain
 * request it was handed.
 */

type Answer = { status: number; headers: IncomingHttpHeaders; body: string };

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen(options: Partial<RequestListenerOptions> & { dispatch?: EngineApi["dispatch"] }): Promise<{ origin: string; seen: ApiRequest[] }> {
  const seen: ApiRequest[] = [];
  const engineApi: EngineApi = {
    dispatch:
      options.dispatch ??
      ((request) => {
        seen.push(request);
        return Promise.resolve({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ clientIp: request.clientIp }) });
      }),
    failed: (request) => ({ status: 500, headers: { "content-type": "application/problem+json" }, body: JSON.stringify({ type: "urn:calsync:problem:internal", instance: request.url }) }),
  };
  const server = createServer(
    createRequestListener({
      trustProxy: false,
      engineApi: Promise.resolve(engineApi),
      next: (req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(req.headers));
      },
      securityHeaders: securityHeaders(),
      testRouteHeader: false,
      serverActions: { publicUrl: undefined, bodyLimit: SERVER_ACTION_BODY_LIMIT_BYTES },
      ...options,
    }),
  );
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/** `chunks` are written one by one with no Content-Length (chunked), `body` all at once with one. */
function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string; chunks?: string[] } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? "GET", headers: options.headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end(options.body);
  });
}

const forwarding = {
  forwarded: "for=203.0.113.5;host=attacker.example;proto=https",
  "x-forwarded-for": "203.0.113.5",
  "x-forwarded-host": "attacker.example",
  "x-forwarded-proto": "https",
  "x-forwarded-port": "443",
};

describe("the server's request listener", () => {
  it("drops every forwarding header a client sends unless a proxy is trusted, and says who called", async () => {
    const { origin } = await listen({ trustProxy: false });
    const seenByNext = JSON.parse((await send(`${origin}/sign-in`, { headers: { ...forwarding, [CLIENT_IP_HEADER]: "198.51.100.1", [CLIENT_PROTO_HEADER]: "https" } })).body) as Record<string, string>;
    for (const name of Object.keys(forwarding)) expect(seenByNext, name).not.toHaveProperty(name);
    expect(seenByNext[CLIENT_IP_HEADER]).toBe("127.0.0.1");
    expect(seenByNext[CLIENT_PROTO_HEADER]).toBe("http");
  });

  it("keeps them behind a trusted proxy, and takes the address the proxy appended and its scheme", async () => {
    const { origin } = await listen({ trustProxy: true });
    const headers = { ...forwarding, "x-forwarded-for": "198.51.100.1, 203.0.113.5" };
    const seenByNext = JSON.parse((await send(`${origin}/sign-in`, { headers })).body) as Record<string, string>;
    expect(seenByNext).toMatchObject(headers);
    expect(seenByNext[CLIENT_IP_HEADER]).toBe("203.0.113.5");
    expect(seenByNext[CLIENT_PROTO_HEADER]).toBe("https");
  });

  it("hands the engine API the caller's address, never one a client claims", async () => {
    const untrusted = await listen({ trustProxy: false });
    expect(JSON.parse((await send(`${untrusted.origin}/api/v1/connections`, { headers: forwarding })).body)).toEqual({ clientIp: "127.0.0.1" });
    expect(untrusted.seen[0]!.headers).not.toHaveProperty("x-forwarded-for");
    const trusted = await listen({ trustProxy: true });
    expect(JSON.parse((await send(`${trusted.origin}/api/v1/connections`, { headers: forwarding })).body)).toEqual({ clientIp: "203.0.113.5" });
  });

  it("puts the same security headers on what Next answers and on what the fast path answers, failures included", async () => {
    const { origin } = await listen({ dispatch: (request) => (request.url.includes("fail") ? Promise.reject(new Error("boom")) : Promise.resolve({ status: 204, headers: {} })) });
    const expected = securityHeaders();
    for (const path of ["/sign-in", "/api/v1/connections", "/api/v1/connections/fail"]) {
      const answer = await send(`${origin}${path}`);
      expect(answer.status, path).toBe(path.includes("fail") ? 500 : path === "/sign-in" ? 200 : 204);
      for (const [name, value] of Object.entries(expected)) expect(answer.headers[name], `${name} on ${path}`).toBe(value);
    }
  });

  it("answers a failed engine request with the problem document, not a bare 500", async () => {
    const { origin } = await listen({ dispatch: () => Promise.reject(new Error("boom")) });
    const answer = await send(`${origin}/api/v1/connections/x`);
    expect(answer.status).toBe(500);
    expect(answer.headers["content-type"]).toBe("application/problem+json");
    expect(JSON.parse(answer.body)).toEqual({ type: "urn:calsync:problem:internal", instance: "/api/v1/connections/x" });
  });

  it("streams a request body to the engine API, and leaves what it does not serve to Next", async () => {
    const bodies: string[] = [];
    const { origin } = await listen({
      dispatch: (request) => {
        if (request.method === "PUT") return null;
        return (async (): Promise<ApiResponse> => {
          let text = "";
          for await (const chunk of request.body!) text += Buffer.from(chunk).toString("utf8");
          bodies.push(text);
          return { status: 201, headers: {} };
        })();
      },
    });
    expect((await send(`${origin}/api/v1/connections/x/reports`, { method: "POST", body: `{"outcome":"success"}` })).status).toBe(201);
    expect(bodies).toEqual([`{"outcome":"success"}`]);
    const put = await send(`${origin}/api/v1/connections/x`, { method: "PUT" });
    expect(JSON.parse(put.body)).toHaveProperty(CLIENT_IP_HEADER, "127.0.0.1");
  });

  it("leaves engine requests to Next until the engine API is offered", async () => {
    const pending = await listen({ engineApi: new Promise<EngineApi>(() => undefined) });
    expect(JSON.parse((await send(`${pending.origin}/api/v1/connections`)).body)).toHaveProperty(CLIENT_IP_HEADER, "127.0.0.1");
    expect(pending.seen).toHaveLength(0);
  });

  it("lets a request choose Next's route files only when the test setting is on", async () => {
    const off = await listen({ testRouteHeader: false });
    await send(`${off.origin}/api/v1/connections`, { headers: { [TEST_ROUTE_HEADER]: "next" } });
    expect(off.seen).toHaveLength(1);
    const on = await listen({ testRouteHeader: true });
    const answer = await send(`${on.origin}/api/v1/connections`, { headers: { [TEST_ROUTE_HEADER]: "next" } });
    expect(on.seen).toHaveLength(0);
    expect(JSON.parse(answer.body)).toHaveProperty(CLIENT_IP_HEADER, "127.0.0.1");
  });
});

describe("server actions at the server's request listener", () => {
  /** Next.js replaced by one that reads the body and says what it got, and from whom. */
  async function listenForActions(options: Partial<RequestListenerOptions> = {}) {
    const calls: string[] = [];
    const server = await listen({
      next: (req, res) => {
        let body = "";
        req.setEncoding("utf8");
        req.on("data", (chunk: string) => (body += chunk));
        req.on("end", () => {
          calls.push(body);
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ length: Buffer.byteLength(body), clientIp: req.headers[CLIENT_IP_HEADER], host: req.headers.host }));
        });
      },
      ...options,
    });
    return { ...server, calls };
  }

  const action = (origin: string | undefined, extra: Record<string, string> = {}) => ({
    "next-action": "7f00",
    "content-type": "text/plain;charset=UTF-8",
    ...(origin === undefined ? {} : { origin }),
    ...extra,
  });

  it("hands Next a body within the limit byte for byte, with or without a length, and the client's address", async () => {
    const { origin, calls } = await listenForActions({ serverActions: { publicUrl: undefined, bodyLimit: 64 * 1024 } });
    const whole = "é".repeat(32 * 1024);
    const declared = await send(`${origin}/sign-in`, { method: "POST", headers: action(origin), body: whole });
    expect(declared.status).toBe(200);
    expect(JSON.parse(declared.body)).toEqual({ length: 64 * 1024, clientIp: "127.0.0.1", host: new URL(origin).host });
    const chunks = Array.from({ length: 16 }, (_, index) => String(index % 10).repeat(4 * 1024));
    expect((await send(`${origin}/sign-in`, { method: "POST", headers: action(origin), chunks })).status).toBe(200);
    const empty = await send(`${origin}/sign-in`, { method: "POST", headers: action(origin), chunks: [] });
    expect(JSON.parse(empty.body)).toMatchObject({ length: 0 });
    expect(calls).toEqual([whole, chunks.join(""), ""]);
  });

  it("answers 413 to a body over the limit, counted as it arrives, and never hands it to Next", async () => {
    const { origin, calls } = await listenForActions({ serverActions: { publicUrl: undefined, bodyLimit: 64 * 1024 } });
    const declared = await send(`${origin}/sign-in`, { method: "POST", headers: action(origin), body: "x".repeat(64 * 1024 + 1) });
    expect(declared.status).toBe(413);
    expect(declared.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(declared.body).toBe("The form sent more than 64 kB, more than the console accepts. Nothing was changed.");
    // Chunked: the size is known only once it has been counted.
    const counted = await send(`${origin}/connect`, { method: "POST", headers: action(origin), chunks: Array.from({ length: 40 }, () => "x".repeat(4 * 1024)) });
    expect(counted.status).toBe(413);
    // A form posted before the page's scripts ran carries no Next-Action header.
    const plainForm = await send(`${origin}/connect`, { method: "POST", headers: { "content-type": "multipart/form-data; boundary=b", origin }, chunks: Array.from({ length: 40 }, () => "x".repeat(4 * 1024)) });
    expect(plainForm.status).toBe(413);
    expect(calls).toEqual([]);
    for (const [name, value] of Object.entries(securityHeaders())) expect(counted.headers[name], name).toBe(value);
  });

  it("answers 403 to a server action from another origin and never hands it to Next", async () => {
    const { origin, calls } = await listenForActions();
    for (const foreign of ["https://attacker.example", `http://127.0.0.1:1`, "null", "not an origin"]) {
      const answer = await send(`${origin}/sign-in`, { method: "POST", headers: action(foreign), body: "[]" });
      expect(answer.status, foreign).toBe(403);
      expect(answer.body).toBe("This form was sent from another site, so the console refused it. Nothing was changed.");
    }
    const plainForm = await send(`${origin}/sign-in`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://attacker.example" }, body: "a=b" });
    expect(plainForm.status).toBe(403);
    expect(calls).toEqual([]);
    // Its own origin, and no origin at all (not sent by a page), reach Next.
    expect((await send(`${origin}/sign-in`, { method: "POST", headers: action(origin), body: "[]" })).status).toBe(200);
    expect((await send(`${origin}/sign-in`, { method: "POST", headers: action(undefined), body: "[]" })).status).toBe(200);
    expect(calls).toEqual(["[]", "[]"]);
  });

  it("counts only the public URL's origin as the console's own when one is set", async () => {
    const { origin, calls } = await listenForActions({ serverActions: { publicUrl: "https://calsync.example.com", bodyLimit: SERVER_ACTION_BODY_LIMIT_BYTES } });
    expect((await send(`${origin}/sign-in`, { method: "POST", headers: action(origin), body: "[]" })).status).toBe(403);
    expect((await send(`${origin}/sign-in`, { method: "POST", headers: action("http://calsync.example.com"), body: "[]" })).status).toBe(403);
    expect((await send(`${origin}/sign-in`, { method: "POST", headers: action("https://calsync.example.com"), body: "[]" })).status).toBe(200);
    expect(calls).toHaveLength(1);
  });

  it("takes the host a trusted proxy was asked for, and ignores one a client claims", async () => {
    const trusted = await listenForActions({ trustProxy: true });
    const viaProxy = { "x-forwarded-host": "calsync.example.com" };
    expect((await send(`${trusted.origin}/sign-in`, { method: "POST", headers: action("https://calsync.example.com", viaProxy), body: "[]" })).status).toBe(200);
    const untrusted = await listenForActions({ trustProxy: false });
    expect((await send(`${untrusted.origin}/sign-in`, { method: "POST", headers: action("https://calsync.example.com", viaProxy), body: "[]" })).status).toBe(403);
  });

  it("leaves other requests alone: reads, and posts to route handlers, which check their own callers", async () => {
    const { origin, calls } = await listenForActions();
    expect((await send(`${origin}/sign-in`, { headers: { origin: "https://attacker.example" } })).status).toBe(200);
    const route = await send(`${origin}/api/wizard/verify`, { method: "POST", headers: { "content-type": "multipart/form-data; boundary=b", origin: "https://attacker.example" }, body: "x".repeat(SERVER_ACTION_BODY_LIMIT_BYTES + 1) });
    expect(route.status).toBe(200);
    expect(calls).toEqual(["", "x".repeat(SERVER_ACTION_BODY_LIMIT_BYTES + 1)]);
  });
});
