import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, startConsoleProcess, type ConsoleProcess } from "../test-support/console-process";
import { builtServerActions } from "../test-support/e2e/access-paths";
import { expect, test } from "../test-support/e2e/fixtures";
import { enrolAuthenticatorApp } from "../test-support/e2e/mfa";

/**
 * A console whose only configuration is a .env file in the folder it is started from: it listens
 * on that port, writes that public URL into its links, keeps its data in that folder, and believes
 * the forwarding headers of the proxy the file says to trust.
 */

const PUBLIC_URL = "http://calsync.example.test:8080";
const PROXY = { "x-forwarded-for": "198.51.100.7, 203.0.113.9", "x-forwarded-proto": "https", "x-forwarded-host": new URL(PUBLIC_URL).host };

let folder = "";
let server: ConsoleProcess;

test.beforeAll(async () => {
  folder = mkdtempSync(path.join(tmpdir(), "calsync-dotenv-"));
  const port = await freePort();
  writeFileSync(path.join(folder, ".env"), [`PORT=${port}`, `CALSYNC_PUBLIC_URL=${PUBLIC_URL}`, "CALSYNC_TRUST_PROXY=true", "CALSYNC_DATA_DIR=./console-data", ""].join("\n"));
  // Nothing but what any process needs: every setting comes from the file.
  server = await startConsoleProcess({ entry: "server", cwd: folder, port, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
});

test.afterAll(async () => {
  await server?.stop();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

test("listens on the .env port, links to the .env public URL and keeps its data in the .env folder", async () => {
  const [, setupUrl] = await server.waitForOutput(/Setup URL:\s+(\S+)/);
  expect(setupUrl).toBe(`${PUBLIC_URL}/setup`);
  const redirect = await fetch(`${server.origin}/connect/callback`, { redirect: "manual" });
  expect(redirect.status).toBe(303);
  expect(redirect.headers.get("location")).toBe(`${PUBLIC_URL}/sign-in?next=%2Fconnect`);
  expect(existsSync(path.join(folder, "console-data", "pglite"))).toBe(true);
});

test("trusts the proxy's forwarding headers when .env says CALSYNC_TRUST_PROXY=true", async ({ browser }) => {
  const [, code] = await server.waitForOutput(/Setup code: (\S+)/);
  const context = await browser.newContext({ baseURL: server.origin, extraHTTPHeaders: PROXY });
  // The proxy's visitors use the console at the public URL, so that is the origin their forms carry.
  // Chromium keeps its own Origin on a request let through, so such requests go from here instead
  // (and the browser then no longer shows their Set-Cookie).
  const cookiesSet: string[] = [];
  await context.route("**/*", async (route) => {
    const headers = route.request().headers();
    if (!headers.origin) return route.continue();
    const response = await route.fetch({ headers: { ...headers, origin: PUBLIC_URL } });
    cookiesSet.push(...response.headersArray().filter((header) => header.name.toLowerCase() === "set-cookie").map((header) => header.value));
    return route.fulfill({ response });
  });
  try {
    const page = await context.newPage();
    await page.goto("/setup");
    await page.getByLabel("Setup code").fill(code!);
    await page.getByLabel("Your name").fill("Dot Env");
    await page.getByLabel("Email").fill("dotenv@example.com");
    await page.getByLabel("Password", { exact: true }).fill("dotenv admin password 1");
    await page.getByLabel("Repeat the password").fill("dotenv admin password 1");
    const claimed = page.waitForResponse((response) => response.request().method() === "POST" && new URL(response.url()).pathname === "/setup");
    await page.getByRole("button", { name: "Create administrator" }).click();
    // X-Forwarded-Proto: https from the trusted proxy makes the session cookie Secure.
    await claimed;
    // The new administrator sets up a second factor first; that step's cookie is Secure too.
    expect(cookiesSet.join("\n")).toMatch(/calsync_pending_sign_in=[^;]+;.*Secure/i);
    await expect(page).toHaveURL(/\/sign-in\/enrol$/);
    await enrolAuthenticatorApp(page, "dotenv@example.com");
    await page.getByRole("button", { name: "Continue to the console" }).click();
    await expect(page).toHaveURL(/\/\?welcome=1$/);
    expect(cookiesSet.join("\n")).toMatch(/calsync_session=[^;]+;.*Secure/i);

    // The address the proxy appended is the one the audit log records.
    await page.goto("/audit");
    await expect(page.getByRole("cell", { name: "203.0.113.9" }).first()).toBeVisible();

    // The host the proxy was asked for counts as the console's own for the same-origin check.
    const proxied = await page.request.post("/api/wizard/verify", { headers: { origin: "https://calsync.example.test", "x-forwarded-host": "calsync.example.test" } });
    expect(proxied.status()).toBe(404);
    expect(await proxied.json()).toMatchObject({ error: "no-draft" });
  } finally {
    await context.close();
  }
});

test("a server action counts only the .env public URL as the console's own origin", async () => {
  const signIn = builtServerActions().find((action) => action.name === "signInAction")!;
  const call = (headers: Record<string, string>) =>
    fetch(`${server.origin}/sign-in`, {
      method: "POST",
      headers: { "next-action": signIn.id, "content-type": "text/plain;charset=UTF-8", accept: "text/x-component", ...headers },
      body: JSON.stringify([{ status: "idle" }, {}]),
    });
  // The address the console listens on is not where people use it.
  const direct = await call({ origin: server.origin });
  expect(direct.status).toBe(403);
  expect(await direct.text()).toMatch(/another site/);
  // A page at the public URL, through the trusted proxy, which names the host it was asked for.
  const proxied = await call({ origin: PUBLIC_URL, ...PROXY });
  expect(proxied.status).toBe(200);
  expect(await proxied.text()).toContain('"status":"error"');
});
