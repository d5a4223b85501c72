import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { demo } from "../simulator/demo-ids";
import { horizontalOverflow } from "../test-support/e2e/page-tour";
import { storageStatePath } from "../test-support/e2e/server";
import { expect, rememberSecret, simulatedAdminToken, test } from "../test-support/e2e/fixtures";
import { completeStep, expectAccessible, fillIds, startOrganisationWizard } from "../test-support/e2e/wizard";
import { SETUP_APP_SCOPES } from "../test-support/provisioning-scenario";

/**
 * The mailbox scope assistant in Chromium: a connection made by the one-click registration knows its
 * enterprise application's Object ID, so the Exchange Online script is written from it; an Object ID
 * that is really another ID is refused with a message that says which one it was. On the wizard's
 * mailbox-scope step the admin enters the Object ID.
 */

test.describe.configure({ mode: "serial" });
test.use({ storageState: storageStatePath("admin") });

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let connectionUrl = "";
let clientId = "";

async function settingsTab(page: Page) {
  await page.goto(`${connectionUrl}?tab=settings`);
  const panel = page.getByRole("region", { name: /Scope assistant/ });
  await expect(panel).toBeVisible();
  return panel;
}

test("a connection made by the one-click registration gets its scope script, with the union trap warned about", async ({ page, shot }) => {
  const token = await simulatedAdminToken(demo.users.admin.id, SETUP_APP_SCOPES);
  rememberSecret(token);
  await page.goto("/connections/new");
  await page.getByRole("link", { name: "Set it up for me" }).click();
  await page.getByLabel("Name of the app in Microsoft Entra").fill("Calsync scope assistant");
  await page.getByLabel("The token the command printed").fill(token);
  await page.getByRole("button", { name: "Check and set it up" }).click();
  const open = page.getByRole("link", { name: "Open the connection" });
  await expect(open).toBeVisible({ timeout: 30_000 });
  const created = await page.getByText(/Enterprise application \(service principal\), object ID/).textContent();
  const servicePrincipalId = created?.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/)?.[0];
  expect(servicePrincipalId).toMatch(guid);
  await open.click();
  await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: "Calsync scope assistant", exact: true })).toBeVisible();
  connectionUrl = new URL(page.url()).pathname;

  const panel = await settingsTab(page);
  await expect(panel.getByRole("note", { name: "The union trap" })).toContainText("adds to the app's Microsoft Entra permissions instead of narrowing them");
  await expect(panel).toContainText("Microsoft no longer recommends new application access policies");
  const objectIdField = panel.getByLabel("Enterprise application Object ID");
  const objectId = await objectIdField.inputValue();
  expect(objectId).toBe(servicePrincipalId);
  await expect(panel.getByText("Filled in from the one-click registration.")).toBeVisible();

  await panel.getByLabel("Group or administrative unit").fill("Calendar sync O'Brien");
  await panel.getByLabel("A mailbox inside the scope").fill(demo.users.adele.upn);
  await panel.getByLabel("A mailbox outside the scope").fill(demo.users.admin.upn);
  await panel.getByLabel(/Also convert an existing application access policy/).check();
  await panel.getByRole("button", { name: "Generate the script" }).click();

  const script = panel.getByLabel("Exchange Online PowerShell");
  await expect(script).toContainText(`$ServicePrincipalObjectId = '${objectId}'`);
  await expect(script).toContainText("New-ServicePrincipal -AppId $AppId -ObjectId $ServicePrincipalObjectId -DisplayName $DisplayName");
  await expect(script).toContainText("$ScopeIdentity = 'Calendar sync O''Brien'");
  await expect(script).toContainText("-Role $Role -CustomResourceScope $ScopeName");
  await expect(script).toContainText("Remove-MgServicePrincipalAppRoleAssignment");
  await expect(script).toContainText("Remove-ApplicationAccessPolicy");
  await expect(script).toContainText(`$InScopeMailbox = '${demo.users.adele.upn}'`);
  clientId = (await script.textContent())?.match(/\$AppId = '([0-9a-f-]{36})'/)?.[1] ?? "";
  expect(clientId).toMatch(guid);
  expect(clientId).not.toBe(objectId);
  await expect(panel.getByText("Exchange applies scope changes within 2 hours").last()).toBeVisible();
  await expect(panel.getByRole("button", { name: "Copy the script" })).toBeVisible();
  await shot("scope-assistant-script");

  // The typed values stay after generating, so changing one choice is enough for the next script.
  await expect(panel.getByLabel("A mailbox inside the scope")).toHaveValue(demo.users.adele.upn);
  await panel.getByLabel("Members of an administrative unit").check();
  await panel.getByLabel("Group or administrative unit").fill("West Coast");
  await panel.getByRole("button", { name: "Generate the script" }).click();
  await expect(script).toContainText("-RecipientAdministrativeUnitScope $ScopeIdentity");
  await expectAccessible(page);
});

test("an Object ID that is really the client ID, or not a GUID, is refused with its message", async ({ page }) => {
  const panel = await settingsTab(page);
  await panel.getByLabel("Group or administrative unit").fill("Calendar sync");
  await panel.getByLabel("A mailbox inside the scope").fill(demo.users.adele.upn);
  await panel.getByLabel("A mailbox outside the scope").fill(demo.users.admin.upn);

  await panel.getByLabel("Enterprise application Object ID").fill("not-an-object-id");
  await panel.getByRole("button", { name: "Generate the script" }).click();
  await expect(panel.getByText("Check the highlighted fields.")).toBeVisible();
  await expect(panel.getByText(/The enterprise application's Object ID is a GUID/)).toBeVisible();
  await expect(panel.getByLabel("Exchange Online PowerShell")).toHaveCount(0);
  await expect(panel.getByLabel("Enterprise application Object ID")).toHaveAttribute("aria-invalid", "true");

  await panel.getByLabel("Enterprise application Object ID").fill(clientId);
  await panel.getByRole("button", { name: "Generate the script" }).click();
  await expect(panel.getByText(/That is the Application \(client\) ID/)).toBeVisible();
  await expect(panel.getByLabel("Exchange Online PowerShell")).toHaveCount(0);
});

test("the admin's \"I ran it\" records the scope change on the connection, so its probes wait for Exchange", async ({ page }) => {
  const panel = await settingsTab(page);
  await panel.getByLabel("Group or administrative unit").fill("Calendar sync");
  await panel.getByLabel("A mailbox inside the scope").fill(demo.users.adele.upn);
  await panel.getByLabel("A mailbox outside the scope").fill(demo.users.admin.upn);
  await panel.getByRole("button", { name: "Generate the script" }).click();
  await expect(panel.getByLabel("Exchange Online PowerShell")).toBeVisible();

  const record = panel.getByRole("region", { name: "Record the scope change" });
  await record.getByLabel("I ran the whole script").check();
  await record.getByRole("button", { name: "Record the scope change" }).click();
  await expect(record.getByRole("status")).toContainText(/Scope change recorded at .* UTC\. .*Calsync checks again at/);
  await expectAccessible(page);

  await page.goto(connectionUrl);
  await expect(page.getByTestId("scope-proof")).toContainText("Scoped by Exchange RBAC for Applications");
  await expect(page.getByTestId("scope-proof")).toContainText("scope changed");
  await page.goto("/audit");
  await expect(page.getByText(/ran the scope assistant's RBAC for Applications script/).first()).toBeVisible();
});

test("the wizard's mailbox-scope step: an entered Object ID, told apart from the app registration's", async ({ page }) => {
  const clientId = randomUUID();
  const applicationObjectId = randomUUID();
  const servicePrincipalId = randomUUID();
  await startOrganisationWizard(page);
  await page.goto("/connections/new/copy-ids");
  await fillIds(page, { name: "Scoped calendars", tenant: demo.contoso.domain, clientId });
  await page.getByLabel(/Object ID \(optional/).fill(applicationObjectId);
  await completeStep(page, "client-secret");
  await page.goto("/connections/new/mailbox-scope");

  const panel = page.getByRole("region", { name: /Scope assistant/ });
  await expect(panel.getByRole("note", { name: "The union trap" })).toBeVisible();
  await expect(panel.getByLabel("Enterprise application Object ID")).toHaveValue("");
  await panel.getByLabel("Members of an administrative unit").check();
  await panel.getByLabel("Group or administrative unit").fill("West Coast");
  await panel.getByLabel("A mailbox inside the scope").fill(demo.users.adele.upn);
  await panel.getByLabel("A mailbox outside the scope").fill(demo.users.admin.upn);

  await panel.getByLabel("Enterprise application Object ID").fill(applicationObjectId);
  await panel.getByRole("button", { name: "Generate the script" }).click();
  await expect(panel.getByText(/That is the app registration's Object ID/)).toBeVisible();
  await expect(panel.getByLabel("Exchange Online PowerShell")).toHaveCount(0);

  await panel.getByLabel("Enterprise application Object ID").fill(servicePrincipalId.toUpperCase());
  await panel.getByRole("button", { name: "Generate the script" }).click();
  const script = panel.getByLabel("Exchange Online PowerShell");
  await expect(script).toContainText(`$AppId = '${clientId}'`);
  await expect(script).toContainText(`$ServicePrincipalObjectId = '${servicePrincipalId}'`);
  await expect(script).toContainText("-RecipientAdministrativeUnitScope $ScopeIdentity");
  await expect(script).toContainText("$DisplayName = 'Scoped calendars'");

  // Recorded on the draft: the step now says RBAC for Applications, and the saved connection inherits the time.
  const record = panel.getByRole("region", { name: "Record the scope change" });
  await record.getByRole("button", { name: "Record the scope change" }).click();
  await expect(record.getByRole("status")).toContainText("Scope change recorded at");
  await page.reload();
  await expect(page.getByLabel("Scoped by Exchange RBAC for Applications")).toBeChecked();

  await expectAccessible(page);
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
});
