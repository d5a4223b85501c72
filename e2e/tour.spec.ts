import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { SCREENSHOT_DIR, STATE_DIR } from "../test-support/e2e/server";
import { expect, takeOneTimeValue, test } from "../test-support/e2e/fixtures";
import { contextFor, horizontalOverflow, pagesFor, pathFor, realSegments, screenshotName, themes, visitors, widths } from "../test-support/e2e/page-tour";
import { expectAccessible } from "../test-support/e2e/wizard";

/**
 * Every page of the access policy (so a new page cannot be left out), for every caller allowed to open
 * it, at 1280 and 390 px, in the light and the dark theme: a full-page screenshot of each, no sideways
 * scrolling at either width, and no serious or critical axe finding (checked once per theme, one at each width).
 */

let tokens: { invite?: string; connectLink?: string } = {};
// A failure starts a fresh worker, which runs beforeAll again: the links are made once per run.
const tokensFile = path.join(STATE_DIR, "tour-tokens.json");

// Real one-time links for the public pages.
test.beforeAll(async ({ browser }) => {
  if (existsSync(tokensFile)) {
    tokens = JSON.parse(readFileSync(tokensFile, "utf8")) as typeof tokens;
    return;
  }
  const context = await contextFor(browser, "admin");
  const page = await context.newPage();
  const stamp = Date.now();
  await page.goto("/users");
  const invite = page.getByRole("heading", { name: "Invite a colleague" }).locator("..");
  await invite.getByLabel("Email").fill(`tour-${stamp}@contoso.example`);
  await invite.getByRole("button", { name: "Create invitation link" }).click();
  tokens.invite = new URL(await takeOneTimeValue(page)).pathname.split("/").pop();
  expect(tokens.invite).toMatch(/^[A-Za-z0-9_-]{40,}$/);

  // A connect link needs the mailbox sign-in app; without it the page is toured with a sample token.
  await page.goto("/connect/invite");
  await page.getByLabel("Their email address").fill(`tour-${stamp}@contoso.example`);
  await page.getByLabel("Show me the link to copy").check();
  await page.getByRole("button", { name: "Create the link" }).click();
  if (await page.getByRole("dialog").waitFor({ timeout: 10_000 }).then(() => true, () => false)) {
    tokens.connectLink = new URL(await takeOneTimeValue(page)).pathname.split("/").pop();
  }
  writeFileSync(tokensFile, JSON.stringify(tokens));
  await context.close();
});

for (const visitor of visitors) {
  test(`every page ${visitor === "anonymous" ? "an anonymous visitor" : `a ${visitor}`} may open, at both widths and in both themes`, async ({ browser }) => {
    // One long walk per caller, in one signed-in context, instead of a test (and a sign-in) per page.
    test.setTimeout(300_000);
    const context = await contextFor(browser, visitor);
    const page = await context.newPage();
    const real = await realSegments(page, visitor, tokens);
    for (const name of pagesFor(visitor)) {
      const target = pathFor(name, real);
      if (target.includes("00000000-0000-4000-8000-000000000000") || target.includes("sample-token")) {
        test.info().annotations.push({ type: "sample id", description: `${name}: the e2e data holds none for ${visitor}; toured with a sample id` });
      }
      await page.setViewportSize({ width: 1280, height: 800 });
      // No colour transitions: axe must measure the theme's colours, not a frame halfway between two.
      await page.emulateMedia({ colorScheme: "light", reducedMotion: "reduce" });
      const response = await page.goto(target);
      expect.soft(response?.status(), `${visitor} ${target}`).toBeLessThan(500);
      for (const width of widths) {
        await page.setViewportSize({ width, height: 800 });
        for (const theme of themes) {
          await page.emulateMedia({ colorScheme: theme });
          const label = `${visitor} ${target} at ${width} px, ${theme}`;
          expect.soft(await horizontalOverflow(page), `${label} scrolls sideways by`).toBeLessThanOrEqual(0);
          if ((width === 1280 && theme === "light") || (width === 390 && theme === "dark")) await expectAccessible(page, { soft: true, label });
          await page.screenshot({ path: path.join(SCREENSHOT_DIR, screenshotName(visitor, name, width, theme)), fullPage: true });
        }
      }
    }
    await context.close();
  });
}
