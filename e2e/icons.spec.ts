import { readFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "@playwright/test";
import { REPO_ROOT, storageStatePath } from "../test-support/e2e/server";
import { expect, test } from "../test-support/e2e/fixtures";

/** The console's icon: browsers ask for /favicon.ico and /apple-touch-icon.png on every site, by name. */

const icons = [
  { path: "/favicon.ico", type: /^image\/(x-icon|vnd\.microsoft\.icon)$/ },
  { path: "/apple-touch-icon.png", type: /^image\/png$/ },
  { path: "/icon.svg", type: /^image\/svg\+xml/ },
];

test("serves the icons browsers ask for, as the files in public/", async ({ request }) => {
  for (const icon of icons) {
    const response = await request.get(icon.path);
    expect(response.status(), icon.path).toBe(200);
    expect(response.headers()["content-type"], icon.path).toMatch(icon.type);
    expect(Buffer.compare(await response.body(), readFileSync(path.join(REPO_ROOT, "public", icon.path))), icon.path).toBe(0);
  }
});

async function expectNoMissingResources(page: Page, url: string): Promise<void> {
  const failed: string[] = [];
  page.on("response", (response) => {
    if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
  });
  await page.goto(url, { waitUntil: "load" });
  const linked = await page.locator('head link[rel="icon"], head link[rel="apple-touch-icon"]').evaluateAll((links) => links.map((link) => link.getAttribute("href")));
  expect(linked.sort()).toEqual(["/apple-touch-icon.png", "/favicon.ico", "/icon.svg"]);
  for (const href of linked) expect((await page.request.get(href!)).status(), href!).toBe(200);
  expect(failed).toEqual([]);
}

test("a signed-out page links the icons and requests nothing that is missing", async ({ page }) => {
  await expectNoMissingResources(page, "/sign-in");
});

test.describe("signed in", () => {
  test.use({ storageState: storageStatePath("admin") });

  test("a console page links the icons and requests nothing that is missing", async ({ page }) => {
    await expectNoMissingResources(page, "/connections");
  });
});
