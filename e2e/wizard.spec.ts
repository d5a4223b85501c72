import { demo } from "../simulator/demo-ids";
import { ROTATED_SECRET, storageStatePath } from "../test-support/e2e/server";
import type { Locator } from "@playwright/test";
import { expect, rememberSecret, test } from "../test-support/e2e/fixtures";
import { completeStep, enterAppValues, expectAccessible, fillIds, openConnectionTab, scriptOutput, startOrganisationWizard, tabTo, verify } from "../test-support/e2e/wizard";

/**
 * The organisation wizard in Chromium against the Entra ID + Graph simulator, as a new admin would
 * walk it: every step, the failures the guides never mention, and connection management afterwards.
 */

test.describe.configure({ mode: "serial" });
test.use({ storageState: storageStatePath("admin") });

const tenant = demo.contoso.domain;
const healthy = demo.apps.healthy;

for (const app of Object.values(demo.apps)) rememberSecret(app.secret);
rememberSecret(ROTATED_SECRET);

test("a new admin walks the whole wizard, in the portal's order, to a saved, verified connection", async ({ page, shot }) => {
  await startOrganisationWizard(page);
  const stepper = page.getByRole("navigation", { name: "Wizard steps" });
  const at = async (index: number, step: string) => {
    await expect(stepper.locator('[aria-current="step"]')).toHaveAttribute("href", `/connections/new/${step}`);
    await expect(page.getByText(`Step ${index} of 7`)).toBeVisible();
    await expectAccessible(page);
    await shot(`wizard-${String(index).padStart(2, "0")}-${step}`);
  };

  // 1. Name, account types and the redirect URI of the organisation path are one form in the portal.
  await at(1, "register-app");
  await expect(page.getByRole("heading", { name: "Register the app" })).toBeVisible();
  await expect(page.getByText(/Under Redirect URI, choose the platform "Web" and enter exactly: http.*\/connections\/new\/admin-consent\/callback /)).toBeVisible();
  await expect(page.getByText("/connect/callback")).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Use the script path instead" })).toHaveAttribute("href", "/connections/new/script");
  await expect(page.getByLabel("I have done this step")).toHaveCount(0);
  await completeStep(page, "copy-ids");

  // 2. The IDs from the Overview page that opens after Register.
  await at(2, "copy-ids");
  await fillIds(page, { name: "Contoso calendars", tenant: `${tenant} `, clientId: healthy.clientId });
  await completeStep(page, "client-secret");

  // 3. Client secret: the Secret ID and an expired date are both named as such, and nothing is saved.
  await at(3, "client-secret");
  await page.getByLabel("Client secret Value").fill(healthy.clientId.replace(/1/g, "2"));
  await expect(page.getByText(/Secret ID/).first()).toBeVisible();
  await page.getByLabel("Secret expiry date").fill("2020-01-31");
  await page.getByRole("button", { name: "Save and continue" }).click();
  await expect(page.getByText("This secret expired on 2020-01-31")).toBeVisible();
  await expect(page.getByText(/Secret ID/).first()).toBeVisible();
  await shot("wizard-03-client-secret-mistakes");
  await page.getByLabel("Client secret Value").fill(`  ${healthy.secret}\n`);
  await page.getByLabel("Secret expiry date").fill("2027-06-30");
  await completeStep(page, "api-permissions");

  // 4. Done in the portal only: continuing without the tick says why instead of doing nothing.
  await at(4, "api-permissions");
  await page.getByRole("button", { name: "Save and continue" }).click();
  await expect(page.getByText("Tick “I have done this step” once it is done in the portal, then continue.")).toBeVisible();
  await expect(page).toHaveURL(/\/api-permissions$/);
  await completeStep(page, "admin-consent");

  // 5. Consent: who can grant it, and the hand-off for someone who cannot.
  await at(5, "admin-consent");
  await expect(page.getByText(/Only a Privileged Role Administrator or Global Administrator can grant this/)).toBeVisible();
  await expect(page.getByLabel("Not an administrator who can consent? Send this message")).toContainText(`/adminconsent?client_id=${healthy.clientId}`);
  await completeStep(page, "mailbox-scope");

  await at(6, "mailbox-scope");
  await page.getByLabel("Test mailbox").fill(demo.users.adele.upn);
  await page.getByLabel("A mailbox that should be out of scope (optional)").fill("");
  await completeStep(page, "verify");

  await at(7, "verify");
  await expect(page.getByText(`ends in …${healthy.secret.slice(-4)}, expires on 2027-06-30`)).toBeVisible();
  // The write-test box keeps its tick once saved.
  await page.getByLabel(/Also test writing/).check();
  await page.getByRole("button", { name: "Save options" }).click();
  await expect(page.getByText("Saved. The next verification also creates and deletes a test event.")).toBeVisible();
  await expect(page.getByLabel(/Also test writing/)).toBeChecked();
  await page.reload();
  await expect(page.getByLabel(/Also test writing/)).toBeChecked();
  await expect(page.getByText("Save becomes available")).toBeVisible();
  const summary = await verify(page);
  await expect(summary).toHaveText(/All checks passed/);
  for (const id of ["format", "tenant", "token", "permissions", "directory", "calendar", "calendar-write"]) {
    await expect(page.locator(`[data-check-id="${id}"]`)).toHaveAttribute("data-status", "pass");
  }
  await shot("wizard-07-verified");
  await page.getByRole("button", { name: "Save the connection" }).dblclick();
  await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}\?saved=1$/);
  await expect(page.getByText(`ends in …${healthy.secret.slice(-4)}`)).toBeVisible();
  await expect(page.getByText("Healthy", { exact: true })).toBeVisible();
  await expectAccessible(page);
  await shot("wizard-08-saved");

  await page.goto("/connections");
  await expect(page.getByRole("link", { name: "Contoso calendars" })).toHaveCount(1);
});

test("links to steps merged into “Register the app” land there", async ({ page }) => {
  await startOrganisationWizard(page);
  for (const old of ["account-types", "redirect-uri"]) {
    await page.goto(`/connections/new/${old}`);
    await expect(page).toHaveURL(/\/connections\/new\/register-app$/);
  }
});

test("the same tenant and client ID cannot be connected twice", async ({ page }) => {
  await startOrganisationWizard(page);
  await page.goto("/connections/new/copy-ids");
  await fillIds(page, { name: "Again", tenant: demo.contoso.id, clientId: healthy.clientId });
  await page.getByRole("button", { name: "Save and continue" }).click();
  await expect(page.getByText("This app is already connected as “Contoso calendars”").first()).toBeVisible();
});

test("a draft resumes at the last saved step after a reload and in another browser", async ({ page, browser, shot }) => {
  await startOrganisationWizard(page);
  await enterAppValues(page, { name: "Resumed", tenant, clientId: demo.apps.calendarsOnly.clientId, secret: "wrong~secret~value~for~resume~test~000" });
  await page.reload();
  await expect(page.getByRole("heading", { name: "Add the API permissions" })).toBeVisible();

  const other = await browser.newContext({ storageState: storageStatePath("admin") });
  const otherPage = await other.newPage();
  await otherPage.goto("/connections/new");
  await expect(otherPage.getByText(/at the step “Add the API permissions”/)).toBeVisible();
  await otherPage.screenshot({ path: "test-results/screenshots/wizard-resume.png", fullPage: true });
  await otherPage.getByRole("link", { name: "Resume the setup" }).click();
  await expect(otherPage).toHaveURL(/\/connections\/new\/api-permissions$/);
  await otherPage.goto("/connections/new/copy-ids");
  await expect(otherPage.getByLabel("Connection name")).toHaveValue("Resumed");
  // Only saving a step moves the resume point; looking at another step writes nothing.
  await otherPage.goto("/connections/new");
  await expect(otherPage.getByText(/at the step “Add the API permissions”/)).toBeVisible();
  await other.close();
  await shot("wizard-resume-same-browser");
});

test("a wrong secret fails the token check and leads back to the secret step", async ({ page, shot }) => {
  await startOrganisationWizard(page);
  await enterAppValues(page, { name: "Wrong secret", tenant, clientId: healthy.clientId, secret: "wrong~secret~value~0000000000000000001" });
  await page.goto("/connections/new/verify");
  await expect(await verify(page)).toHaveText(/1 check failed/);
  const token = page.locator('[data-check-id="token"]');
  await expect(token).toHaveAttribute("data-status", "fail");
  await expect(token).toContainText("AADSTS7000215");
  await expect(token).toContainText("Microsoft said:");
  await expect(page.getByText("Save becomes available").or(page.getByText("Fix the failed checks"))).toBeVisible();
  await shot("wizard-wrong-secret");
  await token.getByRole("link", { name: "Go to the step that fixes this" }).click();
  await expect(page).toHaveURL(/\/connections\/new\/client-secret\?highlight=clientSecret$/);
  await expect(page.getByLabel("Client secret Value")).toBeFocused();
});

test("an expired secret is named as such, and its fix starts at the new secret's value", async ({ page }) => {
  await startOrganisationWizard(page);
  await enterAppValues(page, { name: "Expired", tenant, clientId: demo.apps.expiredSecret.clientId, secret: demo.apps.expiredSecret.secret });
  await page.goto("/connections/new/verify");
  await verify(page);
  const token = page.locator('[data-check-id="token"]');
  await expect(token).toHaveAttribute("data-status", "fail");
  await expect(token).toContainText("AADSTS7000222");
  await expect(token).toContainText(/expired/i);
  await expect(token).toContainText("the app's owner, or an Application Administrator or Cloud Application Administrator");
  await token.getByRole("link", { name: "Go to the step that fixes this" }).click();
  await expect(page).toHaveURL(/\/connections\/new\/client-secret\?highlight=clientSecret$/);
  await expect(page.getByLabel("Client secret Value")).toBeFocused();
});

test("missing consent is one failure with a hand-off, and the console's consent link grants it and completes the step", async ({ page, shot }) => {
  await startOrganisationWizard(page);
  await enterAppValues(page, { name: "Consent later", tenant, clientId: demo.apps.noConsent.clientId, secret: demo.apps.noConsent.secret });
  await page.goto("/connections/new/verify");
  await expect(await verify(page)).toHaveText(/^1 check failed/);
  const permissions = page.locator('[data-check-id="permissions"]');
  await expect(permissions).toHaveAttribute("data-status", "fail");
  await expect(permissions).toContainText(/consent/i);
  await expect(permissions).toContainText("a Privileged Role Administrator or Global Administrator");
  for (const id of ["directory", "calendar"]) {
    await expect(page.locator(`[data-check-id="${id}"]`)).toHaveAttribute("data-status", "skip");
    await expect(page.locator(`[data-check-id="${id}"]`)).toContainText("Blocked by: admin consent");
  }
  const handOff = page.getByLabel("Message for the administrator who grants consent");
  await expect(handOff).toContainText(`/adminconsent?client_id=${demo.apps.noConsent.clientId}`);
  await expect(handOff).toContainText("a Privileged Role Administrator or Global Administrator");
  await expect(page.getByRole("button", { name: "Copy the approval link" })).toBeVisible();
  await expectAccessible(page);
  await shot("wizard-consent-missing");
  await permissions.getByRole("link", { name: "Go to the step that fixes this" }).click();
  await expect(page).toHaveURL(/\/connections\/new\/admin-consent$/);
  await expect(page.getByLabel("Not an administrator who can consent? Send this message")).toBeVisible();

  await page.getByRole("button", { name: "Open Microsoft's admin consent page" }).click();
  await page.getByLabel("Email, phone, or Skype").fill(demo.users.admin.upn);
  await page.getByLabel("Password").fill(demo.password);
  await page.getByRole("button", { name: "Accept" }).click();
  await expect(page).toHaveURL(/\/connections\/new\/admin-consent$/);
  // Named as Microsoft names the tenant once any connection has learned it, with the domain the admin typed.
  await expect(page.getByText(new RegExp(`Admin consent was granted for (.+ \\()?${tenant.replace(/\./g, "\\.")}`))).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Wizard steps" }).getByRole("link", { name: /Grant admin consent.*\(done\)/ })).toBeVisible();
  await expect(page.getByLabel("I have done this step")).toBeChecked();
  await shot("wizard-consent-granted");

  await page.goto("/connections/new/verify");
  await expect(await verify(page)).toHaveText(/All checks passed/);
});

test("a replayed consent callback is refused", async ({ page }) => {
  await page.goto("/connections/new/admin-consent/callback?admin_consent=True&tenant=x&state=forged-state-value-0000");
  await expect(page).toHaveURL(/consent=bad-state/);
  await expect(page.getByRole("alert").filter({ hasText: "did not belong to this setup" })).toBeVisible();
});

test("secret rotation replaces the secret only after the new one verifies", async ({ page, shot }) => {
  await page.goto("/connections");
  await page.getByRole("link", { name: "Contoso calendars" }).click();
  await expect(page.getByText(`ends in …${healthy.secret.slice(-4)}`)).toBeVisible();

  await openConnectionTab(page, "Settings");
  const rotate = page.getByRole("heading", { name: "Rotate the client secret" }).locator("..");
  await rotate.getByLabel("New client secret Value").fill(ROTATED_SECRET);
  await rotate.getByLabel("New secret's expiry date").fill("2027-12-31");
  await rotate.getByRole("button", { name: "Verify and replace the secret" }).click();
  await expect(rotate.getByText("The new secret verified and replaced the old one.")).toBeVisible();
  await page.reload();
  await expect(page.getByText(`ends in …${ROTATED_SECRET.slice(-4)}`)).toBeVisible();

  await rotate.getByLabel("New client secret Value").fill("not~the~right~secret~value~000000000");
  await rotate.getByLabel("New secret's expiry date").fill("2028-01-31");
  await rotate.getByRole("button", { name: "Verify and replace the secret" }).click();
  await expect(rotate.getByText(/Not saved: the verification failed/)).toBeVisible();
  await shot("connection-rotation-refused");
  await page.reload();
  await expect(page.getByText(`ends in …${ROTATED_SECRET.slice(-4)}`)).toBeVisible();
  await openConnectionTab(page, "Checks");
  await page.getByRole("button", { name: "Run checks now" }).click();
  await expect(page.getByRole("status").filter({ hasText: "All checks passed" })).toBeVisible();
});

test("editing settings re-verifies them, and a failing change is refused", async ({ page }) => {
  await page.goto("/connections");
  await page.getByRole("link", { name: "Contoso calendars" }).click();
  await openConnectionTab(page, "Settings");
  const edit = page.getByRole("heading", { name: "Edit settings" }).locator("..");
  await edit.getByLabel("Test mailbox").fill(demo.users.noMailbox.upn);
  await edit.getByRole("button", { name: "Verify and save" }).click();
  await expect(edit.getByText(/Not saved: the verification failed/)).toBeVisible();
  await page.reload();
  await expect(edit.getByLabel("Test mailbox")).toHaveValue(demo.users.adele.upn);
  await edit.getByLabel("Test mailbox").fill(demo.users.megan.upn);
  await edit.getByRole("button", { name: "Verify and save" }).click();
  await expect(edit.getByText("Saved and verified.")).toBeVisible();
  await page.reload();
  await openConnectionTab(page, "Overview");
  await expect(page.getByRole("definition").filter({ hasText: demo.users.megan.upn })).toBeVisible();
});

test("deleting a connection needs its name", async ({ page, shot }) => {
  await page.goto("/connections");
  await page.getByRole("link", { name: "Contoso calendars" }).click();
  await openConnectionTab(page, "Settings");
  await page.getByRole("button", { name: "Delete this connection" }).click();
  const remove = page.getByRole("dialog", { name: "Delete “Contoso calendars”?" });
  await remove.getByLabel("Type “Contoso calendars” to confirm").fill("Contoso");
  await remove.getByRole("button", { name: "Delete “Contoso calendars”" }).click();
  await expect(remove.getByText("Type the connection's name").first()).toBeVisible();
  await remove.getByLabel("Type “Contoso calendars” to confirm").fill("Contoso calendars");
  await shot("connection-delete");
  await remove.getByRole("button", { name: "Delete “Contoso calendars”" }).click();
  await expect(page).toHaveURL(/\/connections\?deleted=/);
  await expect(page.getByText("Deleted “Contoso calendars”.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Contoso calendars" })).toHaveCount(0);
});

test("the script path: from “New connection” to a saved, verified connection in at most 6 clicks", async ({ page, shot }) => {
  await page.goto("/connections/new");
  const discard = page.getByRole("button", { name: "Discard it and start over" });
  if (await discard.count()) await discard.click();
  // Every click and Enter from here on is counted; typing and pasting are not clicks.
  let clicks = 0;
  const click = async (target: Locator) => {
    clicks += 1;
    await target.click();
  };
  await page.goto("/connections");
  await click(page.locator("#main").getByRole("link", { name: "New connection" }));
  await expect(page.getByLabel(/Custom endpoints/)).toBeChecked();
  await click(page.getByLabel(/with a setup script/));
  await click(page.getByRole("button", { name: /^Start/ }));
  await expect(page).toHaveURL(/\/connections\/new\/script$/);
  await expect(page.getByRole("tab", { name: "Certificate (recommended)" })).toHaveAttribute("aria-selected", "true");
  await click(page.getByRole("tab", { name: "Client secret" }));
  await expectAccessible(page);
  await expect(page.getByLabel("register-calsync-app.sh")).toContainText("--web-redirect-uris");

  // The simulator's demo app stands in for the app the admin's script run registered.
  await page.getByLabel("The script's output").fill(scriptOutput({ tenant: demo.contoso.id, clientId: healthy.clientId, secret: healthy.secret, expires: "2027-11-30" }));
  await expect(page.getByLabel("Application (client) ID")).toHaveValue(healthy.clientId);
  await expect(page.getByLabel("Client secret expires")).toHaveValue("2027-11-30");
  await page.getByLabel("Connection name").fill("Scripted calendars");
  await shot("wizard-script-pasted");
  await click(page.getByRole("button", { name: "Verify with Microsoft" }));
  await expect(page.getByRole("status").filter({ hasText: /All checks passed/ })).toBeVisible();
  await shot("wizard-script-verified");
  await click(page.getByRole("button", { name: "Save the connection" }));
  await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}\?saved=1$/);
  await expect(page.getByRole("heading", { name: "Scripted calendars" })).toBeVisible();
  await expect(page.getByText("Healthy", { exact: true })).toBeVisible();
  expect(clicks).toBeLessThanOrEqual(6);
});

test("a pasted text without the script's lines is named as such, and nothing is saved", async ({ page }) => {
  await page.goto("/connections/new");
  await page.getByLabel(/with a setup script/).check();
  await page.getByRole("button", { name: /^Start/ }).click();
  await page.getByRole("tab", { name: "Client secret" }).click();
  await page.getByLabel("The script's output").fill("az: command not found");
  await page.getByRole("button", { name: "Verify with Microsoft" }).click();
  await expect(page.getByText("The pasted text has none of the lines the script prints")).toBeVisible();
  await expect(page.getByRole("button", { name: "Save the connection" })).toHaveCount(0);
});

test("the whole wizard can be completed with the keyboard alone", async ({ page }) => {
  await page.goto("/connections/new");
  const discard = page.getByRole("button", { name: "Discard it and start over" });
  if (await discard.count()) {
    await tabTo(page, discard);
    await page.keyboard.press("Enter");
    await expect(discard).toHaveCount(0);
  }
  const custom = page.getByLabel(/Custom endpoints/);
  // Tab enters a radio group at its checked option; arrow keys move within it.
  await tabTo(page, page.getByRole("radio", { checked: true }).first());
  for (let presses = 0; presses < 6 && !(await custom.isChecked()); presses += 1) await page.keyboard.press("ArrowDown");
  await expect(custom).toBeChecked();
  await tabTo(page, page.getByRole("button", { name: /^Start/ }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/register-app$/);

  const continueWithKeyboard = async (next: string, fill?: () => Promise<void>) => {
    if (fill) await fill();
    const done = page.getByLabel("I have done this step");
    if ((await done.count()) && !(await done.isChecked())) {
      await tabTo(page, done);
      await page.keyboard.press("Space");
    }
    await tabTo(page, page.getByRole("button", { name: "Save and continue" }));
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(new RegExp(`${next}$`));
  };
  const type = async (label: string, text: string) => {
    await tabTo(page, page.getByLabel(label, { exact: true }));
    await page.keyboard.type(text);
  };
  await continueWithKeyboard("copy-ids");
  await continueWithKeyboard("client-secret", async () => {
    await type("Connection name", "Keyboard calendars");
    await type("Directory (tenant) ID", tenant);
    await type("Application (client) ID", demo.apps.extraRoles.clientId);
  });
  await continueWithKeyboard("api-permissions", async () => {
    await type("Client secret Value", demo.apps.extraRoles.secret);
    await type("Secret expiry date", "06302027");
  });
  for (const next of ["admin-consent", "mailbox-scope", "verify"]) await continueWithKeyboard(next);
  await tabTo(page, page.getByRole("button", { name: "Verify with Microsoft" }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status").filter({ hasText: /warning/ })).toBeVisible();
  await expect(page.locator('[data-check-id="permissions"]')).toHaveAttribute("data-status", "warn");
  await type("There is 1 warning. Type “save with warnings” to save anyway.", "save with warnings");
  await tabTo(page, page.getByRole("button", { name: "Save with warnings" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}\?saved=1$/);
  await expect(page.getByText("Warning", { exact: true })).toBeVisible();
});
