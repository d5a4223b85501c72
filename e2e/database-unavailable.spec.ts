import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Page } from "@playwright/test";
import { databaseUnavailableText } from "../lib/db/unavailable";
import { freePort, startBuiltConsole, type ConsoleProcess } from "../test-support/console-process";
import type { EngineApiSeed } from "../test-support/engine-api-seed";
import { expect, test } from "../test-support/e2e/fixtures";
import { startPostgresCluster, type PostgresCluster } from "../test-support/postgres-cluster";
import { runSeedScript } from "../test-support/seed-script";

/**
 * Finding 3 over HTTP: a built console on PostgreSQL whose every database process is stopped with
 * SIGSTOP (connections stay open, nothing answers). Health says so at once, pages show the
 * database-not-answering page within the query timeout plus 10 s (never Next's generic one), the
 * engine API answers 503 problem+json, a form says its change could not be made, and after SIGCONT the
 * same server process serves pages again.
 */

const QUERY_TIMEOUT_SECONDS = 3;
const PAGE_WITHIN_MS = (QUERY_TIMEOUT_SECONDS + 10) * 1000;
// The cluster trusts every local connection, so the password is never sent: it is only there to be
// looked for in the server log.
const DATABASE_PASSWORD = "db-password-that-must-never-be-logged-5f1c";

let folder = "";
let cluster: PostgresCluster | undefined;
let server: ConsoleProcess | undefined;
let seed: EngineApiSeed;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  folder = mkdtempSync(path.join(tmpdir(), "calsync-db-down-"));
  cluster = await startPostgresCluster();
  const databaseUrl = new URL(cluster.url);
  databaseUrl.password = DATABASE_PASSWORD;
  const sealKeys = `k1:${randomBytes(32).toString("base64")}`;
  seed = runSeedScript<EngineApiSeed>("test-support/engine-api-seed.ts", {
    "data-dir": folder,
    "database-url": databaseUrl.toString(),
    "seal-keys": sealKeys,
    keys: JSON.stringify({ read: ["connections:read"] }),
  });
  server = await startBuiltConsole({
    port: await freePort(),
    dataDir: folder,
    settings: {
      DATABASE_URL: databaseUrl.toString(),
      CALSYNC_SEAL_KEYS: sealKeys,
      CALSYNC_SCHEDULER: "off",
      CALSYNC_DB_QUERY_TIMEOUT_SECONDS: String(QUERY_TIMEOUT_SECONDS),
      CALSYNC_DB_CONNECT_TIMEOUT_SECONDS: "2",
    },
  });
});

test.afterAll(async () => {
  cluster?.resume();
  await server?.stop();
  cluster?.stop();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

async function expectDatabasePage(page: Page, withinMs: number): Promise<void> {
  await expect(page.getByRole("heading", { name: databaseUnavailableText.title })).toBeVisible({ timeout: withinMs });
  await expect(page.getByText(databaseUnavailableText.page)).toBeVisible();
  await expect(page.getByText("Something went wrong")).toHaveCount(0);
}

test("a frozen PostgreSQL gets its own page, 503s and a form message, and the same process carries on after it answers again", async ({ browser }) => {
  test.setTimeout(120_000);
  const running = server!;
  const sessionCookie = { name: "calsync_session", value: seed.adminSession, url: running.origin };
  const signedIn = await browser.newContext({ baseURL: running.origin });
  await signedIn.addCookies([sessionCookie]);
  const anonymous = await browser.newContext({ baseURL: running.origin });

  // A page that works, so that the pool holds a connection, and a form to submit later.
  const form = await signedIn.newPage();
  await form.goto("/users");
  await expect(form.getByRole("heading", { name: "Users", exact: true })).toBeVisible();
  expect((await fetch(`${running.origin}/api/health`)).status).toBe(200);

  cluster!.pause();
  const pausedAt = Date.now();

  // Health never asks the session, and gives up on the database after 3 s.
  const health = await fetch(`${running.origin}/api/health`, { headers: { cookie: `${sessionCookie.name}=${sessionCookie.value}` } });
  expect(Date.now() - pausedAt).toBeLessThan(3_000 + 2_000);
  expect(health.status).toBe(503);
  expect(health.headers.get("content-type")).toContain("application/json");
  const body = (await health.json()) as { ready: boolean; checks: { database: { reason?: string } } };
  expect(body.ready).toBe(false);
  expect(body.checks.database.reason).toMatch(/\S/);

  const signIn = await anonymous.newPage();
  await signIn.goto("/sign-in");
  await expectDatabasePage(signIn, PAGE_WITHIN_MS - (Date.now() - pausedAt));
  const users = await signedIn.newPage();
  const usersAt = Date.now();
  await users.goto("/users");
  await expectDatabasePage(users, PAGE_WITHIN_MS - (Date.now() - usersAt));

  const api = await fetch(`${running.origin}/api/v1/connections`, { headers: { authorization: `Bearer ${seed.keys.read}` } });
  expect(api.status).toBe(503);
  expect(api.headers.get("content-type")).toContain("application/problem+json");
  expect(await api.json()).toMatchObject({ type: "urn:calsync:problem:database-unavailable" });

  const invite = form.getByRole("heading", { name: "Invite a colleague" }).locator("..");
  await invite.getByLabel("Email").fill("waiting@example.com");
  await invite.getByRole("button", { name: "Create invitation link" }).click();
  await expect(invite.getByText(databaseUnavailableText.action)).toBeVisible({ timeout: PAGE_WITHIN_MS });

  cluster!.resume();
  await users.getByRole("button", { name: "Try again" }).click();
  await expect(users.getByRole("heading", { name: "Users", exact: true })).toBeVisible({ timeout: PAGE_WITHIN_MS });
  await expect(users.getByRole("cell", { name: "seed@example.com", exact: true })).toBeVisible();
  expect((await fetch(`${running.origin}/api/health`)).status).toBe(200);
  // The same process: it is still running, and it started once.
  expect(() => process.kill(running.pid, 0)).not.toThrow();
  expect(running.output().match(/Calsync Console is ready/g)).toHaveLength(1);

  expect(running.output()).not.toContain(DATABASE_PASSWORD);
  await signedIn.close();
  await anonymous.close();
});
