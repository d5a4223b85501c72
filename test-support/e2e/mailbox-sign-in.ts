import type { Page } from "@playwright/test";
import { demo } from "../../simulator/demo-ids";
import { setupApp } from "../provisioning-scenario";
import { expect, rememberSecret } from "./fixtures";

/** Saves the mailbox sign-in app on its settings page (the admin is on it): one organisation, client secret. */
export async function saveMailboxSignInApp(page: Page, app: { clientId: string; secret: string }): Promise<void> {
  await page.getByLabel("Microsoft cloud").selectOption("custom");
  await page.getByLabel("Application (client) ID").fill(app.clientId);
  await page.getByLabel("Directory (tenant) ID of the app registration").fill(demo.contoso.domain);
  await page.getByLabel("Only accounts in the app's own organisation").check();
  await page.getByLabel("Client secret", { exact: true }).check();
  rememberSecret(app.secret);
  await page.getByLabel("Client secret Value").fill(app.secret);
  await page.getByRole("button", { name: "Verify and save" }).click();
  await expect(page.getByRole("status").getByText("Saved and verified with Microsoft")).toBeVisible();
}

/**
 * Saves the setup app on its settings page, unless it is saved already: in a full run the
 * provision-sign-in spec has saved it before the consent project starts.
 */
export async function ensureSetupApp(page: Page): Promise<void> {
  await page.goto("/settings/setup-app");
  if ((await page.getByRole("heading", { name: "Current settings" }).count()) > 0) return;
  await page.getByLabel("Microsoft cloud").selectOption("custom");
  await page.getByLabel("Application (client) ID").fill(setupApp.clientId);
  await page.getByLabel("Directory (tenant) ID of the app registration").fill(demo.contoso.domain);
  await page.getByLabel("Client secret", { exact: true }).check();
  rememberSecret(setupApp.secret);
  await page.getByLabel("Client secret Value").fill(setupApp.secret);
  await page.getByRole("button", { name: "Verify and save" }).click();
  await expect(page.getByRole("status").getByText("Saved and verified with Microsoft")).toBeVisible();
}
