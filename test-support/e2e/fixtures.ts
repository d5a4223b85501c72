import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test as base, expect, type Page } from "@playwright/test";
import { recordInNewContexts, recordPolicyViolations } from "./content-security-policy";
import { CAPTURE_DIR, SCREENSHOT_DIR, SERVER_LOG, SECRETS_FILE, SHOWN_ONCE_FILE, SIMULATOR_FILE } from "./server";

/**
 * Every HTML page and RSC payload the browser receives is kept, so the secrets spec can prove that
 * no password, token or key ever reached a browser.
 */
function capture(page: Page, testTitle: string): void {
  const file = path.join(CAPTURE_DIR, `${testTitle.replace(/[^a-z0-9]+/gi, "-").slice(0, 80)}.txt`);
  page.on("response", async (response) => {
    const type = response.headers()["content-type"] ?? "";
    if (!/text\/html|text\/x-component|application\/json|text\/plain/.test(type)) return;
    try {
      appendFileSync(file, `\n=== ${response.url()}\n${await response.text()}`);
    } catch {
      // Redirect responses and aborted requests have no body to keep.
    }
  });
}

export const test = base.extend<{ shot: (name: string) => Promise<void>; policyViolations: string[] }>({
  page: async ({ page }, provide, testInfo) => {
    capture(page, testInfo.titlePath.join(" "));
    await provide(page);
  },
  // Every spec fails when a page breaks its Content-Security-Policy, in the test's own page and in
  // any context the test opens.
  policyViolations: [
    async ({ context, browser }, provide) => {
      const violations: string[] = [];
      await recordPolicyViolations(context, violations);
      const restore = recordInNewContexts(browser, violations);
      try {
        await provide(violations);
      } finally {
        restore();
      }
      expect(violations, "Content-Security-Policy violations").toEqual([]);
    },
    { auto: true },
  ],
  shot: async ({ page }, provide) => {
    await provide(async (name: string) => {
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
    });
  },
});

export { expect };

export function setupCodeFromLog(): string {
  const matches = [...readFileSync(SERVER_LOG, "utf8").matchAll(/Setup code: ([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})/g)];
  const code = matches.at(-1)?.[1];
  if (!code) throw new Error("The server log holds no setup code");
  return code;
}

/** Secrets the specs created or saw, for the final search. */
export function rememberSecret(value: string): void {
  let secrets: string[] = [];
  try {
    secrets = JSON.parse(readFileSync(SECRETS_FILE, "utf8")) as string[];
  } catch {
    // first secret
  }
  writeFileSync(SECRETS_FILE, JSON.stringify([...new Set([...secrets, value])]));
}

/**
 * A value the console shows once by design (a TOTP setup key, a recovery code): the secrets spec
 * accepts it only in responses for `shownOn` (paths), and nowhere else, the server log included.
 */
export function rememberShownOnce(kind: string, value: string, shownOn: string[]): void {
  let shown: Array<{ kind: string; value: string; shownOn: string[] }> = [];
  try {
    shown = JSON.parse(readFileSync(SHOWN_ONCE_FILE, "utf8")) as typeof shown;
  } catch {
    // first value
  }
  writeFileSync(SHOWN_ONCE_FILE, JSON.stringify([...shown, { kind, value, shownOn }]));
}

async function simulatorControl(path: string, init: RequestInit = {}): Promise<Response> {
  const { control } = JSON.parse(readFileSync(SIMULATOR_FILE, "utf8")) as { control: string };
  const response = await fetch(`${control}${path}`, init);
  if (!response.ok) throw new Error(`simulator control answered ${response.status} to ${path}`);
  return response;
}

/** Changes an app in the simulated tenant, as an admin would in the portal (e.g. withdraws consent). */
export async function changeSimulatedApp(clientId: string, patch: Record<string, unknown>): Promise<void> {
  await simulatorControl(`/apps/${clientId}`, { method: "POST", body: JSON.stringify(patch) });
}

/** Uploads a certificate (PEM) to a simulated app, as an admin does in Certificates & secrets. */
export async function uploadCertificateToSimulatedApp(clientId: string, certificatePem: string): Promise<{ keyId: string; thumbprint: string }> {
  return (await (await simulatorControl(`/apps/${clientId}/certificates`, { method: "POST", body: certificatePem })).json()) as { keyId: string; thumbprint: string };
}

/** Changes a simulated user (e.g. `refreshTokenState`). */
export async function changeSimulatedUser(upn: string, patch: Record<string, unknown>): Promise<void> {
  await simulatorControl(`/users/${encodeURIComponent(upn)}`, { method: "POST", body: JSON.stringify(patch) });
}

/** Every refresh token the simulator issued during the run. */
export async function issuedRefreshTokens(): Promise<string[]> {
  return (await (await simulatorControl("/refresh-tokens")).json()) as string[];
}

/** An administrator's delegated Graph token from the simulated tenant, as Azure CLI or the setup app holds one. */
export async function simulatedAdminToken(user: string, scopes: readonly string[]): Promise<string> {
  const response = await simulatorControl("/admin-token", { method: "POST", body: JSON.stringify({ user, scopes }) });
  return ((await response.json()) as { token: string }).token;
}

/** Changes the simulated tenant's settings (app-management policy, whether users may register apps). */
export async function changeSimulatedTenant(patch: Record<string, unknown>): Promise<void> {
  await simulatorControl("/tenant", { method: "POST", body: JSON.stringify(patch) });
}

/** Replaces the simulator's injected faults ([] removes them). */
export async function setSimulatorFaults(faults: unknown[]): Promise<void> {
  await simulatorControl("/faults", { method: "POST", body: JSON.stringify(faults) });
}

/** The simulated tenant's apps (deleted ones included) with this display name. */
export async function simulatedAppsNamed(name: string): Promise<{ clientId: string; deleted: boolean; grantedRoles: string[] }[]> {
  return (await (await simulatorControl(`/apps?name=${encodeURIComponent(name)}`)).json()) as { clientId: string; deleted: boolean; grantedRoles: string[] }[];
}

/** The account menu top right; it carries the signed-in person's name and role. */
export function accountMenu(page: Page) {
  return page.getByRole("button", { name: /^Account: / });
}

export async function signOut(page: Page): Promise<void> {
  await accountMenu(page).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
}

/** Reads a secret or link from the dialog that shows it once, and closes it the only way it closes. */
export async function takeOneTimeValue(page: Page): Promise<string> {
  const dialog = page.getByRole("dialog");
  const value = (await dialog.locator("code").textContent())!.trim();
  await dialog.getByRole("button", { name: "I have stored it" }).click();
  await expect(dialog).toHaveCount(0);
  return value;
}
