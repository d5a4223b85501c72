import AxeBuilder from "@axe-core/playwright";
import type { Locator, Page } from "@playwright/test";
import { expect } from "./fixtures";

/**
 * Fails on any serious or critical accessibility violation on the current page. `soft` records the
 * failure and carries on, so a tour of many pages reports every page at once.
 */
export async function expectAccessible(page: Page, options: { soft?: boolean; label?: string } = {}): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const blocking = results.violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
  const found = blocking.map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(" ")).join(", ")})`);
  (options.soft ? expect.soft(found, options.label) : expect(found, options.label)).toEqual([]);
}

export async function startOrganisationWizard(page: Page): Promise<void> {
  await page.goto("/connections/new");
  const discard = page.getByRole("button", { name: "Discard it and start over" });
  if (await discard.count()) await discard.click();
  await page.getByLabel(/Custom endpoints/).check();
  await page.getByLabel(/The whole organisation \(recommended\)/).check();
  await page.getByRole("button", { name: /^Start/ }).click();
  await expect(page).toHaveURL(/\/connections\/new\/register-app$/);
}

/** Ticks "done" (where the step has it) and continues to the next step. */
export async function completeStep(page: Page, next: string): Promise<void> {
  const done = page.getByLabel("I have done this step");
  if (await done.count()) await done.check();
  await page.getByRole("button", { name: "Save and continue" }).click();
  await expect(page).toHaveURL(new RegExp(`/connections/new/${next}(\\?|$)`));
}

/**
 * The app's values through the manual steps in the portal's order (IDs, then the secret), leaving the
 * draft at the permissions step; tests that need other steps open them directly.
 */
export async function enterAppValues(page: Page, values: { name: string; tenant: string; clientId: string; secret: string; expires?: string }): Promise<void> {
  await page.goto("/connections/new/copy-ids");
  await fillIds(page, values);
  await completeStep(page, "client-secret");
  await page.getByLabel("Client secret Value").fill(values.secret);
  await page.getByLabel("Secret expiry date").fill(values.expires ?? "2027-06-30");
  await completeStep(page, "api-permissions");
}

/** Text in the shape the setup scripts print at the end, as an admin would paste it. */
export function scriptOutput(values: { tenant: string; clientId: string; secret: string; expires: string }): string {
  return [
    "Granted Calendars.ReadWrite (Read and write calendars in all mailboxes).",
    "Done. Paste these four lines into Calsync:",
    `  Directory (tenant) ID:    ${values.tenant}`,
    `  Application (client) ID:  ${values.clientId}`,
    `  Client secret (Value):    ${values.secret}`,
    `  Client secret expires:    ${values.expires}T10:00:00+00:00`,
  ].join("\n");
}

export async function fillIds(page: Page, values: { name: string; tenant: string; clientId: string }): Promise<void> {
  await page.getByLabel("Connection name").fill(values.name);
  await page.getByLabel("Directory (tenant) ID").fill(values.tenant);
  await page.getByLabel("Application (client) ID").fill(values.clientId);
}

/** Runs the checks from the verify step and waits for the streamed summary. */
export async function verify(page: Page): Promise<Locator> {
  await page.getByRole("button", { name: "Verify with Microsoft" }).click();
  const summary = page.getByRole("status").filter({ hasText: /checks? (passed|failed)|failed\.|warning/ });
  await expect(summary).toBeVisible();
  return summary;
}

/** Moves keyboard focus with Tab until `target` has it: proof that it is reachable without a mouse. */
export async function tabTo(page: Page, target: Locator, limit = 120): Promise<void> {
  for (let presses = 0; presses < limit; presses += 1) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`Could not reach ${target} with the Tab key`);
}
