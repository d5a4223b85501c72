import { createHash, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { demo } from "../simulator/demo-ids";
import { derivedGuid } from "../simulator/state";
import { CERTIFICATE_APPS, storageStatePath } from "../test-support/e2e/server";
import { expect, test, uploadCertificateToSimulatedApp } from "../test-support/e2e/fixtures";
import { expectAccessible } from "../test-support/e2e/wizard";

/**
 * The mailbox sign-in app's own certificate (issue 14 §4): generated on its settings page, uploaded
 * in Entra (simulated through the simulator's scenario API), saved once a token proves it, then
 * renewed by the scheduler (a three-month certificate is inside the e2e console's 100-day window).
 * Its own project runs it after the console specs, which expect the mailbox sign-in app unconfigured.
 */

test.describe.configure({ mode: "serial" });
test.use({ storageState: storageStatePath("admin") });

const clientId = CERTIFICATE_APPS.mailboxSignIn;
const sha256 = (certificate: X509Certificate) => createHash("sha256").update(certificate.raw).digest("hex").toUpperCase();

test("an admin generates the mailbox sign-in app's certificate, saves it once uploaded, and sees Calsync renew it", async ({ page, shot }) => {
  test.setTimeout(150_000);
  await page.goto("/settings/mailbox-sign-in");
  const section = page.getByRole("region", { name: "Certificate (recommended)" });
  await section.getByLabel("Valid for").selectOption("3");
  const thumbprint = section.getByTestId("portal-thumbprint");
  // The authorisation spec calls every action as each role, so a draft certificate may already wait here.
  const waiting = (await thumbprint.count()) > 0 ? await thumbprint.textContent() : null;
  await section.getByRole("button", { name: /^Generate a (new )?certificate$/ }).click();
  await expect(thumbprint).toHaveText(/^[0-9A-F]{40}$/);
  if (waiting) await expect(thumbprint).not.toHaveText(waiting);

  const download = page.waitForEvent("download");
  await section.getByRole("link", { name: "Download the certificate (.cer)" }).click();
  const certificate = new X509Certificate(readFileSync(await (await download).path()));
  expect(certificate.fingerprint.replaceAll(":", "")).toBe(await thumbprint.textContent());
  expect(certificate.subject).toContain("CN=Calsync Console: mailbox sign-in");
  const pemDownload = page.waitForEvent("download");
  await section.getByRole("link", { name: "Download the certificate (.pem)" }).click();
  const pem = readFileSync(await (await pemDownload).path(), "utf8");
  expect(pem).toContain("BEGIN CERTIFICATE");
  expect(pem).not.toContain("PRIVATE KEY");
  await expectAccessible(page);
  await shot("mailbox-certificate-01-generated");

  const fill = async () => {
    await page.getByLabel("Microsoft cloud").selectOption("custom");
    await page.getByLabel("Application (client) ID").fill(clientId);
    await page.getByLabel("Directory (tenant) ID of the app registration").fill(demo.contoso.domain);
    await page.getByLabel("Only accounts in the app's own organisation").check();
    await page.getByRole("radio", { name: /^Certificate / }).check();
    await page.getByLabel("The certificate Calsync generated").check();
    await page.getByLabel("Object ID (optional, for certificate renewal)").fill(derivedGuid(`app:${demo.contoso.id}:${clientId}`));
  };
  // Not uploaded in Entra yet: the token check refuses it and nothing changes.
  await fill();
  await page.getByRole("button", { name: "Verify and save" }).click();
  await expect(page.getByRole("status").getByText(/^Not saved:/)).toBeVisible();

  const uploaded = await uploadCertificateToSimulatedApp(clientId, certificate.toString());
  await fill();
  await page.getByLabel("Certificate ID (optional)").fill(uploaded.keyId);
  await page.getByRole("button", { name: "Verify and save" }).click();
  await expect(page.getByRole("status").getByText("Saved and verified with Microsoft")).toBeVisible();
  await page.reload();
  await expect(page.getByText(`Certificate, SHA-256 thumbprint ${sha256(certificate)}`)).toBeVisible();
  await expect(page.getByText(/Calsync renews it 100 days before it expires, with no one involved/)).toBeVisible();
  await expect(page.getByTestId("generated-certificate")).toHaveCount(0);
  await shot("mailbox-certificate-02-saved");

  // The scheduler renews it within a tick or two; the certificate history shows it with both thumbprints.
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("certificate-history").getByText(/Calsync renewed the certificate of the mailbox sign-in app/)).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 90_000 });
  await expect(page.getByTestId("certificate-history")).toContainText(sha256(certificate));
  await expect(page.getByTestId("certificate-history")).toContainText("the old certificate was removed from the app");
  await expect(page.getByText(`Certificate, SHA-256 thumbprint ${sha256(certificate)}`)).toHaveCount(0);
  await expect(page.getByText(/^Certificate, SHA-256 thumbprint [0-9A-F]{64}/)).toBeVisible();
  await expectAccessible(page);
  await shot("mailbox-certificate-03-renewed");
});
