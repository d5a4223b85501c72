import type { Page } from "@playwright/test";
import { accounts, E2E_BASE_URL, storageStatePath } from "../test-support/e2e/server";
import { expect, test } from "../test-support/e2e/fixtures";

const consoleOrigin = new URL(E2E_BASE_URL).origin;

/**
 * `next` exactly as an attacker writes it into a link (the query string after `next=`): raw control
 * characters, backslashes, encoded and double-encoded forms, and absolute URLs.
 */
const hostileNext: ReadonlyArray<[string, string]> = [
  ["encoded tab", "%2F%09%2Fevil.example%2F"],
  ["encoded carriage return", "%2F%0D%2Fevil.example%2F"],
  ["encoded line feed", "%2F%0A%2Fevil.example%2F"],
  ["raw tab", "/\t/evil.example/"],
  ["encoded backslash", "%2F%5Cevil.example%2F"],
  ["raw backslash", "/\\evil.example/"],
  ["protocol-relative", "//evil.example/"],
  ["encoded protocol-relative", "%2F%2Fevil.example%2F"],
  ["double-encoded tab", "%252F%2509%252Fevil.example%252F"],
  ["double-encoded slash in a path", "%2F%252F%2Fevil.example%2F"],
  ["absolute https URL", "https%3A%2F%2Fevil.example%2F"],
  ["absolute URL without slashes", "https:evil.example"],
  ["javascript URL", "javascript:alert(document.domain)"],
  ["dot segments", "%2Fa%2F..%2F..%2F%2Fevil.example%2F"],
];

/** Any request that leaves the console lands on a marker page instead of the network. */
async function trapOtherOrigins(page: Page): Promise<void> {
  await page.route(
    (url) => url.origin !== consoleOrigin,
    (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<h1>Left the console</h1>" }),
  );
}

async function expectHomeOfMember(page: Page): Promise<void> {
  await expect(page.getByRole("heading", { name: `Welcome, ${accounts.member.displayName}` })).toBeVisible();
  await expect(page).toHaveURL((url) => url.origin === consoleOrigin && url.pathname === "/");
}

test.describe("the return path after sign-in stays on the console", () => {
  for (const [name, raw] of hostileNext) {
    test(`${name}, signing in`, async ({ page }) => {
      await trapOtherOrigins(page);
      const response = await page.goto(`/sign-in?next=${raw}`);
      expect(response?.status()).toBe(200);
      await page.getByLabel("Email").fill(accounts.member.email);
      await page.getByLabel("Password").fill(accounts.member.password);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await expectHomeOfMember(page);
    });
  }

  test.describe("already signed in", () => {
    test.use({ storageState: storageStatePath("member") });

    for (const [name, raw] of hostileNext) {
      test(`${name}, already signed in`, async ({ page }) => {
        await trapOtherOrigins(page);
        await page.goto(`/sign-in?next=${raw}`);
        await expectHomeOfMember(page);
      });
    }
  });

  test("a same-site next still leads there", async ({ page }) => {
    await trapOtherOrigins(page);
    await page.goto(`/sign-in?next=${encodeURIComponent("/account")}`);
    await page.getByLabel("Email").fill(accounts.member.email);
    await page.getByLabel("Password").fill(accounts.member.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
    await expect(page).toHaveURL(`${consoleOrigin}/account`);
  });
});

test.describe("the password form explains a refusal", () => {
  test.use({ storageState: storageStatePath("member") });

  const refused: ReadonlyArray<[string, string, RegExp]> = [
    ["a common password", "Password1234", /commonly used password/],
    ["spaces only", "                ", /only spaces/],
    ["one character repeated", "zzzzzzzzzzzzzzzz", /same character/],
    ["the person's own name", "MorganMember!", /personal/],
  ];

  for (const [name, weak, why] of refused) {
    test(`${name} is refused with the reason, and never sent back`, async ({ page, shot }) => {
      await page.goto("/account");
      await page.getByLabel("Current password").fill(accounts.member.password);
      await page.getByLabel("New password", { exact: true }).fill(weak);
      await page.getByLabel("Repeat the new password").fill(weak);
      await page.getByRole("button", { name: "Change password" }).click();
      const field = page.getByLabel("New password", { exact: true });
      await expect(field).toHaveAttribute("aria-invalid", "true");
      await expect(page.getByText(why)).toBeVisible();
      for (const label of ["Current password", "New password", "Repeat the new password"]) await expect(page.getByLabel(label, { exact: true })).toHaveValue("");
      if (weak.trim()) expect(await page.content()).not.toContain(weak);
      await shot(`account-password-refused-${name.replace(/[^a-z]+/gi, "-")}`);
    });
  }
});

test("helpdesk filters the audit log down to authentication failures, each with its address and without what was typed", async ({ browser }) => {
  const typed = "not the helpdesk password at all";
  const visitor = await browser.newContext();
  const signIn = await visitor.newPage();
  await signIn.goto("/sign-in");
  await signIn.getByLabel("Email").fill(accounts.helpdesk.email);
  await signIn.getByLabel("Password").fill(typed);
  await signIn.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(signIn.getByText("That email and password do not match an account.")).toBeVisible();
  await visitor.close();

  const helpdesk = await browser.newContext({ storageState: storageStatePath("helpdesk") });
  const audit = await helpdesk.newPage();
  await audit.goto("/audit");
  await audit.getByLabel("Show").selectOption("auth-failures");
  await audit.getByRole("button", { name: "Filter" }).click();
  await expect(audit).toHaveURL(/category=auth-failures/);
  const failure = audit.getByRole("row").filter({ hasText: "auth.sign-in-failed" }).filter({ hasText: accounts.helpdesk.email }).first();
  await expect(failure).toBeVisible();
  await expect(failure).toContainText("127.0.0.1");
  await expect(failure).toContainText("not signed in");
  await expect(audit.getByRole("cell", { name: "session.sign-in", exact: true })).toHaveCount(0);
  expect(await audit.content()).not.toContain(typed);
  await audit.screenshot({ path: "test-results/screenshots/audit-auth-failures.png", fullPage: true });
  await helpdesk.close();
});
