import { readdirSync } from "node:fs";
import path from "node:path";
import { request, type APIResponse } from "@playwright/test";
import { pagePolicy as pageAccess, routePolicy } from "../lib/auth/access-policy";
import { callers, samplePath, type Caller } from "../test-support/e2e/access-paths";
import { nonceOf, pagePolicy, parsePolicy, STATIC_POLICY } from "../test-support/e2e/content-security-policy";
import { E2E_BASE_URL, REPO_ROOT, storageStatePath } from "../test-support/e2e/server";
import { expect, takeOneTimeValue, test } from "../test-support/e2e/fixtures";

/**
 * The security headers of every kind of response the console sends, for every caller: each page and
 * route handler of the access policy, static files, the sync-engine API with and without a key, and
 * what answers a path that does not exist. Pages carry a policy with a nonce of their own that every
 * script of the page carries too; everything else carries the static policy. Then every page, for
 * every caller, in the browser: its scripts run (React hydrates it) and nothing breaks the policy
 * (the fixtures fail any test on a violation).
 */

type Expected = "page" | "static";

/** What a response must carry; returns the page nonce, if any. */
async function expectHeaders(response: APIResponse, expected: Expected, what: string): Promise<string | undefined> {
  const headers = response.headersArray();
  const all = (name: string) => headers.filter((header) => header.name.toLowerCase() === name).map((header) => header.value);
  expect(all("x-content-type-options"), `X-Content-Type-Options of ${what}`).toEqual(["nosniff"]);
  const policies = all("content-security-policy");
  // Two policies would both apply, each narrowing the other.
  expect(policies, `one Content-Security-Policy on ${what}`).toHaveLength(1);
  const policy = policies[0]!;
  if (expected === "static") {
    expect(parsePolicy(policy), `the static policy on ${what}`).toEqual(STATIC_POLICY);
    return undefined;
  }
  const nonce = nonceOf(policy);
  expect(nonce, `a nonce in the policy of ${what}: ${policy}`).toMatch(/^[A-Za-z0-9+/_-]{22,}={0,2}$/);
  expect(parsePolicy(policy), `the page policy on ${what}`).toEqual(pagePolicy(nonce!));
  if ((response.headers()["content-type"] ?? "").startsWith("text/html")) {
    const scripts = (await response.text()).match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length, `scripts in ${what}`).toBeGreaterThan(0);
    for (const script of scripts) expect(script, `a script of ${what}`).toContain(`nonce="${nonce}"`);
  }
  return nonce;
}

/** Route handlers under /api/ are not pages; the two callbacks live among the pages and lead to them. */
function expectedFor(pathname: string): Expected {
  return pathname.startsWith("/api/") ? "static" : "page";
}

async function apiFor(caller: Caller) {
  return request.newContext({ baseURL: E2E_BASE_URL, maxRedirects: 0, storageState: caller === "anonymous" ? undefined : storageStatePath(caller) });
}

test.describe("security headers", () => {
  for (const caller of callers) {
    test(`every page and route handler answers ${caller} with nosniff and the policy it needs`, async () => {
      const api = await apiFor(caller);
      const nonces: string[] = [];
      for (const page of Object.keys(pageAccess)) {
        const response = await api.get(samplePath(page));
        const nonce = await expectHeaders(response, "page", `${page} (${response.status()})`);
        nonces.push(nonce!);
      }
      for (const route of Object.keys(routePolicy)) {
        const [method, pathname] = route.split(" ") as [string, string];
        const response = await api.fetch(samplePath(pathname), { method, headers: { Origin: E2E_BASE_URL } });
        const nonce = await expectHeaders(response, expectedFor(pathname), `${route} (${response.status()})`);
        if (nonce) nonces.push(nonce);
      }
      expect(new Set(nonces).size, "a fresh nonce for every response").toBe(nonces.length);
      await api.dispose();
    });
  }

  test("static files, the engine API with and without a key, and missing paths carry them too", async ({ browser }) => {
    const api = await apiFor("anonymous");
    const signIn = await api.get("/sign-in");
    const html = await signIn.text();
    const assets = [...new Set(html.match(/\/_next\/static\/[^"'\s]+\.(?:js|css)/g) ?? [])];
    expect(assets.some((asset) => asset.endsWith(".js")) && assets.some((asset) => asset.endsWith(".css")), assets.join(", ")).toBe(true);
    for (const asset of assets) await expectHeaders(await api.get(asset), "static", asset);
    for (const file of readdirSync(path.join(REPO_ROOT, "public"))) await expectHeaders(await api.get(`/${file}`), "static", `public/${file}`);

    const missingPage = await api.get("/no-such-page");
    expect(missingPage.status()).toBe(404);
    await expectHeaders(missingPage, "page", "a missing page");
    const missingFile = await api.get("/_next/static/no-such-file.js");
    expect(missingFile.status()).toBe(404);
    await expectHeaders(missingFile, "static", "a missing static file");
    for (const pathname of ["/api/no-such-route", "/api/v1/connections/00000000-0000-4000-8000-000000000000/no-such-route"]) {
      const missing = await api.get(pathname);
      expect(missing.status(), pathname).toBe(404);
      await expectHeaders(missing, "static", pathname);
    }

    const withoutKey = await api.get("/api/v1/connections");
    expect(withoutKey.status()).toBe(401);
    await expectHeaders(withoutKey, "static", "the engine API without a key");
    const wrongKey = await api.get("/api/v1/connections", { headers: { authorization: `Bearer csk_zzzzzzzz_${"A".repeat(43)}` } });
    expect(wrongKey.status()).toBe(401);
    await expectHeaders(wrongKey, "static", "the engine API with a wrong key");

    const admin = await browser.newContext({ storageState: storageStatePath("admin") });
    const page = await admin.newPage();
    await page.goto("/settings/api-keys");
    const form = page.getByRole("heading", { name: "Create an API key" }).locator("..");
    await form.getByLabel("Name").fill("Headers spec");
    await form.getByRole("button", { name: "Create API key" }).click();
    const key = await takeOneTimeValue(page);
    try {
      const list = await api.get("/api/v1/connections", { headers: { authorization: `Bearer ${key}` } });
      expect(list.status()).toBe(200);
      await expectHeaders(list, "static", "the engine API with a key");
      const head = await api.fetch("/api/v1/connections", { method: "HEAD", headers: { authorization: `Bearer ${key}` } });
      expect(head.status()).toBe(200);
      await expectHeaders(head, "static", "HEAD on the engine API");
    } finally {
      await page.getByRole("button", { name: "Revoke Headers spec" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Revoke API key" }).click();
      await expect.poll(async () => (await api.get("/api/v1/connections", { headers: { authorization: `Bearer ${key}` } })).status()).toBe(401);
      await admin.close();
    }
    await api.dispose();
  });

  for (const caller of callers) {
    test(`every page runs its scripts for ${caller} without breaking its policy`, async ({ browser }) => {
      const context = await browser.newContext(caller === "anonymous" ? {} : { storageState: storageStatePath(caller) });
      const page = await context.newPage();
      for (const name of Object.keys(pageAccess)) {
        await test.step(name, async () => {
          await page.goto(samplePath(name));
          // React marks the elements it has hydrated; it can only get there if the page's scripts ran.
          await page.waitForFunction(() => Object.keys(document.body).some((key) => key.startsWith("__reactFiber$")));
        });
      }
      await context.close();
    });
  }
});
