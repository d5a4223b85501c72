import { storageStatePath } from "../test-support/e2e/server";
import { expect, test } from "../test-support/e2e/fixtures";

/**
 * The e2e console runs without CALSYNC_TRUST_PROXY, so forwarding headers are only what a client
 * claims: a forged X-Forwarded-Host (or Forwarded) must not make a cross-site request same-origin.
 */

test.use({ storageState: storageStatePath("admin") });

const forged = {
  origin: "https://attacker.example",
  "x-forwarded-host": "attacker.example",
  "x-forwarded-proto": "https",
  forwarded: "host=attacker.example;proto=https",
};

test("a client's forwarding headers do not make a cross-site request same-origin", async ({ page, baseURL }) => {
  const crossSite = await page.request.post("/api/wizard/verify", { headers: forged });
  expect(crossSite.status()).toBe(403);
  expect(await crossSite.json()).toMatchObject({ error: "bad-origin" });

  // The same request from the console's own origin gets past the origin check.
  const sameSite = await page.request.post("/api/wizard/verify", { headers: { origin: baseURL! } });
  expect(sameSite.status()).not.toBe(403);
});
