import { demo } from "../simulator/demo-ids";
import { E2E_BASE_URL, storageStatePath } from "../test-support/e2e/server";
import { expect, rememberSecret, simulatedAppsNamed, test } from "../test-support/e2e/fixtures";
import { saveMailboxSignInApp } from "../test-support/e2e/mailbox-sign-in";
import { expectAccessible } from "../test-support/e2e/wizard";
import { setupApp } from "../test-support/provisioning-scenario";

/**
 * "Set it up for me" with Sign in with Microsoft: the administrator configures the setup app (the
 * mailbox sign-in app's client ID is refused), then signs in at the simulator as its Global
 * Administrator, and the console provisions a verified connection with that token.
 */

test.describe.configure({ mode: "serial" });
test.use({ storageState: storageStatePath("admin") });

const mailboxApp = demo.apps.mailboxSignIn;

test("the setup app: what to register, the mailbox sign-in app refused, then verified and saved", async ({ page, shot }) => {
  // The same mailbox sign-in app the console sign-in spec leaves configured.
  await page.goto("/settings/mailbox-sign-in");
  await saveMailboxSignInApp(page, mailboxApp);

  await page.goto("/connections/new/automatic");
  await page.getByRole("link", { name: "Settings → Setup app" }).click();
  await expect(page).toHaveURL(/\/settings\/setup-app$/);
  await expect(page.getByText(`${E2E_BASE_URL}/connections/new/automatic/callback`, { exact: true })).toBeVisible();
  await expect(page.getByTestId("setup-app-permissions")).toHaveText(
    "User.Read, Application.ReadWrite.All, AppRoleAssignment.ReadWrite.All, DelegatedPermissionGrant.ReadWrite.All, Policy.Read.All, RoleManagement.Read.Directory",
  );
  // Both registration scripts, in tabs: the Azure CLI one, and the Microsoft Graph PowerShell one.
  await page.getByText("Or register it with a script (Azure CLI or PowerShell)").click();
  await expect(page.getByLabel("Setup app Azure CLI script")).toContainText("az ad app create");
  await page.getByRole("tab", { name: "PowerShell" }).click();
  await expect(page).toHaveURL(/script=powershell/);
  const powerShell = page.getByLabel("Setup app PowerShell script");
  await expect(powerShell).toContainText("New-MgApplication -DisplayName $AppName");
  await expect(powerShell).toContainText("$graphSp.Oauth2PermissionScopes | Where-Object { $_.Value -eq $scope }");
  await expect(powerShell).toContainText(`$RedirectUri = '${E2E_BASE_URL}/connections/new/automatic/callback'`);
  await expectAccessible(page);

  await page.getByLabel("Microsoft cloud").selectOption("custom");
  await page.getByLabel("Application (client) ID").fill(mailboxApp.clientId);
  await page.getByLabel("Directory (tenant) ID of the app registration").fill(demo.contoso.domain);
  await page.getByLabel("Client secret", { exact: true }).check();
  await page.getByLabel("Client secret Value").fill(mailboxApp.secret);
  await page.getByRole("button", { name: "Verify and save" }).click();
  await expect(page.getByRole("status").getByText(/^This is the mailbox sign-in app\. Entra puts every consented permission of an app into each of its tokens/)).toBeVisible();
  await expect(page.getByRole("heading", { name: "Current settings" })).toHaveCount(0);

  rememberSecret(setupApp.secret);
  await page.getByLabel("Application (client) ID").fill(setupApp.clientId);
  await page.getByLabel("Client secret Value").fill(setupApp.secret);
  await page.getByRole("button", { name: "Verify and save" }).click();
  await expect(page.getByRole("status").getByText("Saved and verified with Microsoft")).toBeVisible();
  await page.reload();
  await expect(page.getByText(`Client secret ending in …${setupApp.secret.slice(-4)}`)).toBeVisible();
  await expectAccessible(page);
  await shot("setup-app-settings");
});

test("a Global Administrator signs in with Microsoft and the console provisions a verified connection", async ({ page, shot }) => {
  await page.goto("/connections/new");
  await page.getByRole("link", { name: "Set it up for me" }).click();
  await page.getByLabel("Name of the new app in Microsoft Entra").fill("Calsync signed in");
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await page.getByLabel("Email, phone, or Skype").fill(demo.users.admin.upn);
  await page.getByLabel("Password").fill(demo.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/connections\/new\/automatic\/[0-9a-f-]{36}$/);
  // The setup app's token reads the tenant's policies, which a pasted Azure CLI token cannot.
  await expect(page.locator('[data-item-id="policy"]')).toHaveAttribute("data-status", "pass", { timeout: 30_000 });
  await expect(page.getByRole("link", { name: "Open the connection" })).toBeVisible({ timeout: 30_000 });
  await shot("provision-sign-in-done");
  expect(await simulatedAppsNamed("Calsync signed in")).toEqual([expect.objectContaining({ deleted: false, grantedRoles: ["Calendars.ReadWrite", "User.Read.All"] })]);
  await page.getByRole("link", { name: "Open the connection" }).click();
  await expect(page.getByRole("heading", { name: "Calsync signed in" })).toBeVisible();
});
