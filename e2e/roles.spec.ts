import { accounts, storageStatePath, type RoleName } from "../test-support/e2e/server";
import { expect, signOut, test } from "../test-support/e2e/fixtures";
import { signInWithForm } from "../test-support/e2e/mfa";

const gated: Record<RoleName, { allowed: string; heading: string; denied: string[] }> = {
  admin: { allowed: "/users", heading: "Users", denied: [] },
  helpdesk: { allowed: "/audit", heading: "Audit log", denied: ["/users"] },
  member: { allowed: "/account", heading: "Your account", denied: ["/users", "/audit"] },
};

for (const role of Object.keys(gated) as RoleName[]) {
  test.describe(`as ${role}`, () => {
    test.use({ storageState: storageStatePath(role) });

    test(`reaches ${gated[role].allowed} and is refused elsewhere`, async ({ page, shot }) => {
      await page.goto("/");
      await shot(`role-${role}-home`);
      await page.goto(gated[role].allowed);
      await expect(page.getByRole("heading", { name: gated[role].heading, exact: true })).toBeVisible();
      await shot(`role-${role}-allowed`);
      for (const path of gated[role].denied) {
        const response = await page.goto(path);
        expect(response?.status()).toBe(403);
        await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
      }
      if (gated[role].denied.length) await shot(`role-${role}-forbidden`);
      const nav = page.getByRole("navigation", { name: "Main" });
      await expect(nav.getByRole("link", { name: "Users" })).toHaveCount(role === "admin" ? 1 : 0);
      await expect(nav.getByRole("link", { name: "Audit log" })).toHaveCount(role === "member" ? 0 : 1);
    });
  });
}

test.describe("audit log", () => {
  test.use({ storageState: storageStatePath("helpdesk") });

  test("helpdesk filters and pages through the audit log", async ({ page, shot }) => {
    // The claim is the oldest event, long past the first page by now: filtered, it is found.
    await page.goto("/audit?action=console.claim");
    await expect(page.getByRole("cell", { name: "console.claim" })).toBeVisible();
    await page.getByLabel("Action").selectOption("user.invite");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page).toHaveURL(/action=user\.invite/);
    // Other specs may invite people too, so the filter is checked by every row being an invitation.
    const invites = page.getByRole("cell", { name: "user.invite", exact: true });
    await expect(invites.first()).toBeVisible();
    const inviteCount = await invites.count();
    await expect(page.getByRole("table").getByRole("row")).toHaveCount(inviteCount + 1);
    await expect(page.getByRole("cell", { name: "console.claim" })).toHaveCount(0);
    await expect(page.getByRole("status").filter({ hasText: new RegExp(`^${inviteCount} events?,`) })).toBeVisible();
    await shot("audit-filtered");
  });
});

test("sign-in failures share one message, and a forged cookie is not a session", async ({ page, context, shot }) => {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(accounts.member.email);
  await page.getByLabel("Password").fill("definitely wrong password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByText("That email and password do not match an account.")).toBeVisible();
  await page.getByLabel("Email").fill("nobody@contoso.example");
  await page.getByLabel("Password").fill("definitely wrong password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByText("That email and password do not match an account.")).toBeVisible();
  await shot("sign-in-failed");

  await context.addCookies([{ name: "calsync_session", value: "forged-forged-forged-forged-forged", url: page.url() }]);
  await page.goto("/audit");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Faudit$/);
});

test("signing out revokes the session on the server", async ({ browser, page }) => {
  await page.goto("/sign-in");
  await signInWithForm(page, accounts.admin);
  await expect(page.getByRole("heading", { name: "Home", level: 1 })).toBeVisible();
  const cookies = await page.context().cookies();
  const session = cookies.find((cookie) => cookie.name === "calsync_session")!;
  expect(session.httpOnly).toBe(true);
  expect(session.sameSite).toBe("Lax");

  await signOut(page);
  await expect(page.getByText("You have signed out.")).toBeVisible();

  // Replaying the old cookie from another browser must not work.
  const replay = await browser.newContext();
  await replay.addCookies([session]);
  const replayPage = await replay.newPage();
  await replayPage.goto("/users");
  await expect(replayPage).toHaveURL(/\/sign-in/);
  await replay.close();
});

test("an unknown invitation link explains itself", async ({ page }) => {
  await page.goto("/invite/this-is-not-a-real-invitation-token-at-all");
  await expect(page.getByRole("alert").filter({ hasText: "not valid" })).toBeVisible();
});
