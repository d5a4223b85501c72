import type { Page } from "@playwright/test";
import { demo } from "../simulator/demo-ids";
import { CONSENT_SPEC_USER, storageStatePath } from "../test-support/e2e/server";
import { changeSimulatedApp, changeSimulatedTenant, expect, rememberSecret, simulatedAdminToken, test } from "../test-support/e2e/fixtures";
import { ensureSetupApp, saveMailboxSignInApp } from "../test-support/e2e/mailbox-sign-in";
import { horizontalOverflow } from "../test-support/e2e/page-tour";
import { expectAccessible } from "../test-support/e2e/wizard";
import { CLI_SCOPES } from "../test-support/provisioning-scenario";

/**
 * The consent pre-flight (issue 15 §3) in Chromium against the simulator: the tenant lets Microsoft
 * manage consent (Calendars.ReadWrite is kept from users) and has the admin consent workflow on. The
 * pre-flight predicts "Need admin approval", members are told whom to ask, the administrator grants
 * for everyone with one click, and a member then connects without being asked. Its own project runs it
 * after the console specs, which expect the mailbox sign-in app unconfigured when they start.
 */

test.describe.configure({ mode: "serial" });

const signInApp = demo.apps.mailboxSignIn;
const reviewer = demo.users.admin;
// Its own mailbox: other specs connect the demo users, and a mailbox has one owner.
const connecting = CONSENT_SPEC_USER.upn;
const preflightScopes = ["Policy.Read.All", "DelegatedPermissionGrant.ReadWrite.All", "Application.Read.All", "User.ReadBasic.All"];

async function token(scopes: readonly string[]): Promise<string> {
  const value = await simulatedAdminToken(demo.users.admin.id, scopes);
  rememberSecret(value);
  return value;
}

async function runPreflight(page: Page, value: string): Promise<void> {
  await page.getByLabel("Administrator's Microsoft Graph token").fill(value);
  await page.getByRole("button", { name: "Run the pre-flight" }).click();
}

test.describe("as admin", () => {
  test.use({ storageState: storageStatePath("admin") });

  test("the pre-flight predicts Need admin approval, with its reason and evidence, and refuses an Azure CLI token", async ({ page, shot }) => {
    await changeSimulatedTenant({
      consent: {
        permissionGrantPoliciesAssigned: ["ManagePermissionGrantsForSelf.microsoft-user-default-recommended"],
        lowClassifiedPermissions: [],
        adminConsentWorkflow: { enabled: true, reviewerIds: [reviewer.id] },
        requests: [],
      },
    });
    await changeSimulatedApp(signInApp.clientId, { grantedScopes: [], userConsentAllowed: true });

    await page.goto("/settings/mailbox-sign-in");
    await saveMailboxSignInApp(page, signInApp);
    await page.reload();

    const section = page.getByRole("region", { name: "Will people be able to connect?" });
    await expect(section.getByText(/^Connect-MgGraph -Scopes Policy\.Read\.All,DelegatedPermissionGrant\.ReadWrite\.All,Application\.Read\.All/)).toBeVisible();
    await runPreflight(page, await token(CLI_SCOPES));
    await expect(page.getByRole("status").getByText(/lacks Policy\.Read\.All.*Connect-MgGraph/)).toBeVisible();

    await runPreflight(page, await token(preflightScopes));
    await expect(page.getByTestId("consent-outcome")).toContainText("People will see “Need admin approval”, because");
    await expect(page.getByTestId("consent-outcome")).toContainText("microsoft-user-default-recommended");
    await expect(page.getByTestId("consent-outcome")).toContainText("Calendars.ReadWrite");
    await expect(section.getByText(`On; reviewers: `)).toContainText(reviewer.upn);
    await expect(section.getByRole("link", { name: "admin-consent link" })).toHaveAttribute("href", /\/adminconsent\?/);
    await expectAccessible(page);
    await shot("consent-01-preflight");
    // The answer and its evidence fit a phone's width, as every page must (the tour runs before any answer exists).
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await page.goto("/status");
    await expect(page.getByRole("region", { name: "Members connecting their own mailbox" })).toContainText("People will see “Need admin approval”");
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  });
});

test.describe("as admin, signing in", () => {
  test.use({ storageState: storageStatePath("admin") });

  test("the pre-flight through the setup app sign-in: the Global Administrator signs in at Microsoft and sees the prediction", async ({ page, shot }) => {
    await ensureSetupApp(page);
    await page.goto("/settings/mailbox-sign-in");
    const section = page.getByRole("region", { name: "Will people be able to connect?" });
    await section.getByRole("button", { name: "Sign in with Microsoft (setup app)" }).click();
    await page.getByLabel("Email, phone, or Skype").fill(reviewer.upn);
    await page.getByLabel("Password").fill(demo.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page).toHaveURL(/\/settings\/mailbox-sign-in\?preflight=done#consent-heading$/);
    await expect(section.getByText(/^Signed in through the setup app: the pre-flight ran with your token/)).toBeVisible();
    await expect(page.getByTestId("consent-outcome")).toContainText("People will see “Need admin approval”, because");
    // The token is kept for the grant (the next test grants with it), never shown.
    await expect(section.getByRole("button", { name: "Grant for everyone in the organisation" })).toBeVisible();
    await expectAccessible(page);
    await shot("consent-01b-preflight-signed-in");
  });
});

test.describe("as member, before the grant", () => {
  test.use({ storageState: storageStatePath("member") });

  test("the member is told their organisation requires approval, and who reviews it", async ({ page }) => {
    await page.goto("/connect");
    await expect(page.getByRole("heading", { name: "Your organisation requires approval: here is who to ask" })).toBeVisible();
    await expect(page.getByText(reviewer.upn)).toBeVisible();
    await expectAccessible(page);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  });
});

test.describe("as admin, granting", () => {
  test.use({ storageState: storageStatePath("admin") });

  test("the one-click tenant-wide grant, after a confirmation that says what it means", async ({ page, shot }) => {
    await page.goto("/settings/mailbox-sign-in");
    await page.getByRole("button", { name: "Grant for everyone in the organisation" }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toContainText("Every person in tenant");
    await expect(dialog).toContainText("for this app only");
    await shot("consent-02-confirm");
    await dialog.getByRole("button", { name: "Grant for everyone" }).click();
    // The page answers again at once: the grant re-runs the pre-flight with the same token.
    await expect(page.getByTestId("consent-outcome")).toContainText("People can connect without help");
    await page.reload();
    await expect(page.getByTestId("consent-outcome")).toContainText("People can connect without help");
    await expect(page.getByText("User.Read Calendars.ReadWrite offline_access")).toBeVisible();
    await page.goto("/status");
    await expect(page.getByRole("region", { name: "Members connecting their own mailbox" })).toContainText("People can connect without help");
  });
});

test.describe("as member, after the grant", () => {
  test.use({ storageState: storageStatePath("member") });

  test("a member connects without being asked for approval", async ({ page }) => {
    await page.goto("/connect");
    await expect(page.getByRole("heading", { name: "Your organisation requires approval: here is who to ask" })).toHaveCount(0);
    await page.getByRole("button", { name: "Connect my Microsoft 365 calendar" }).click();
    await expect(page.getByRole("heading", { name: /^Sign in to / })).toBeVisible();
    await page.getByLabel("Email, phone, or Skype").fill(connecting);
    await page.getByLabel("Password").fill(demo.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page).toHaveURL(/\/connect\/[0-9a-f-]{36}\?(verify|connected)=1$/);
    await expect(page.getByRole("status").filter({ hasText: `Connected ${connecting}` })).toBeVisible();
  });
});
