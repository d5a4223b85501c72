import { storageStatePath } from "../test-support/e2e/server";
import { accountMenu, expect, test } from "../test-support/e2e/fixtures";
import { tabTo } from "../test-support/e2e/wizard";

/** The sidebar and the account menu on a phone, with the keyboard alone. */

test.use({ storageState: storageStatePath("admin"), viewport: { width: 390, height: 800 } });

test("on a phone the menu opens, moves and closes with the keyboard, and marks the current page", async ({ page, shot }) => {
  await page.goto("/connections");
  // Below 768 px the sidebar is folded away behind the menu button.
  await expect(page.getByRole("navigation", { name: "Main" })).toHaveCount(0);
  const menuButton = page.getByRole("button", { name: "Open the menu" });
  await tabTo(page, menuButton);
  await page.keyboard.press("Enter");
  const menu = page.getByRole("dialog", { name: "Menu" });
  await expect(menu).toBeVisible();
  const nav = menu.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Connections" })).toHaveAttribute("aria-current", "page");
  await expect(nav.locator('[aria-current="page"]')).toHaveCount(1);
  await shot("navigation-phone-menu");

  // Escape closes it and gives focus back to the button.
  await page.keyboard.press("Escape");
  await expect(menu).toHaveCount(0);
  await expect(menuButton).toBeFocused();

  await page.keyboard.press("Enter");
  await tabTo(page, nav.getByRole("link", { name: "Status" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/status$/);
  await expect(menu).toHaveCount(0);
  await page.keyboard.press("Tab");
  await tabTo(page, menuButton);
  await page.keyboard.press("Enter");
  await expect(nav.getByRole("link", { name: "Status" })).toHaveAttribute("aria-current", "page");
  await page.keyboard.press("Escape");

  // The account menu: name and role, then Account, reached with the arrow keys.
  await tabTo(page, accountMenu(page));
  await page.keyboard.press("Enter");
  const account = page.getByRole("menu");
  await expect(account).toContainText("Alex Admin");
  await expect(account).toContainText("Administrator");
  await expect(account.getByRole("menuitem", { name: "Sign out" })).toBeVisible();
  await page.keyboard.press("ArrowDown");
  await expect(account.getByRole("menuitem", { name: "Account" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/account$/);
});

test("at desktop width the sidebar groups the pages and marks the current one", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/connections/new");
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const group of ["Monitor", "Set up", "Admin"]) await expect(nav.getByText(group, { exact: true })).toBeVisible();
  await expect(nav.locator('[aria-current="page"]')).toHaveText("New connection");
  await expect(page.getByRole("button", { name: "Open the menu" })).toBeHidden();
});
