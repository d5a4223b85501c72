import { request, type APIRequestContext, type Browser } from "@playwright/test";
import { actionPolicy, isAllowed, pagePolicy, routePolicy } from "../lib/auth/access-policy";
import { builtServerActions, callers, samplePath, type Caller } from "../test-support/e2e/access-paths";
import { accounts, E2E_BASE_URL } from "../test-support/e2e/server";
import { expect, test } from "../test-support/e2e/fixtures";
import { signInWithForm } from "../test-support/e2e/mfa";

/**
 * Asserts allow or deny for every page, route handler and server action, for every role and for
 * anonymous callers, against the running production server. Actions are invoked the way a browser
 * does (by their id from the build's server-reference manifest), so the check that runs is the
 * action's own, not a layout's or the menu's.
 */

/** Each caller gets a session of its own, because invoking signOutAction really ends it. */
async function contextFor(browser: Browser, caller: Caller): Promise<APIRequestContext> {
  if (caller === "anonymous") return request.newContext({ baseURL: E2E_BASE_URL, maxRedirects: 0 });
  const context = await browser.newContext({ baseURL: E2E_BASE_URL });
  const page = await context.newPage();
  await page.goto("/sign-in");
  await signInWithForm(page, accounts[caller]);
  const storageState = await context.storageState();
  await context.close();
  return request.newContext({ baseURL: E2E_BASE_URL, storageState, maxRedirects: 0 });
}

test.describe("authorisation matrix", () => {
  for (const caller of callers) {
    test(`pages and route handlers for ${caller}`, async ({ browser }) => {
      const api = await contextFor(browser, caller);
      const role = caller === "anonymous" ? null : caller;
      for (const [page, access] of Object.entries(pagePolicy)) {
        const response = await api.get(samplePath(page));
        const status = response.status();
        const location = response.headers().location ?? "";
        const deniedToSignIn = status >= 300 && status < 400 && location.includes("/sign-in?next=");
        const denied = status === 403 || deniedToSignIn;
        expect(denied, `${caller} ${page} → ${status} ${location}`).toBe(!isAllowed(access, role));
        if (!isAllowed(access, role)) expect(role === null ? deniedToSignIn : status === 403, `${caller} ${page} deny kind`).toBe(true);
      }
      for (const [route, access] of Object.entries(routePolicy)) {
        const [method, pathname] = route.split(" ");
        const response = await api.fetch(samplePath(pathname!), { method, headers: { Origin: E2E_BASE_URL } });
        // A browser-facing GET answers an anonymous caller with the sign-in page, like a page does.
        const toSignIn = response.status() >= 300 && response.status() < 400 && (response.headers().location ?? "").includes("/sign-in?next=");
        expect([401, 403].includes(response.status()) || toSignIn, `${caller} ${route} → ${response.status()}`).toBe(!isAllowed(access, role));
      }
      await api.dispose();
    });
  }

  for (const caller of callers) {
    test(`server actions for ${caller}`, async ({ browser }) => {
      const api = await contextFor(browser, caller);
      const role = caller === "anonymous" ? null : caller;
      const listed = Object.keys(actionPolicy);
      const found = new Set<string>();
      // Sign-out last: it ends the very session this caller uses.
      const actions = builtServerActions().sort((a, b) => Number(a.name === "signOutAction") - Number(b.name === "signOutAction"));
      for (const { id, name, filename, page } of actions) {
        expect(listed, `${name} (${filename}) is not in the access policy`).toContain(name);
        found.add(name);
        const response = await api.post(samplePath(page), {
          headers: { "Next-Action": id, "Content-Type": "text/plain;charset=UTF-8", Origin: E2E_BASE_URL, Accept: "text/x-component" },
          data: JSON.stringify([{ status: "idle" }, {}]),
        });
        const body = await response.text();
        const denied = /"code":"(forbidden|unauthenticated)"/.test(body);
        expect(denied, `${caller} ${name} → ${response.status()} ${body.slice(0, 300)}`).toBe(!isAllowed(actionPolicy[name as keyof typeof actionPolicy], role));
      }
      expect([...found].sort()).toEqual(listed.sort());
      await api.dispose();
    });
  }
});
