import type { Page } from "@playwright/test";
import { demo } from "../simulator/demo-ids";
import { storageStatePath } from "../test-support/e2e/server";
import { expect, rememberSecret, takeOneTimeValue, test } from "../test-support/e2e/fixtures";
import { expectAccessible, openConnectionTab, scriptOutput } from "../test-support/e2e/wizard";

/**
 * Home as the admin's dashboard, the charts' text equivalents, and the pending invitations on Users.
 * The connection it makes is deleted at the end, so the specs after it find the console as before.
 */

test.describe.configure({ mode: "serial" });
test.use({ storageState: storageStatePath("admin") });

const app = demo.apps.secretExpiring;
const name = "Dashboard calendars";
rememberSecret(app.secret);

const DAY_MS = 86_400_000;
const dayLabel = (date: Date) => new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" }).format(date);
const isoDay = (date: Date) => date.toISOString().slice(0, 10);
const today = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()));

/** A row of a chart's text table, by its first cell. */
function chartRow(page: Page, chart: string | RegExp, row: string) {
  return page.getByRole("table", { name: chart }).getByRole("row", { name: new RegExp(`^${row.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`) });
}

test("a saved connection shows on Home with its next step, and the counts open the filtered board", async ({ page, shot }) => {
  // Saved through the script path with a secret that expires in ten days.
  await page.goto("/connections/new");
  await page.getByLabel(/Custom endpoints/).check();
  await page.getByLabel(/with a setup script/).check();
  await page.getByRole("button", { name: /^Start/ }).click();
  await page.getByRole("tab", { name: "Client secret" }).click();
  await page.getByLabel("The script's output").fill(scriptOutput({ tenant: demo.contoso.id, clientId: app.clientId, secret: app.secret, expires: isoDay(new Date(today.getTime() + 10 * DAY_MS)) }));
  await page.getByLabel("Connection name").fill(name);
  await page.getByRole("button", { name: "Verify with Microsoft" }).click();
  await expect(page.getByRole("status").filter({ hasText: /All checks passed/ })).toBeVisible();
  await page.getByRole("button", { name: "Save the connection" }).click();
  await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}\?saved=1$/);

  // The connection's charts, each with its numbers as a table.
  await expect(chartRow(page, "Health over the last 30 days", dayLabel(today)).getByRole("cell").first()).not.toHaveText("0");
  await openConnectionTab(page, "Checks");
  await expect(page.getByRole("table", { name: /How long the last \d+ checks? took/ }).getByRole("cell").first()).toHaveText(/^\d+$/);

  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Home", exact: true })).toBeVisible();
  const expiring = page.getByRole("region", { name: /Secrets expiring within 30 days/ });
  await expect(expiring.getByRole("link", { name, exact: true })).toBeVisible();
  await expect(chartRow(page, "Client secrets expiring in the next 12 weeks", `Week of ${dayLabel(new Date(today.getTime() + 7 * DAY_MS))}`).getByRole("cell")).toHaveText("1");
  await expect(page.getByRole("list", { name: "Last checks, newest first" }).getByRole("link", { name, exact: true }).first()).toBeVisible();
  await expectAccessible(page);
  await shot("dashboard-01-home");

  // The next step leads to the field to fill in, on the tab that has it.
  await expiring.getByRole("listitem").filter({ hasText: name }).getByRole("link", { name: /create a new client secret/ }).click();
  await expect(page).toHaveURL(/\?tab=settings&highlight=clientSecret#rotate-secret$/);
  await expect(page.getByRole("tab", { name: "Settings", exact: true })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByLabel("New client secret Value")).toBeFocused();

  await page.goto("/");
  const healthy = page.getByRole("list", { name: "Connections by state" }).getByRole("link", { name: /Healthy/ });
  const count = Number((await healthy.textContent())!.replace(/\D/g, ""));
  expect(count).toBeGreaterThanOrEqual(1);
  await healthy.click();
  await expect(page).toHaveURL(/\/status\?state=healthy$/);
  await expect(page.getByRole("status").filter({ hasText: `${count} connection${count === 1 ? "" : "s"} in state “Healthy”` })).toBeVisible();
  // The fleet trend counts today's healthy connections too.
  await expect(chartRow(page, "Connections by state, last 30 days", dayLabel(today)).getByRole("cell").first()).toHaveText(String(count));
  await shot("dashboard-02-status");

  // Cleaned up, from the Settings tab.
  await page.getByRole("link", { name, exact: true }).click();
  await openConnectionTab(page, "Settings");
  await page.getByRole("button", { name: "Delete this connection" }).click();
  const remove = page.getByRole("dialog", { name: `Delete “${name}”?` });
  await remove.getByLabel(`Type “${name}” to confirm`).fill(name);
  await remove.getByRole("button", { name: `Delete “${name}”` }).click();
  await expect(page).toHaveURL(/\/connections(\?|$)/);
});

test("pending invitations are listed with their expiry and can be revoked after a confirmation", async ({ page, shot }) => {
  const email = "pending.invitee@example.com";
  await page.goto("/users");
  const invite = page.getByRole("heading", { name: "Invite a colleague" }).locator("..");
  await invite.getByLabel("Email").fill(email);
  await invite.getByRole("button", { name: "Create invitation link" }).click();
  const link = await takeOneTimeValue(page);

  const pending = page.getByRole("table", { name: "Pending invitations" });
  const row = pending.getByRole("row").filter({ hasText: email });
  await expect(row).toContainText(/in (6|7) days/);
  await expect(row).toContainText("Member");
  await expectAccessible(page);
  await shot("users-pending-invitations");

  await row.getByRole("button", { name: `Revoke the invitation for ${email}` }).click();
  const dialog = page.getByRole("dialog", { name: `Revoke the invitation for ${email}?` });
  await dialog.getByRole("button", { name: "Revoke invitation" }).click();
  // The list is drawn again without it; the dialog goes with its row, and a toast says what happened.
  await expect(page.getByText(`Revoked the invitation for ${email}. Its link no longer works.`)).toBeVisible();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole("table", { name: "Pending invitations" }).getByRole("row").filter({ hasText: email })).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole("cell", { name: email, exact: true })).toHaveCount(0);

  // The link is dead, and the audit log says who revoked it.
  await page.goto(new URL(link).pathname);
  await expect(page.getByText("This invitation link has already been used or was replaced by a newer one.")).toBeVisible();
  await page.goto("/audit");
  await expect(page.getByRole("row").filter({ hasText: `Revoked the invitation for ${email}` })).toHaveCount(1);
});
