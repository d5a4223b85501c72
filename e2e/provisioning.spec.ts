import type { Page } from "@playwright/test";
import { demo } from "../simulator/demo-ids";
import { storageStatePath } from "../test-support/e2e/server";
import { changeSimulatedTenant, changeSimulatedUser, expect, rememberSecret, setSimulatorFaults, simulatedAdminToken, simulatedAppsNamed, test } from "../test-support/e2e/fixtures";
import { CLI_SCOPES, SETUP_APP_SCOPES } from "../test-support/provisioning-scenario";

/**
 * "Set it up for me" in Chromium against the simulator: the administrator pastes a Graph token and
 * the console registers, grants, verifies and saves, or stops and says why.
 */

test.describe.configure({ mode: "serial" });
test.use({ storageState: storageStatePath("admin") });

const applicationAdministrator = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3";

async function token(user: string, scopes: readonly string[]): Promise<string> {
  const value = await simulatedAdminToken(user, scopes);
  // The secrets spec searches every page, the server log and the audit log for it.
  rememberSecret(value);
  return value;
}

/** From "New connection" to the start of the run: counts its clicks. */
async function start(page: Page, name: string, setupToken: string): Promise<number> {
  await page.goto("/connections/new");
  await page.getByRole("link", { name: "Set it up for me" }).click();
  await page.getByLabel("Name of the app in Microsoft Entra").fill(name);
  await page.getByLabel("The token the command printed").fill(setupToken);
  await page.getByRole("button", { name: "Check and set it up" }).click();
  await expect(page).toHaveURL(/\/connections\/new\/automatic\/[0-9a-f-]{36}$/);
  return 2;
}

function item(page: Page, id: string) {
  return page.locator(`[data-item-id="${id}"]`);
}

test("a Global Administrator: from New connection to a verified, saved connection in four clicks", async ({ page, shot }) => {
  let clicks = await start(page, "Calsync e2e", await token(demo.users.admin.id, CLI_SCOPES));
  // One assertion for the item's text and state: the checklist gives way to the result as soon as the run ends.
  await expect(page.locator('[data-item-id="policy"][data-status="unknown"]')).toContainText("this token cannot read tenant policies");
  await expect(page.getByRole("link", { name: "Open the connection" })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText(/App registration “Calsync e2e”, application \(client\) ID/)).toBeVisible();
  await shot("provisioning-done");
  await page.getByRole("link", { name: "Open the connection" }).click();
  clicks += 1;
  await expect(page.getByRole("heading", { name: "Calsync e2e" })).toBeVisible();
  expect(clicks).toBeLessThanOrEqual(4);
});

test("Undo deletes the app, permanently when asked, after a confirmation", async ({ page }) => {
  await start(page, "Calsync undo", await token(demo.users.admin.id, SETUP_APP_SCOPES));
  await expect(page.getByRole("link", { name: "Open the connection" })).toBeVisible({ timeout: 30_000 });
  await page.getByText("Undo: delete the app from the tenant").click();
  await page.getByLabel("A fresh token from the same command").fill(await token(demo.users.admin.id, SETUP_APP_SCOPES));
  await page.getByLabel("Delete it permanently (not restorable)").check();
  await page.getByRole("button", { name: "Delete the app" }).click();
  await expect(page.getByText("Tick the box to confirm")).toBeVisible();
  await page.getByLabel("A fresh token from the same command").fill(await token(demo.users.admin.id, SETUP_APP_SCOPES));
  await page.getByLabel("Delete it permanently (not restorable)").check();
  await page.getByLabel(/Yes, delete “Calsync undo”/).check();
  await page.getByRole("button", { name: "Delete the app" }).click();
  await expect(page.getByTestId("provisioning-message")).toHaveText("The app was deleted permanently.");
  expect(await simulatedAppsNamed("Calsync undo")).toEqual([]);
});

test("an Application Administrator: the app is created and the consent handed off, then granted by a Global Administrator through the link", async ({ page, browser, shot }) => {
  await changeSimulatedUser(demo.users.adele.upn, { directoryRoles: [applicationAdministrator] });
  try {
    await start(page, "Calsync handoff", await token(demo.users.adele.id, SETUP_APP_SCOPES));
    await expect(item(page, "grant")).toHaveAttribute("data-status", "handoff", { timeout: 30_000 });
    await page.reload();
    const handOff = page.getByLabel("Message for a Privileged Role Administrator or Global Administrator");
    await expect(handOff).toContainText("/adminconsent?client_id=");
    await shot("provisioning-handoff");
    const url = (await handOff.textContent())?.match(/https?:\/\/\S+\/adminconsent\?\S+/)?.[0];
    expect(url).toBeTruthy();
    // The Global Administrator opens the link in their own browser, with no console session.
    const admin = await browser.newContext({ ignoreHTTPSErrors: true });
    const adminPage = await admin.newPage();
    await adminPage.goto(url!);
    await adminPage.getByLabel("Email, phone, or Skype").fill(demo.users.admin.upn);
    await adminPage.getByLabel("Password").fill(demo.password);
    await adminPage.getByRole("button", { name: "Accept" }).click();
    await expect(adminPage).toHaveURL(/\/admin-consent\/callback\/approved/);
    await admin.close();
    await page.getByRole("button", { name: "Check again (after the consent was granted)" }).click();
    await expect(page.getByRole("link", { name: "Open the connection" })).toBeVisible({ timeout: 30_000 });
    expect((await simulatedAppsNamed("Calsync handoff"))[0]?.grantedRoles.sort()).toEqual(["Calendars.ReadWrite", "User.Read.All"]);
  } finally {
    await changeSimulatedUser(demo.users.adele.upn, { directoryRoles: [] });
  }
});

test("a user with no admin role is stopped before any write, with the explanation", async ({ page }) => {
  await changeSimulatedTenant({ usersCanRegisterApps: false });
  try {
    await start(page, "Calsync nobody", await token(demo.users.megan.id, SETUP_APP_SCOPES));
    await expect(page.getByTestId("provisioning-message")).toContainText("does not let users register apps", { timeout: 30_000 });
    expect(await simulatedAppsNamed("Calsync nobody")).toEqual([]);
  } finally {
    await changeSimulatedTenant({ usersCanRegisterApps: true });
  }
});

test("a 3-second replication delay shows as a wait, then a success", async ({ page, shot }) => {
  await setSimulatorFaults([{ kind: "replication", path: "/v1.0/servicePrincipals", method: "POST", seconds: 3 }]);
  try {
    await start(page, "Calsync replication", await token(demo.users.admin.id, SETUP_APP_SCOPES));
    await expect(item(page, "create-service-principal")).toContainText(/Waiting for Microsoft Entra to replicate \(attempt \d+, next try in \d+ s\)/, { timeout: 30_000 });
    await shot("provisioning-waiting");
    await expect(page.getByRole("link", { name: "Open the connection" })).toBeVisible({ timeout: 30_000 });
  } finally {
    await setSimulatorFaults([]);
  }
});

test("a policy that forbids secrets: explained, and the console generates a certificate, uploads it and saves a certificate connection", async ({ page }) => {
  await changeSimulatedTenant({ appManagementPolicy: { passwordCredentialsAllowed: false, id: "538f1913-366a-440a-95a0-e195cb55b282" } });
  // A slow first sign-in of the new app keeps the checklist up after the upload: once the run ends it gives way to the result.
  await setSimulatorFaults([{ kind: "latency", path: "*/oauth2/v2.0/token", method: "POST", ms: 2_000 }]);
  try {
    await start(page, "Calsync policy", await token(demo.users.admin.id, SETUP_APP_SCOPES));
    await expect(item(page, "policy")).toContainText("does not allow client secrets, so the console will generate a certificate", { timeout: 30_000 });
    await expect(item(page, "credential")).toContainText("Certificate (SHA-256 thumbprint", { timeout: 30_000 });
    await expect(page.getByRole("link", { name: "Open the connection" })).toBeVisible({ timeout: 30_000 });
    await expect(page.getByText(/^Certificate, key ID [0-9a-f-]{36}/)).toBeVisible();
    expect(await simulatedAppsNamed("Calsync policy")).toEqual([expect.objectContaining({ deleted: false })]);
  } finally {
    await setSimulatorFaults([]);
    await changeSimulatedTenant({ appManagementPolicy: { passwordCredentialsAllowed: true, id: "00000000-0000-0000-0000-000000000000" } });
  }
});
