import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { securityHeaders } from "../lib/security-headers";
import { TEST_ROUTE_HEADER } from "../lib/server/request-listener";
import { freePort, startBuiltConsole, type ConsoleProcess } from "../test-support/console-process";
import type { EngineApiSeed } from "../test-support/engine-api-seed";
import { runSeedScript } from "../test-support/seed-script";
import { expect, test } from "../test-support/e2e/fixtures";

/**
 * The sync-engine API answers the same through scripts/server.mjs's fast path and through Next's
 * route files, on one running console: each request is sent both ways (the test-only route header
 * picks Next), and status, body and headers must match, every security header included.
 */

type Answer = { status: number; headers: Record<string, string>; body: string };

// What only the transport or Next's page machinery decides: the date, keep-alive, Next compressing
// and streaming a body that the fast path sends as it is with its length, and Next's RSC cache keys
// in Vary.
const TRANSPORT_HEADERS = new Set(["date", "connection", "keep-alive", "content-encoding", "transfer-encoding", "content-length", "vary"]);

let folder = "";
let server: ConsoleProcess;
let seed: EngineApiSeed;

test.beforeAll(async () => {
  folder = mkdtempSync(path.join(tmpdir(), "calsync-api-paths-"));
  const keys = { read: ["connections:read"], credentials: ["connections:read", "credentials:read"], tokens: ["tokens:issue"], reports: ["reports:write"] };
  seed = runSeedScript<EngineApiSeed>("test-support/engine-api-seed.ts", { "data-dir": folder, keys: JSON.stringify(keys) });
  server = await startBuiltConsole({ port: await freePort(), dataDir: folder, settings: { CALSYNC_SCHEDULER: "off", CALSYNC_TEST_ROUTE_HEADER: "on" } });
});

test.afterAll(async () => {
  await server?.stop();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

async function send(path: string, init: { method?: string; key?: keyof EngineApiSeed["keys"]; headers?: Record<string, string>; body?: string; via?: "next" }): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key) headers.authorization = `Bearer ${seed.keys[init.key]}`;
  if (init.via) headers[TEST_ROUTE_HEADER] = init.via;
  const response = await fetch(`${server.origin}${path}`, { method: init.method ?? "GET", headers, body: init.body });
  return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
}

/** The parts of an answer that may differ between two requests, whichever path serves them. */
function comparable(answer: Answer) {
  const headers = Object.fromEntries(
    Object.entries(answer.headers)
      .filter(([name]) => !TRANSPORT_HEADERS.has(name))
      // Both paths count against the key's one budget, so the second request has one fewer left.
      .map(([name, value]) => [name, name === "ratelimit" ? value.replace(/;r=\d+;t=\d+/, ";r=_;t=_") : value]),
  );
  const body = answer.body.startsWith("{") ? (JSON.parse(answer.body.replace(/"(id|receivedAt)":"[^"]*"/g, '"$1":"_"')) as unknown) : answer.body;
  return { status: answer.status, headers, body };
}

async function bothWays(path: string, init: Parameters<typeof send>[1] = {}): Promise<Answer> {
  const fast = await send(path, init);
  const viaNext = await send(path, { ...init, via: "next" });
  // Next's answer carries its RSC Vary keys; the fast path's never does, so each went its own way.
  expect(viaNext.headers.vary ?? "").toContain("rsc");
  expect(fast.headers.vary).toBeUndefined();
  expect(comparable(viaNext)).toEqual(comparable(fast));
  for (const [name, value] of Object.entries(securityHeaders())) expect(fast.headers[name], name).toBe(value);
  return fast;
}

test("every engine request answers the same through the fast path and through Next's route files", async () => {
  const id = seed.connectionId;
  const one = await bothWays(`/api/v1/connections/${id}`, { key: "read" });
  expect(one.status).toBe(200);
  const cases: Array<[string, Parameters<typeof send>[1], number]> = [
    ["/api/v1/connections", { key: "read" }, 200],
    ["/api/v1/connections?limit=1", { key: "read" }, 200],
    ["/api/v1/connections?limit=0", { key: "read" }, 400],
    [`/api/v1/connections/${id}`, { key: "read", headers: { "if-none-match": one.headers.etag! } }, 304],
    [`/api/v1/connections/${id}`, { key: "credentials" }, 200],
    [`/api/v1/connections/${randomUUID()}`, { key: "read" }, 404],
    ["/api/v1/connections/not-a-uuid", { key: "read" }, 404],
    [`/api/v1/connections/${id}`, {}, 401],
    [`/api/v1/connections/${id}`, { headers: { authorization: `Bearer csk_zzzzzzzz_${"A".repeat(43)}` } }, 401],
    [`/api/v1/connections/${id}`, { key: "tokens" }, 403],
    [`/api/v1/connections/${randomUUID()}/token`, { method: "POST", key: "tokens" }, 404],
    [`/api/v1/connections/${id}/token`, { method: "POST", key: "tokens", body: `{"scope":"x"}` }, 400],
    [`/api/v1/connections/${id}/reports`, { method: "POST", key: "reports", body: `{"outcome":"ok"}` }, 400],
    [`/api/v1/connections/${id}/reports`, { method: "POST", key: "reports", body: `{"outcome":"partial","itemsSynced":120,"itemsFailed":3}` }, 201],
    [`/api/v1/connections/${id}/reports`, { method: "POST", key: "reports", body: JSON.stringify({ outcome: "failure", message: "x".repeat(70_000) }) }, 400],
  ];
  for (const [path, init, status] of cases) {
    await test.step(`${init.method ?? "GET"} ${path.slice(0, 80)} → ${status}`, async () => {
      expect((await bothWays(path, init)).status).toBe(status);
    });
  }
});

test("every response carries the one set of security headers, pages and files included", async () => {
  const signIn = await fetch(`${server.origin}/sign-in`);
  const asset = /\/_next\/static\/[^"']+\.js/.exec(await signIn.text())?.[0];
  expect(asset).toBeDefined();
  const expected = securityHeaders();
  // Pages (and the callback among them) replace the static policy with their nonce policy, which
  // e2e/security-headers.spec.ts checks.
  const answers: Array<[string, Response, "page" | "other"]> = [
    ["a page", signIn, "page"],
    ["a static file", await fetch(`${server.origin}${asset}`), "other"],
    ["a missing page", await fetch(`${server.origin}/no-such-page`), "page"],
    ["a redirect", await fetch(`${server.origin}/connect/callback`, { redirect: "manual" }), "page"],
    ["a route handler", await fetch(`${server.origin}/api/v1/openapi.json`), "other"],
    ["HEAD, which Next derives from GET", await fetch(`${server.origin}/api/v1/connections/${seed.connectionId}`, { method: "HEAD", headers: { authorization: `Bearer ${seed.keys.read}` } }), "other"],
  ];
  for (const [what, response, kind] of answers) {
    for (const [name, value] of Object.entries(expected)) {
      if (name === "content-security-policy" && kind === "page") expect(response.headers.get(name), `${name} on ${what}`).toContain("'nonce-");
      else expect(response.headers.get(name), `${name} on ${what} (${response.status})`).toBe(value);
    }
  }
  expect(answers.map(([, response]) => response.status)).toEqual([200, 200, 404, 303, 200, 200]);
});
