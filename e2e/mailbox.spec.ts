import type { Browser, Page } from "@playwright/test";
import { demo } from "../simulator/demo-ids";
import { accounts, E2E_BASE_URL, storageStatePath } from "../test-support/e2e/server";
import { changeSimulatedApp, changeSimulatedUser, expect, rememberSecret, takeOneTimeValue, test } from "../test-support/e2e/fixtures";
import { expectAccessible, tabTo } from "../test-support/e2e/wizard";

/**
 * Single mailboxes: people connect their own Microsoft 365 calendar by signing in at Microsoft (the
 * simulator's /authorize pages), with the real msal-node behind the console. Covers the operator's
 * set-up, connecting, Microsoft's refusals, a guest without a mailbox, invitations, re-authentication
 * with the same connection id, disconnecting, and forged or replayed callbacks.
 */

test.describe.configure({ mode: "serial" });

const signInApp = demo.apps.extraRoles;
const adele = demo.users.adele.upn;
let adeleConnectionUrl = "";
let capturedCallback = "";

async function signInAtMicrosoft(page: Page, upn: string): Promise<void> {
  await expect(page.getByRole("heading", { name: /^Sign in to / })).toBeVisible();
  await page.getByLabel("Email, phone, or Skype").fill(upn);
  await page.getByLabel("Password").fill(demo.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** The same sign-in with the keyboard alone: Tab to each field, type, Enter to submit. */
async function signInAtMicrosoftWithKeyboard(page: Page, upn: string): Promise<void> {
  await expect(page.getByRole("heading", { name: /^Sign in to / })).toBeVisible();
  await tabTo(page, page.getByLabel("Email, phone, or Skype"));
  await page.keyboard.type(upn);
  await tabTo(page, page.getByLabel("Password"));
  await page.keyboard.type(demo.password);
  await page.keyboard.press("Enter");
}

async function expectChecks(page: Page, summary: RegExp): Promise<void> {
  await expect(page.getByRole("status").filter({ hasText: summary })).toBeVisible();
}

async function newMemberPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ storageState: storageStatePath("member") });
  return context.newPage();
}

test.describe("as admin", () => {
  test.use({ storageState: storageStatePath("admin") });

  test("the administrator sets up mailbox sign-in, verified with Microsoft", async ({ page, shot }) => {
    await page.goto("/settings/mailbox-sign-in");
    await expect(page.getByText(`${E2E_BASE_URL}/connect/callback`)).toBeVisible();
    await page.getByLabel("Microsoft cloud").selectOption("custom");
    await page.getByLabel("Application (client) ID").fill(signInApp.clientId);
    await page.getByLabel("Directory (tenant) ID of the app registration").fill(demo.contoso.domain);
    await page.getByLabel("Only accounts in the app's own organisation").check();
    await page.getByLabel("Client secret", { exact: true }).check();
    const wrong = "wrong~secret~value~000000000000000009";
    rememberSecret(wrong);
    await page.getByLabel("Client secret Value").fill(wrong);
    await page.getByRole("button", { name: "Verify and save" }).click();
    await expect(page.getByRole("status").getByText(/Not saved: Client secret is wrong|Not saved: .*secret/i)).toBeVisible();
    await expect(page.getByRole("heading", { name: "Current settings" })).toHaveCount(0);

    rememberSecret(signInApp.secret);
    await page.getByLabel("Client secret Value").fill(signInApp.secret);
    await page.getByRole("button", { name: "Verify and save" }).click();
    await expect(page.getByRole("status").getByText("Saved and verified with Microsoft")).toBeVisible();
    await page.reload();
    await expect(page.getByText(`Client secret ending in …${signInApp.secret.slice(-4)}`)).toBeVisible();
    await expect(page.getByText(signInApp.secret)).toHaveCount(0);
    await expectAccessible(page);
    await shot("mailbox-01-settings");
  });
});

test.describe("as member", () => {
  test.use({ storageState: storageStatePath("member") });

  test("a member connects their calendar with the keyboard, and the live checklist proves it", async ({ page, shot }) => {
    await page.goto("/connect");
    await expectAccessible(page);
    await shot("mailbox-02-connect");
    const writeTest = page.getByLabel(/Also prove that Calsync can write/);
    await tabTo(page, writeTest);
    await page.keyboard.press("Space");
    await expect(writeTest).toBeChecked();
    await tabTo(page, page.getByRole("button", { name: "Connect my Microsoft 365 calendar" }));
    page.on("request", (request) => {
      if (request.url().includes("/connect/callback?")) capturedCallback = request.url();
    });
    await page.keyboard.press("Enter");
    await signInAtMicrosoftWithKeyboard(page, adele);

    await expect(page).toHaveURL(/\/connect\/[0-9a-f-]{36}\?(verify|connected)=1$/);
    adeleConnectionUrl = new URL(page.url()).pathname;
    await expect(page.getByRole("status").filter({ hasText: `Connected ${adele}` })).toBeVisible();
    await expectChecks(page, /All checks passed/);
    // Once the checks have run, the banner no longer says they are running.
    await expect(page).toHaveURL(/\?connected=1$/);
    await expect(page.getByRole("status").filter({ hasText: `Connected ${adele}` })).not.toContainText("now checking");
    for (const id of ["session", "permissions", "profile", "calendar", "calendar-write"]) {
      await expect(page.locator(`[data-check-id="${id}"]`)).toHaveAttribute("data-status", "pass");
    }
    await page.reload();
    await expect(page.getByText(/State: Healthy/)).toBeVisible();
    await expectAccessible(page);
    await shot("mailbox-03-connected");
  });

  test("a replayed or forged answer from Microsoft is refused", async ({ page }) => {
    expect(capturedCallback).toContain("state=");
    await page.goto(new URL(capturedCallback).pathname + new URL(capturedCallback).search);
    await expect(page).toHaveURL(/\/connect\?refusal=bad-state$/);
    await expect(page.getByRole("heading", { name: "This sign-in answer was not accepted" })).toBeVisible();

    await page.goto("/connect/callback?code=forged-code&state=forged-state-value");
    await expect(page.getByRole("heading", { name: "This sign-in answer was not accepted" })).toBeVisible();
    await page.goto("/connect");
    // Still exactly one connected calendar.
    await expect(page.getByRole("table", { name: "My connected calendars" }).getByRole("row")).toHaveCount(2);
  });

  test("consent needing an administrator is explained, with a message for the administrator", async ({ page, shot }) => {
    await changeSimulatedApp(signInApp.clientId, { userConsentAllowed: false, grantedScopes: [] });
    try {
      await page.goto("/connect");
      await page.getByRole("button", { name: "Connect my Microsoft 365 calendar" }).click();
      await signInAtMicrosoft(page, demo.users.megan.upn);
      await page.getByRole("button", { name: "Approve" }).click();
      await expect(page).toHaveURL(/\/connect\/attempts\/[0-9a-f-]{36}$/);
      await expect(page.getByRole("heading", { name: "Your organisation needs an administrator to approve Calsync first" })).toBeVisible();
      const message = page.getByLabel("Message for your administrator");
      await expect(message).toContainText(signInApp.clientId);
      await expect(message).toContainText(`/adminconsent?client_id=${signInApp.clientId}`);
      await expect(page.getByText("AADSTS90094", { exact: true })).toBeVisible();
      await expectAccessible(page);
      await shot("mailbox-04-admin-approval");
    } finally {
      await changeSimulatedApp(signInApp.clientId, { userConsentAllowed: true, grantedScopes: ["User.Read", "Calendars.ReadWrite"] });
    }
  });

  test("a guest account without a mailbox is explained, and then disconnected", async ({ page, shot }) => {
    await page.goto("/connect");
    await page.getByRole("button", { name: "Connect my Microsoft 365 calendar" }).click();
    await signInAtMicrosoft(page, demo.users.guest.upn);
    await expect(page).toHaveURL(/\/connect\/[0-9a-f-]{36}\?(verify|connected)=1$/);
    await expectChecks(page, /checks? failed/);
    await expect(page.locator('[data-check-id="calendar"]')).toHaveAttribute("data-status", "fail");
    await expect(page.locator('[data-check-id="calendar"]')).toContainText("User has no Exchange Online mailbox");
    await shot("mailbox-05-guest");

    await page.getByRole("button", { name: "Disconnect this calendar" }).click();
    await page.getByRole("dialog", { name: `Disconnect ${demo.users.guest.upn}?` }).getByRole("button", { name: "Disconnect", exact: true }).click();
    await expect(page).toHaveURL(/\/connect\?disconnected=1$/);
    await expect(page.getByRole("status").filter({ hasText: "Calsync deleted your saved Microsoft sign-in" })).toBeVisible();
    await expect(page.getByRole("link", { name: demo.users.guest.upn })).toHaveCount(0);
    await expect(page.getByRole("link", { name: adele })).toBeVisible();
  });

  test("a code Microsoft showed on its own page can be looked up", async ({ page }) => {
    await page.goto("/connect");
    await page.getByLabel("Error code").fill("AADSTS50020");
    await page.getByRole("button", { name: "Explain" }).click();
    await expect(page.getByRole("heading", { name: "This kind of account cannot be used here" })).toBeVisible();
  });
});

test.describe("invitations", () => {
  test.use({ storageState: storageStatePath("admin") });

  test("an invitation link leads a new person through to a connected mailbox", async ({ page, browser, shot }) => {
    await page.goto("/connect/invite");
    await expectAccessible(page);
    await page.getByLabel("Their email address").fill("megan@contoso.example");
    await page.getByLabel("Show me the link to copy").check();
    await page.getByRole("button", { name: "Create the link" }).click();
    const link = await takeOneTimeValue(page);
    expect(link).toMatch(/\/connect\/link\/[A-Za-z0-9_-]{40,}$/);

    // A browser nobody has signed in to the console with.
    const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const person = await context.newPage();
    await person.goto(new URL(link!).pathname);
    await expect(person.getByRole("heading", { name: "Connect your calendar" })).toBeVisible();
    await expectAccessible(person);
    await person.getByLabel("Your name").fill("Megan Bowen");
    const password = "megan's console password 4";
    rememberSecret(password);
    await person.getByLabel("Password", { exact: true }).fill(password);
    await person.getByLabel("Repeat the password").fill(password);
    await person.getByRole("button", { name: "Create account and continue" }).click();
    await signInAtMicrosoft(person, demo.users.megan.upn);
    // Megan's organisation requires MFA.
    await person.getByRole("button", { name: "Approve" }).click();
    await expect(person).toHaveURL(/\/connect\/[0-9a-f-]{36}\?(verify|connected)=1$/);
    await expectChecks(person, /All checks passed/);
    await person.screenshot({ path: "test-results/screenshots/mailbox-06-invited.png", fullPage: true });

    // The link worked once.
    await person.goto(new URL(link!).pathname);
    await expect(person.getByRole("alert").filter({ hasText: "already been used" })).toBeVisible();
    await context.close();
    await shot("mailbox-07-invite");
  });
});

test.describe("as helpdesk", () => {
  test.use({ storageState: storageStatePath("helpdesk") });

  test("helpdesk cannot copy a link that would create an account for someone else's address", async ({ page }) => {
    await page.goto("/connect/invite");
    await page.getByLabel("Their email address").fill("ceo@contoso.example");
    await page.getByLabel("Show me the link to copy").check();
    await page.getByRole("button", { name: "Create the link" }).click();
    await expect(page.getByText(/No console account has this address yet/)).toBeVisible();
    await expect(page.getByRole("dialog")).toHaveCount(0);
  });

  test("an expired sign-in needs re-authentication, and reconnecting keeps the connection id", async ({ page, browser, shot }) => {
    expect(adeleConnectionUrl).toMatch(/^\/connect\/[0-9a-f-]{36}$/);
    const connectionId = adeleConnectionUrl.split("/").pop()!;
    // Microsoft expires every refresh token of the account (AADSTS70008).
    await changeSimulatedUser(adele, { refreshTokenState: "expired" });

    await page.goto(`/connections/${connectionId}?tab=checks`);
    await page.getByRole("button", { name: "Run checks now" }).click();
    await expectChecks(page, /checks? failed/);
    await expect(page.locator('[data-check-id="session"]')).toContainText("AADSTS70008");
    await page.goto(`/connections/${connectionId}`);
    await expect(page.getByText(/State: Needs re-authentication/)).toBeVisible();
    await expect(page.getByRole("region", { name: /Why it fails/ })).toContainText(`Who must fix it: the mailbox's owner, ${accounts.member.displayName}`);
    await expect(page.getByRole("definition").filter({ hasText: `${accounts.member.displayName} (${accounts.member.email})` })).toBeVisible();
    await expect(page.getByRole("button", { name: "Verify and replace the secret" })).toHaveCount(0);

    await page.goto("/status?state=needs_reauth");
    const row = page.getByRole("row", { name: new RegExp(adele) });
    await expect(row).toContainText(`Owner: ${accounts.member.displayName}`);
    await expect(row).toContainText("must reconnect");
    // Named as Microsoft names the tenant (learned from the mailbox's own sign-in), not by its GUID.
    await expect(row.getByTitle(`Tenant ID ${demo.contoso.id}`)).toHaveText("Contoso");
    await expectAccessible(page);
    await shot("mailbox-08-status-reauth");

    await page.goto(`/connections/${connectionId}?tab=settings`);
    await page.getByLabel("Show me the link to copy").check();
    await page.getByRole("button", { name: "Create a reconnect link" }).click();
    const link = await takeOneTimeValue(page);
    expect(link).toMatch(/\/connect\/link\//);

    // The person signs in again; Microsoft issues fresh tokens.
    await changeSimulatedUser(adele, { refreshTokenState: "valid" });
    const member = await newMemberPage(browser);
    await member.goto("/");
    await expect(member.getByRole("alert").filter({ hasText: "no longer synchronised" })).toContainText(`Your calendar ${adele} is no longer synchronised`);
    await member.goto(new URL(link!).pathname);
    await expect(member.getByRole("heading", { name: "Reconnect your calendar" })).toBeVisible();
    await member.getByRole("button", { name: "Continue to Microsoft sign-in" }).click();
    await signInAtMicrosoft(member, adele);
    await expect(member).toHaveURL(new RegExp(`/connect/${connectionId}\\?(verify=1&)?reconnected=1$`));
    await expectChecks(member, /All checks passed/);
    await member.reload();
    await expect(member.getByText(/State: Healthy/)).toBeVisible();
    await member.context().close();
  });
});
