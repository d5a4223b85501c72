import { defineConfig } from "@playwright/test";
import { CHROMIUM_ARGS, DEMO_E2E_BASE_URL, E2E_BASE_URL } from "./test-support/e2e/server";
import { chromiumExecutable } from "./test-support/system-tools";

const isCI = process.env.CI === "true";

export default defineConfig({
  testDir: "./e2e",
  outputDir: "./test-results/e2e",
  forbidOnly: isCI,
  retries: 0,
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"], ["json", { outputFile: "test-results/playwright-results.json" }]],
  globalSetup: "./test-support/e2e/global-setup.ts",
  use: {
    baseURL: E2E_BASE_URL,
    trace: "retain-on-failure",
    // The simulator's sign-in pages use a certificate from its own test CA.
    ignoreHTTPSErrors: true,
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: chromiumExecutable(),
      args: CHROMIUM_ARGS,
    },
  },
  projects: [
    { name: "setup", testMatch: /first-run\.setup\.ts/ },
    { name: "console", testMatch: /.*\.spec\.ts/, testIgnore: /(secrets|demo|deployment|database-unavailable|consent-preflight|mailbox-certificate)\.spec\.ts/, dependencies: ["setup"] },
    // Changes the mailbox sign-in app and the tenant's consent settings, which the console specs expect
    // untouched: declared after them in the same phase, so one worker runs it once they are done.
    { name: "consent", testMatch: /(consent-preflight|mailbox-certificate)\.spec\.ts/, dependencies: ["setup"] },
    // Consoles of their own on PostgreSQL (behind nginx for the deployment), none of them the e2e console.
    { name: "deployment", testMatch: /(deployment|database-unavailable)\.spec\.ts/ },
    // `npm run demo` as a newcomer runs it, in a browser that trusts no test CA.
    { name: "demo", testMatch: /demo\.spec\.ts/, use: { baseURL: DEMO_E2E_BASE_URL, ignoreHTTPSErrors: false } },
    { name: "secrets", testMatch: /secrets\.spec\.ts/, dependencies: ["console", "consent"] },
  ],
});
