import { createConnection } from "node:net";
import type { Browser, Page } from "@playwright/test";
import { demo } from "../simulator/demo-ids";
import { startDemo, type RunningDemo } from "../test-support/e2e/demo";
import { DEMO_E2E_PORT, type RoleName } from "../test-support/e2e/server";
import { accountMenu, expect, test } from "../test-support/e2e/fixtures";
import { secretFromUri, totpCode } from "../test-support/totp";
import { completeStep, enterAppValues, expectAccessible, openConnectionTab, startOrganisationWizard, verify } from "../test-support/e2e/wizard";

/**
 * `npm run demo` as a newcomer meets it, in a browser that does not ignore certificate errors (this
 * project sets ignoreHTTPSErrors: false): the printed accounts sign in, the status board shows the
 * seeded organisation, a demo app goes through the wizard to a verified connection with admin consent
 * at the simulator's sign-in pages, and the member reconnects her mailbox. Ctrl-C leaves no process.
 */

test.describe.configure({ mode: "serial" });

let running: RunningDemo;

test.beforeAll(async () => {
  test.setTimeout(600_000);
  running = await startDemo();
});

test.afterAll(async () => {
  test.setTimeout(60_000);
  await running?.stop();
});

async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

async function signIn(page: Page, role: RoleName): Promise<Page> {
  await page.goto("/sign-in");
  await expect(page.getByRole("complementary", { name: "Demo notice" })).toContainText("This is a demo: Microsoft is simulated");
  const account = running.accounts[role];
  await expect(page.getByRole("region", { name: "Demo accounts" })).toContainText(account.email);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).not.toHaveURL(/\/sign-in/);
  return page;
}

test("the printed accounts sign in, one per role, under the demo banner", async ({ page, browser, shot }) => {
  expect(running.url).toBe(`http://127.0.0.1:${DEMO_E2E_PORT}`);
  const admin = await signIn(page, "admin");
  await expect(admin.getByRole("heading", { name: "Home", exact: true })).toBeVisible();
  await expect(admin.getByText("Signed in as Contoso Admin (Administrator).")).toBeVisible();
  // What needs someone now, from the demo's failing connections.
  await expect(admin.getByRole("region", { name: /Failing connections/ }).getByRole("link", { name: "Contoso sales team", exact: true })).toBeVisible();
  await expect(admin.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" })).toBeVisible();
  await expectAccessible(admin);
  await shot("demo-01-admin-home");

  const helpdesk = await signIn(await newPage(browser), "helpdesk");
  await expect(helpdesk.getByRole("heading", { name: "Home", exact: true })).toBeVisible();
  await expect(helpdesk.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" })).toHaveCount(0);

  const member = await signIn(await newPage(browser), "member");
  await expect(member.getByRole("heading", { name: "Welcome, Lynne Robbins" })).toBeVisible();
  await expect(member.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Status" })).toHaveCount(0);

  // The banner fits a phone: no horizontal scrolling at 390 px.
  await member.setViewportSize({ width: 390, height: 800 });
  expect(await member.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});

test("MFA is optional in the demo, and the printed otpauth:// URI signs its admin in with a code", async ({ page }) => {
  const printed = /^\s+(\S+@\S+): (otpauth:\/\/totp\/\S+)$/m.exec(running.output());
  expect(printed, "the demo prints an account's otpauth:// URI").not.toBeNull();
  const [, email, uri] = printed!;
  const password = new RegExp(`^\\s+admin\\s+${email!.replace(/[.]/g, "\\.")}\\s+(\\S+)$`, "m").exec(running.output())?.[1];
  await page.goto("/sign-in");
  await expect(page.getByRole("complementary", { name: "Demo notice" })).toContainText("Multi-factor authentication is optional here");
  await page.getByLabel("Email").fill(email!);
  await page.getByLabel("Password").fill(password!);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Confirm it is you" })).toBeVisible();
  await page.getByLabel("6-digit code").fill(totpCode(secretFromUri(uri!)));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(accountMenu(page)).toBeVisible();
});

test("helpdesk reads the status board and a connection's weeks of history", async ({ page, shot }) => {
  await signIn(page, "helpdesk");
  // Helpdesk lands on Home; the board is one click away in the sidebar.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Status" }).click();
  await expect(page).toHaveURL(/\/status$/);
  const tiles = page.getByRole("list", { name: "Connections per state" });
  const tile = (label: string | RegExp) => tiles.getByRole("link", { name: label });
  await expect(tile(/^\d+ Healthy$/)).toBeVisible();
  await expect(tile(/^1 Warning$/)).toBeVisible();
  await expect(tile(/^2 Failing$/)).toBeVisible();
  await expect(tile(/^1 Needs re-authentication$/)).toBeVisible();
  await expect(tile(/^1 Never checked$/)).toBeVisible();
  await expect(tile(/^[1-9]\d* Secret or certificate expires within 30 days$/)).toBeVisible();
  for (const name of ["Contoso headquarters", "Contoso retail stores", "Contoso sales team", "Contoso field service", "Contoso front desk", "Contoso new office"]) {
    await expect(page.getByRole("link", { name, exact: true })).toBeVisible();
  }
  await expectAccessible(page);
  await shot("demo-02-status");

  await page.getByRole("link", { name: "Contoso sales team", exact: true }).click();
  await openConnectionTab(page, "Timeline");
  const timeline = page.getByRole("list", { name: "Timeline, newest first" });
  await expect(timeline.getByText("State changed from Healthy to Failing")).toBeVisible();
  await expect(timeline.getByRole("listitem").filter({ hasText: /Check run \(scheduled\)/ }).nth(10)).toBeVisible();
  await shot("demo-03-timeline");
});

test("an admin follows the wizard with a demo app to a verified connection, granting consent at the simulator", async ({ page, shot }) => {
  await signIn(page, "admin");
  await startOrganisationWizard(page);
  await enterAppValues(page, { name: "Contoso marketing", tenant: demo.contoso.domain, clientId: demo.apps.noConsent.clientId, secret: demo.apps.noConsent.secret });
  await page.goto("/connections/new/mailbox-scope");
  await page.getByLabel("Test mailbox").fill(demo.users.adele.upn);
  await completeStep(page, "verify");
  await verify(page);
  await expect(page.locator('[data-check-id="permissions"]')).toHaveAttribute("data-status", "fail");
  await page.locator('[data-check-id="permissions"]').getByRole("link", { name: "Go to the step that fixes this" }).click();

  await page.getByRole("button", { name: "Open Microsoft's admin consent page" }).click();
  // The simulator's own sign-in page, over plain http on loopback: no certificate to trust.
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/[^/]+\/adminconsent\?/);
  await expect(page.getByRole("complementary", { name: /Test accounts of Contoso/ })).toContainText(demo.users.admin.upn);
  await shot("demo-04-simulated-consent");
  await page.getByLabel("Email, phone, or Skype").fill(demo.users.admin.upn);
  await page.getByLabel("Password").fill(demo.password);
  await page.getByRole("button", { name: "Accept" }).click();
  await expect(page.getByText(/Admin consent was granted for/)).toBeVisible();

  await page.goto("/connections/new/verify");
  await expect(await verify(page)).toHaveText(/All checks passed/);
  await page.getByRole("button", { name: "Save the connection" }).click();
  await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}\?saved=1$/);
  await expect(page.getByText("Healthy", { exact: true })).toBeVisible();
  await shot("demo-05-verified");
});

test("the member reconnects her mailbox through the simulator's sign-in pages", async ({ page, shot }) => {
  await signIn(page, "member");
  await page.goto("/connect");
  const reconnect = page.getByRole("region", { name: `Reconnect ${demo.users.lynne.upn}` });
  await expect(reconnect).toBeVisible();
  await reconnect.getByRole("button", { name: `Reconnect ${demo.users.lynne.upn}` }).click();
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/[^/]+\/oauth2\/v2\.0\/authorize\?/);
  await expect(page.getByLabel("Email, phone, or Skype")).toHaveValue(demo.users.lynne.upn);
  await page.getByLabel("Password").fill(demo.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/connect\/[0-9a-f-]{36}\?(verify=1&)?reconnected=1$/);
  await expect(page.getByRole("status").filter({ hasText: /All checks passed/ })).toBeVisible();
  await shot("demo-06-reconnected");
  await page.goto("/connect");
  await expect(page.getByRole("region", { name: `Reconnect ${demo.users.lynne.upn}` })).toHaveCount(0);
});

test("Ctrl-C stops the console and the simulator, leaving nothing running", async () => {
  await running.stop();
  const refused = await new Promise<boolean>((resolve) => {
    const socket = createConnection(DEMO_E2E_PORT, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
  expect(refused).toBe(true);
  expect(running.output()).toContain("Stopping the demo");
});
