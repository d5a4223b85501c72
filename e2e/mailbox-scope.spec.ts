import type { Page } from "@playwright/test";
import { demo } from "../simulator/demo-ids";
import { SCOPE_APPS, storageStatePath } from "../test-support/e2e/server";
import { changeSimulatedApp, expect, test } from "../test-support/e2e/fixtures";
import { completeStep, enterAppValues, expectAccessible, openConnectionTab, startOrganisationWizard, verify } from "../test-support/e2e/wizard";

/**
 * Mailbox scope (issue 15): an app scoped by Exchange RBAC for Applications proven by its paired
 * probes, the union trap named, and a scope change that waits for Exchange before it is proven. The
 * simulator plays Exchange: the spec sets each app's scoping as an Exchange admin would.
 */

test.describe.configure({ mode: "serial" });
test.use({ storageState: storageStatePath("admin") });

const secret = demo.apps.healthy.secret;
const adele = demo.users.adele.upn;
const megan = demo.users.megan.upn;
const rbacForAdele = { rbacAssignments: [{ role: "Application Calendars.ReadWrite", mailboxes: [adele] }] };

/** The wizard up to the verify step, for an RBAC-scoped app reaching Adele and not Megan. */
async function scopedWizard(page: Page, name: string, clientId: string, options: { changedJustNow?: boolean } = {}): Promise<void> {
  await startOrganisationWizard(page);
  await enterAppValues(page, { name, tenant: demo.contoso.domain, clientId, secret });
  await page.goto("/connections/new/mailbox-scope");
  await page.getByLabel("Only the mailboxes listed below").check();
  await page.getByLabel("Mailboxes (one per line)").fill(adele);
  await page.getByLabel("Test mailbox").fill(adele);
  await page.getByLabel("A mailbox that should be out of scope (optional)").fill(megan);
  await page.getByLabel("Scoped by Exchange RBAC for Applications").check();
  if (options.changedJustNow) await page.getByLabel("I changed the scope just now").check();
  await expectAccessible(page);
  await completeStep(page, "verify");
}

test("an RBAC-scoped app whose probes behave as expected is proven, on its page and on the status board", async ({ page, shot }) => {
  await changeSimulatedApp(SCOPE_APPS.proven, { grantedRoles: ["User.Read.All"], exchangeScoping: rbacForAdele });
  await scopedWizard(page, "Scoped by RBAC", SCOPE_APPS.proven);
  // The permissions step leaves the tenant-wide grant out for an RBAC connection.
  await page.goto("/connections/new/api-permissions");
  await expect(page.getByRole("table", { name: "Permissions to add" }).getByRole("rowheader")).toHaveText(["User.Read.All"]);
  await expect(page.getByText(/do not add Calendars\.ReadWrite here/).first()).toBeVisible();
  await page.goto("/connections/new/verify");

  await expect(await verify(page)).toHaveText(/All checks passed/);
  await expect(page.locator('[data-check-id="permissions"]')).toContainText("not granted tenant-wide, as RBAC for Applications needs");
  await expect(page.locator('[data-check-id="calendar"]')).toHaveAttribute("data-status", "pass");
  await expect(page.locator('[data-check-id="mailbox-scope"]')).toHaveAttribute("data-status", "pass");
  await page.getByRole("button", { name: "Save the connection" }).click();
  await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}\?saved=1$/);
  await expect(page.getByTestId("scope-proof")).toContainText("Scoped: proven");
  await shot("mailbox-scope-01-proven");

  await page.goto(`/status?q=${encodeURIComponent("Scoped by RBAC")}`);
  await expect(page.getByRole("row", { name: /Scoped by RBAC/ })).toContainText("Scoped: proven");
  await expectAccessible(page);
});

test("the union trap: an RBAC connection whose token still carries the tenant-wide grant is named, with who removes it", async ({ page, shot }) => {
  await changeSimulatedApp(SCOPE_APPS.union, { grantedRoles: ["Calendars.ReadWrite", "User.Read.All"], exchangeScoping: rbacForAdele });
  await scopedWizard(page, "Union trap", SCOPE_APPS.union);
  await expect(await verify(page)).toHaveText(/failed/);
  const permissions = page.locator('[data-check-id="permissions"]');
  await expect(permissions).toHaveAttribute("data-status", "fail");
  await expect(permissions).toContainText("Tenant-wide grant makes the RBAC scope do nothing");
  await expect(permissions).toContainText("Privileged Role Administrator");
  // The out-of-scope mailbox answers: the scope does nothing while the grant stays.
  await expect(page.locator('[data-check-id="mailbox-scope"]')).toHaveAttribute("data-status", "fail");
  await shot("mailbox-scope-02-union-trap");
});

test("a scope change shows as propagating, then proven once the simulated Exchange applies it", async ({ page, shot }) => {
  // Exchange applies the new assignment after two more mailbox requests: the first verification's two probes.
  await changeSimulatedApp(SCOPE_APPS.propagating, {
    grantedRoles: ["User.Read.All"],
    exchangeScoping: { rbacAssignments: [] },
    pendingExchangeScoping: { scoping: rbacForAdele, afterRequests: 2 },
  });
  await scopedWizard(page, "Scope on its way", SCOPE_APPS.propagating, { changedJustNow: true });
  await expect(await verify(page)).toHaveText(/warning/);
  const calendar = page.locator('[data-check-id="calendar"]');
  await expect(calendar).toHaveAttribute("data-status", "warn");
  await expect(calendar).toContainText("Propagating: Exchange applies scope changes within 2 hours");
  await expect(calendar).toContainText("Calsync checks again at");
  // A scope cause is fixed from the scope mode: the step opens with that control highlighted and focused.
  await calendar.getByRole("link", { name: "Go to the step that fixes this" }).click();
  await expect(page).toHaveURL(/\/connections\/new\/mailbox-scope\?highlight=scopeMode$/);
  await expect(page.getByLabel("Scoped by Exchange RBAC for Applications")).toBeFocused();
  await expect(page.getByRole("group", { name: "How is the app limited in Exchange Online?" })).toHaveClass(/border-red-600/);
  await page.goto("/connections/new/verify");
  await expect(page.locator('[data-check-id="calendar"]')).toHaveAttribute("data-status", "warn");
  await page.getByLabel(/Type “save with warnings”/).fill("save with warnings");
  await page.getByRole("button", { name: "Save with warnings" }).click();
  await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}\?saved=1$/);
  await expect(page.getByTestId("scope-proof")).toContainText("Scoped: propagating");
  await shot("mailbox-scope-03-propagating");

  await openConnectionTab(page, "Checks");
  await page.getByRole("button", { name: "Run checks now" }).click();
  await expect(page.getByRole("status").filter({ hasText: /All checks passed/ })).toBeVisible();
  await page.reload();
  await expect(page.getByTestId("scope-proof")).toContainText("Scoped: proven");
  await page.goto(`/status?q=${encodeURIComponent("Scope on its way")}`);
  await expect(page.getByRole("row", { name: /Scope on its way/ })).toContainText("Scoped: proven");
});
