import { accounts, storageStatePath } from "../test-support/e2e/server";
import { expect, rememberSecret, rememberShownOnce, setupCodeFromLog, takeOneTimeValue, test } from "../test-support/e2e/fixtures";
import { enrolAuthenticatorApp } from "../test-support/e2e/mfa";

test("a new administrator claims the console with the setup code and brings in colleagues", async ({ page, shot, browser }) => {
  // Claiming now includes setting up the administrator's authenticator app: on a busy machine the
  // whole first run takes close to the default minute.
  test.slow();
  const code = setupCodeFromLog();
  rememberSecret(code);
  for (const account of Object.values(accounts)) rememberSecret(account.password);

  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole("heading", { name: "Claim this console" })).toBeVisible();
  await shot("setup-01-claim");

  await page.getByLabel("Setup code").fill("WRON-GCOD-E234");
  await page.getByLabel("Your name").fill(accounts.admin.displayName);
  await page.getByLabel("Email").fill(accounts.admin.email);
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByLabel("Repeat the password").fill("short");
  await page.getByRole("button", { name: "Create administrator" }).click();
  await expect(page.getByText("Use at least 12 characters")).toBeVisible();
  await expect(page.getByLabel("Password", { exact: true })).toHaveAttribute("aria-invalid", "true");

  // The rejected form keeps the name and email but never echoes the code or passwords back.
  await expect(page.getByLabel("Email")).toHaveValue(accounts.admin.email);
  await expect(page.getByLabel("Setup code")).toHaveValue("");
  await page.getByLabel("Setup code").fill("WRON-GCOD-E234");
  await page.getByLabel("Password", { exact: true }).fill(accounts.admin.password);
  await page.getByLabel("Repeat the password").fill(accounts.admin.password);
  await page.getByRole("button", { name: "Create administrator" }).click();
  await expect(page.getByRole("status").getByText("That setup code is not right")).toBeVisible();
  await shot("setup-02-wrong-code");

  await page.getByLabel("Setup code").fill(code);
  await page.getByLabel("Password", { exact: true }).fill(accounts.admin.password);
  await page.getByLabel("Repeat the password").fill(accounts.admin.password);
  await page.getByRole("button", { name: "Create administrator" }).click();
  // A new console requires administrators to set up a second factor before anything else opens.
  await expect(page).toHaveURL(/\/sign-in\/enrol$/);
  await expect(page.getByRole("heading", { name: "Set up a second factor" })).toBeVisible();
  await page.goto("/users");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fusers$/);
  await page.goto("/sign-in/enrol");
  await shot("setup-03-enrol");
  const { secret, recoveryCodes } = await enrolAuthenticatorApp(page, accounts.admin.email);
  // "/setup" too: its action redirects to the enrolment page, whose payload (this person's own new
  // authenticator secret) Next sends in the same answer as the redirect.
  rememberShownOnce("totp-secret", secret, ["/sign-in/enrol", "/setup"]);
  for (const code of recoveryCodes) rememberShownOnce("recovery-code", code, ["/sign-in/enrol"]);
  await page.getByRole("button", { name: "Continue to the console" }).click();
  await expect(page).toHaveURL(/\/\?welcome=1$/);
  await expect(page.getByText("The console is yours")).toBeVisible();
  // A new console has one thing to do first, and says so.
  await expect(page.getByRole("link", { name: "Connect your Microsoft 365 organisation" })).toHaveAttribute("href", "/connections/new");
  await page.context().storageState({ path: storageStatePath("admin") });
  await shot("setup-04-home");
  await page.getByRole("link", { name: "Invite your colleagues" }).click();
  await expect(page).toHaveURL(/\/users$/);

  // Invite the helpdesk colleague with a one-time link.
  const invite = page.getByRole("heading", { name: "Invite a colleague" }).locator("..");
  await invite.getByLabel("Email").fill(accounts.helpdesk.email);
  await invite.getByLabel("Role").selectOption("helpdesk");
  await invite.getByRole("button", { name: "Create invitation link" }).click();
  const link = await takeOneTimeValue(page);
  expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{40,}$/);

  const helpdeskContext = await browser.newContext();
  const helpdeskPage = await helpdeskContext.newPage();
  await helpdeskPage.goto(new URL(link!).pathname);
  await expect(helpdeskPage.getByText(`with the email ${accounts.helpdesk.email}`)).toBeVisible();
  await helpdeskPage.screenshot({ path: "test-results/screenshots/setup-04-invite.png", fullPage: true });
  await helpdeskPage.getByLabel("Your name").fill(accounts.helpdesk.displayName);
  await helpdeskPage.getByLabel("Password", { exact: true }).fill(accounts.helpdesk.password);
  await helpdeskPage.getByLabel("Repeat the password").fill(accounts.helpdesk.password);
  await helpdeskPage.getByRole("button", { name: "Create my account" }).click();
  // Helpdesk lands on Home, the dashboard.
  await expect(helpdeskPage.getByRole("heading", { name: "Home", exact: true })).toBeVisible();
  await helpdeskContext.storageState({ path: storageStatePath("helpdesk") });

  // The same link cannot be used twice.
  await helpdeskPage.goto(new URL(link!).pathname);
  await expect(helpdeskPage.getByRole("alert").filter({ hasText: "already been used" })).toBeVisible();
  await helpdeskContext.close();

  // Create the member directly; a duplicate email is refused by name.
  const create = page.getByRole("heading", { name: "Create a user directly" }).locator("..");
  for (const attempt of [1, 2]) {
    await create.getByLabel("Name").fill(accounts.member.displayName);
    await create.getByLabel("Email").fill(attempt === 1 ? accounts.member.email : accounts.helpdesk.email);
    await create.getByLabel("Initial password").fill(accounts.member.password);
    await create.getByLabel("Repeat the password").fill(accounts.member.password);
    await create.getByRole("button", { name: "Create user" }).click();
    if (attempt === 1) await expect(create.getByText(`Created ${accounts.member.email} as member.`)).toBeVisible();
    else await expect(create.getByText("A user with this email already exists").first()).toBeVisible();
  }
  await page.reload();
  await expect(page.getByRole("cell", { name: accounts.member.email, exact: true })).toBeVisible();
  await expect(page.getByRole("cell", { name: accounts.helpdesk.email, exact: true })).toBeVisible();

  const memberContext = await browser.newContext();
  const memberPage = await memberContext.newPage();
  await memberPage.goto("/sign-in");
  await memberPage.getByLabel("Email").fill(accounts.member.email);
  await memberPage.getByLabel("Password").fill(accounts.member.password);
  await memberPage.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(memberPage.getByRole("heading", { name: `Welcome, ${accounts.member.displayName}` })).toBeVisible();
  await memberContext.storageState({ path: storageStatePath("member") });
  await memberContext.close();

  for (const role of ["admin", "helpdesk", "member"] as const) {
    const state = JSON.parse(await import("node:fs").then((fs) => fs.readFileSync(storageStatePath(role), "utf8"))) as { cookies: { name: string; value: string }[] };
    for (const cookie of state.cookies) if (cookie.name === "calsync_session") rememberSecret(cookie.value);
  }
});
