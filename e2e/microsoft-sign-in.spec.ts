import path from "node:path";
import type { Browser, Page } from "@playwright/test";
import { demo } from "../simulator/demo-ids";
import { consoleGroups, fabrikam, separateConsoleApp } from "../test-support/console-sign-in-scenario";
import { accounts, E2E_BASE_URL, SCREENSHOT_DIR, storageStatePath } from "../test-support/e2e/server";
import { accountMenu, changeSimulatedUser, expect, rememberSecret, takeOneTimeValue, test } from "../test-support/e2e/fixtures";
import { saveMailboxSignInApp } from "../test-support/e2e/mailbox-sign-in";
import { expectAccessible } from "../test-support/e2e/wizard";
import { signInWithForm } from "../test-support/e2e/mfa";

/**
 * Sign in with Microsoft for console staff, against the simulator's /authorize pages and ID tokens
 * (app roles, groups): an admin from an app role, helpdesk from a group, a person of another tenant
 * refused, a removed role downgraded at the next sign-in, and "Microsoft sign-in only" leaving local
 * sign-in to break-glass accounts.
 */

test.describe.configure({ mode: "serial" });

const signInApp = demo.apps.mailboxSignIn;
/** The mailbox Lynne connects in one step; the reconnect link test renews it. */
let lynneConnectionId = "";

async function signInAtMicrosoft(page: Page, upn: string): Promise<void> {
  await expect(page.getByRole("heading", { name: /^Sign in to / })).toBeVisible();
  await page.getByLabel("Email, phone, or Skype").fill(upn);
  await page.getByLabel("Password").fill(demo.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** A browser with no console session signs in with Microsoft as `upn`. */
async function microsoftSignIn(browser: Browser, upn: string, options: { mfa?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await signInAtMicrosoft(page, upn);
  if (options.mfa) await page.getByRole("button", { name: "Approve" }).click();
  return page;
}

async function roleShown(page: Page): Promise<string> {
  await expect(accountMenu(page)).toBeVisible();
  await page.goto("/account");
  return (await page.getByRole("main").innerText()).toString();
}

test.describe("as admin", () => {
  test.use({ storageState: storageStatePath("admin") });

  test("the administrator sets up Sign in with Microsoft, verified with Microsoft", async ({ page, shot }) => {
    await page.goto("/settings/mailbox-sign-in");
    await saveMailboxSignInApp(page, signInApp);

    await page.goto("/settings/sign-in");
    await expect(page.getByText(`${E2E_BASE_URL}/sign-in/microsoft/callback`)).toBeVisible();
    await expect(page.getByLabel("Manifest fragment")).toContainText("Calsync.Helpdesk");
    await expect(page.getByLabel("Azure CLI script")).toContainText(signInApp.clientId);
    // A tenant that does not exist: nothing is saved.
    await page.getByLabel("Trusted tenants for staff").fill("no-such-tenant.example.com");
    await page.getByRole("button", { name: "Verify and save" }).click();
    await expect(page.getByRole("status").getByText(/^Not saved:/)).toBeVisible();
    await expect(page.getByRole("heading", { name: "Current settings" })).toHaveCount(0);
    // Two trusted tenants: people sign in at /organizations and the console checks each one's tenant.
    await page.getByLabel("Trusted tenants for staff").fill(`${demo.contoso.domain}\n${demo.usgov.id}`);
    await page.getByLabel("Groups whose members are helpdesk").fill(consoleGroups.helpdesk);
    await page.getByRole("button", { name: "Verify and save" }).click();
    await expect(page.getByRole("status").getByText("Saved and verified with Microsoft")).toBeVisible();
    await page.reload();
    await expect(page.getByText(`${demo.contoso.domain} (${demo.contoso.id})`)).toBeVisible();
    await expectAccessible(page);
    await shot("microsoft-sign-in-01-settings");
  });
});

test.describe("signed out", () => {
  test("an admin signs in with Microsoft and gets the admin role from the Calsync.Admin app role", async ({ browser }) => {
    const page = await microsoftSignIn(browser, demo.users.admin.upn);
    expect(await roleShown(page)).toContain("Administrator");
    await page.goto("/users");
    await expect(page.getByRole("heading", { name: "Users" }).first()).toBeVisible();
    await expect(page.getByText(`Microsoft: ${demo.users.admin.upn}`)).toBeVisible();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "microsoft-sign-in-02-admin.png"), fullPage: true });
    await page.context().close();
  });

  test("a helpdesk person gets the helpdesk role from a group", async ({ browser }) => {
    const page = await microsoftSignIn(browser, demo.users.megan.upn, { mfa: true });
    expect(await roleShown(page)).toContain("Helpdesk");
    await page.goto("/users");
    await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
    await page.context().close();
  });

  test("a person from another tenant is refused, with the reason on the sign-in page", async ({ browser }) => {
    const page = await microsoftSignIn(browser, fabrikam.ben.upn);
    await expect(page).toHaveURL(/\/sign-in\?microsoft=[0-9a-f-]{36}$/);
    await expect(page.getByRole("alert").getByRole("heading", { name: "Your organisation is not one this console trusts" })).toBeVisible();
    await expect(accountMenu(page)).toHaveCount(0);
    await expectAccessible(page);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "microsoft-sign-in-03-other-tenant.png"), fullPage: true });
    // The refusal belongs to the browser that started the sign-in.
    const other = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const otherPage = await other.newPage();
    await otherPage.goto(page.url());
    await expect(otherPage.getByRole("heading", { name: "Sign in", exact: true })).toBeVisible();
    await expect(otherPage.getByRole("heading", { name: "Your organisation is not one this console trusts" })).toHaveCount(0);
    await other.close();
    await page.context().close();
  });

  test("a person whose app role was removed is downgraded at their next sign-in", async ({ browser }) => {
    await changeSimulatedUser(demo.users.admin.upn, { appRoleAssignments: [], groups: [consoleGroups.helpdesk] });
    try {
      const page = await microsoftSignIn(browser, demo.users.admin.upn);
      expect(await roleShown(page)).toContain("Helpdesk");
      await page.context().close();
    } finally {
      await changeSimulatedUser(demo.users.admin.upn, { appRoleAssignments: [{ clientId: signInApp.clientId, value: "Calsync.Admin" }], groups: [] });
    }
  });
});

test.describe("one-step member connect", () => {
  test("the administrator opens one-step connect to the organisation's people", async ({ browser }) => {
    const context = await browser.newContext({ storageState: storageStatePath("admin") });
    const page = await context.newPage();
    await page.goto("/settings/sign-in");
    await page.getByLabel("Let people of a trusted tenant without a role in as members").check();
    await page.getByLabel("Tenants whose people may connect their calendar without an invitation").fill(demo.contoso.domain);
    await page.getByRole("button", { name: "Verify and save" }).click();
    await expect(page.getByRole("status").getByText("Saved and verified with Microsoft")).toBeVisible();
    await context.close();
  });

  test("a member with no console account connects a mailbox in one Microsoft sign-in", async ({ browser }) => {
    const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const page = await context.newPage();
    await page.goto("/connect");
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fconnect$/);
    await page.getByRole("link", { name: "Connect my Microsoft 365 calendar" }).click();
    await expect(page.getByRole("heading", { name: "Connect my Microsoft 365 calendar" })).toBeVisible();
    await expectAccessible(page);
    await page.getByRole("button", { name: "Connect my Microsoft 365 calendar" }).click();
    await signInAtMicrosoft(page, demo.users.lynne.upn);
    // The page checks the new connection at once and then drops the "now checking" notice from its address.
    await expect(page).toHaveURL(/\/connect\/[0-9a-f-]{36}\?connected=1$/);
    lynneConnectionId = /\/connect\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    await expect(accountMenu(page)).toBeVisible();
    await expect(page.getByText(demo.users.lynne.upn).first()).toBeVisible();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "microsoft-sign-in-04-one-step-connect.png"), fullPage: true });
    await page.goto("/account");
    await expect(page.getByRole("main")).toContainText("Member");
    await context.close();
  });
});

test.describe("links lead into the one-step connect", () => {
  test("a reconnect link opened without a console session renews the mailbox in one Microsoft sign-in, once", async ({ browser }) => {
    expect(lynneConnectionId).not.toBe("");
    const adminContext = await browser.newContext({ storageState: storageStatePath("admin") });
    const admin = await adminContext.newPage();
    await admin.goto(`/connections/${lynneConnectionId}?tab=settings`);
    await admin.getByLabel("Show me the link to copy").check();
    await admin.getByRole("button", { name: "Create a reconnect link" }).click();
    const link = new URL(await takeOneTimeValue(admin)).pathname;
    await adminContext.close();

    const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const page = await context.newPage();
    await page.goto(link);
    await expect(page.getByRole("heading", { name: "Reconnect your calendar" })).toBeVisible();
    await expectAccessible(page);
    await page.getByRole("button", { name: "Reconnect with Microsoft" }).click();
    await signInAtMicrosoft(page, demo.users.lynne.upn);
    await expect(page).toHaveURL(new RegExp(`/connect/${lynneConnectionId}\\?connected=1$`));
    await expect(accountMenu(page)).toBeVisible();
    // Consumed: the link works once.
    await page.goto(link);
    await expect(page.getByRole("alert").filter({ hasText: "already been used" })).toBeVisible();
    await context.close();
  });
});

test.describe("Microsoft sign-in only", () => {
  test.use({ storageState: storageStatePath("admin") });

  test("leaves only break-glass accounts with local sign-in", async ({ page, browser }) => {
    await page.goto("/settings/sign-in");
    await page.getByLabel("Microsoft sign-in only").check();
    await page.getByRole("button", { name: "Verify and save" }).click();
    await expect(page.getByRole("status").getByText(/break-glass/)).toBeVisible();

    await page.goto("/users");
    await page.getByRole("button", { name: `Mark ${accounts.admin.email} as break-glass` }).click();
    await expect(page.getByText("Marked as a break-glass account")).toBeVisible();
    await page.goto("/settings/sign-in");
    await page.getByLabel("Microsoft sign-in only").check();
    await page.getByRole("button", { name: "Verify and save" }).click();
    await expect(page.getByRole("status").getByText("Saved and verified with Microsoft")).toBeVisible();
    try {
      const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
      const signIn = await context.newPage();
      await signIn.goto("/sign-in");
      await expect(signIn.getByText("Email and password sign-in is kept for break-glass administrator accounts only.")).toBeVisible();
      await signIn.getByLabel("Email").fill(accounts.helpdesk.email);
      await signIn.getByLabel("Password").fill(accounts.helpdesk.password);
      await signIn.getByRole("button", { name: "Sign in", exact: true }).click();
      await expect(signIn.getByText("This console accepts Sign in with Microsoft only.")).toBeVisible();
      // A break-glass administrator still answers the console's own second factor.
      await signInWithForm(signIn, accounts.admin);
      await context.close();
    } finally {
      // Later specs sign in with passwords.
      await page.goto("/settings/sign-in");
      await page.getByLabel("Microsoft sign-in only").uncheck();
      await page.getByRole("button", { name: "Verify and save" }).click();
      await expect(page.getByRole("status").getByText("Saved and verified with Microsoft")).toBeVisible();
    }
  });
});

test.describe("a separate console sign-in app", () => {
  test.use({ storageState: storageStatePath("admin") });

  test("the administrator switches console sign-in to an app of its own, and an admin signs in through it", async ({ page, browser }) => {
    const adminRoles = { appRoleAssignments: [{ clientId: signInApp.clientId, value: "Calsync.Admin" }], groups: [] };
    // The admin role now comes from the separate app alone.
    await changeSimulatedUser(demo.users.admin.upn, { ...adminRoles, appRoleAssignments: [{ clientId: separateConsoleApp.clientId, value: "Calsync.Admin" }] });
    try {
      await page.goto("/settings/sign-in");
      await page.getByLabel("A separate app").check();
      const separate = page.getByRole("group", { name: "The separate app (only when chosen above)" });
      await separate.getByLabel("Microsoft cloud").selectOption("custom");
      // The mailbox sign-in app is no separate app: refused, nothing changes.
      await separate.getByLabel("Application (client) ID").fill(signInApp.clientId);
      await separate.getByLabel("Directory (tenant) ID of the app registration").fill(demo.contoso.domain);
      await separate.getByLabel("Client secret", { exact: true }).check();
      await separate.getByLabel("Client secret Value").fill(signInApp.secret);
      await page.getByRole("button", { name: "Verify and save" }).click();
      await expect(page.getByRole("status").getByText("This client ID is the mailbox sign-in app's.")).toBeVisible();

      await separate.getByLabel("Application (client) ID").fill(separateConsoleApp.clientId);
      rememberSecret(separateConsoleApp.secret);
      await separate.getByLabel("Client secret Value").fill(separateConsoleApp.secret);
      await page.getByRole("button", { name: "Verify and save" }).click();
      await expect(page.getByRole("status").getByText("Saved and verified with Microsoft")).toBeVisible();
      await page.reload();
      await expect(page.getByText(`Its own app ${separateConsoleApp.clientId}`)).toBeVisible();
      await expect(page.getByLabel("Azure CLI script")).toContainText(separateConsoleApp.clientId);
      await expectAccessible(page);

      const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
      const signIn = await context.newPage();
      await signIn.goto("/sign-in");
      await signIn.getByRole("button", { name: "Sign in with Microsoft" }).click();
      await expect(signIn).toHaveURL(new RegExp(`[?&]client_id=${separateConsoleApp.clientId}(&|$)`));
      await signInAtMicrosoft(signIn, demo.users.admin.upn);
      expect(await roleShown(signIn)).toContain("Administrator");
      await context.close();
    } finally {
      // Later specs sign in through the mailbox sign-in app.
      await changeSimulatedUser(demo.users.admin.upn, adminRoles);
      await page.goto("/settings/sign-in");
      await page.getByLabel("The mailbox sign-in app").check();
      await page.getByRole("button", { name: "Verify and save" }).click();
      await expect(page.getByRole("status").getByText("Saved and verified with Microsoft")).toBeVisible();
    }
  });
});
