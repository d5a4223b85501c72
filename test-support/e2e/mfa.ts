import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, type Page } from "@playwright/test";
import { totpCode } from "../totp";
import { accountMenu, takeOneTimeValue } from "./fixtures";
import { STATE_DIR } from "./server";

/**
 * Second factors in the e2e runs: the setup project enrols the admin's authenticator app, and every
 * spec that signs an admin in answers the second step with a code from the same secret.
 */

const FACTORS_FILE = path.join(STATE_DIR, "second-factors.json");

type StoredFactors = Record<string, { secret: string; lastStep: number }>;

function readFactors(): StoredFactors {
  try {
    return JSON.parse(readFileSync(FACTORS_FILE, "utf8")) as StoredFactors;
  } catch {
    return {};
  }
}

/** Keeps the setup key of an account's authenticator app for the specs that sign it in later. */
export function rememberAuthenticator(email: string, secret: string, usedAt = new Date()): void {
  mkdirSync(STATE_DIR, { recursive: true });
  writeFileSync(FACTORS_FILE, JSON.stringify({ ...readFactors(), [email]: { secret, lastStep: stepAt(usedAt) } }));
}

export function authenticatorOf(email: string): string | undefined {
  return readFactors()[email]?.secret;
}

const stepAt = (at: Date) => Math.floor(at.getTime() / 30_000);

/**
 * A code the console has not seen yet: it refuses a time step it already accepted, and accepts one
 * step either side of now. When every usable step is spent (several sign-ins within half a minute),
 * this polls until the next one comes, within a deadline.
 */
export async function freshTotpCode(email: string, secret = authenticatorOf(email)): Promise<string> {
  if (!secret) throw new Error(`no authenticator app is remembered for ${email}`);
  const lastStep = readFactors()[email]?.lastStep ?? 0;
  let code: string | undefined;
  await expect
    .poll(
      () => {
        const now = Date.now();
        for (const offset of [0, 1]) {
          const at = new Date(now + offset * 30_000);
          if (stepAt(at) > lastStep) {
            code = totpCode(secret, at);
            rememberAuthenticator(email, secret, at);
            return true;
          }
        }
        return false;
      },
      { timeout: 40_000, message: "a TOTP step not used yet" },
    )
    .toBe(true);
  return code!;
}

/** On the enrolment page (or Set up an authenticator app): reads the setup key and turns the app on. */
export async function enrolAuthenticatorApp(page: Page, email: string): Promise<{ secret: string; recoveryCodes: string[] }> {
  const key = await page.getByText(/^Setup key:/).locator("code").textContent();
  const secret = key!.replace(/\s+/g, "");
  const now = new Date();
  await page.getByLabel("6-digit code").fill(totpCode(secret, now));
  rememberAuthenticator(email, secret, now);
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByRole("dialog", { name: "Your new recovery codes" })).toBeVisible();
  const recoveryCodes = (await takeOneTimeValue(page)).split(/\s+/);
  expect(recoveryCodes).toHaveLength(10);
  await expect(page.getByText(/(second factor|authenticator app) is set up/).first()).toBeVisible();
  return { secret, recoveryCodes };
}

/**
 * The sign-in form, and the second step where the account has one: a code from its remembered app.
 * Returns once the person is signed in.
 */
export async function signInWithForm(page: Page, account: { email: string; password: string }): Promise<void> {
  if (!page.url().includes("/sign-in")) await page.goto("/sign-in");
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  const signedIn = accountMenu(page);
  const secondStep = page.getByRole("heading", { name: "Confirm it is you" });
  await expect(signedIn.or(secondStep)).toBeVisible();
  if (await secondStep.isVisible()) {
    await page.getByLabel("6-digit code").fill(await freshTotpCode(account.email));
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(signedIn).toBeVisible();
  }
}
