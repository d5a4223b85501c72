import { createHash, createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { demo } from "../simulator/demo-ids";
import { CERTIFICATE_APPS, SWITCHED_APP_SECRET, storageStatePath } from "../test-support/e2e/server";
import { derivedGuid } from "../simulator/state";
import { expect, rememberSecret, simulatedAdminToken, test, uploadCertificateToSimulatedApp } from "../test-support/e2e/fixtures";
import { CLI_SCOPES } from "../test-support/provisioning-scenario";
import { completeStep, enterAppValues, expectAccessible, fillIds, openConnectionTab, startOrganisationWizard, verify } from "../test-support/e2e/wizard";
import type { Page } from "@playwright/test";

/**
 * Certificate credentials in the wizard (issue 14): one the console generates and one the admin
 * brings as a PFX. Entra's "Upload certificate" is simulated through the simulator's scenario API.
 */

test.describe.configure({ mode: "serial" });
test.use({ storageState: storageStatePath("admin") });

const fixtures = path.join(import.meta.dirname, "..", "test-support", "certificates");
const fixtureKey = readFileSync(path.join(fixtures, "key-a.pem"), "utf8");

// What a leak of the uploaded key would look like: its PEM lines, and its DER as one base64 string.
for (const type of ["pkcs8", "pkcs1"] as const) {
  const pem = createPrivateKey(fixtureKey).export({ type, format: "pem" }).toString();
  for (const line of pem.split("\n").filter((text) => text.length === 64)) rememberSecret(line);
  rememberSecret(createPrivateKey(fixtureKey).export({ type, format: "der" }).toString("base64"));
}

rememberSecret(SWITCHED_APP_SECRET);

async function throughTheSecretStep(page: Page, name: string, clientId: string): Promise<void> {
  await startOrganisationWizard(page);
  await page.goto("/connections/new/copy-ids");
  await fillIds(page, { name, tenant: demo.contoso.domain, clientId });
  await completeStep(page, "client-secret");
  await expect(page.getByRole("heading", { name: "Add a credential" })).toBeVisible();
}

async function verifyAndSave(page: Page): Promise<void> {
  await page.goto("/connections/new/mailbox-scope");
  await page.getByLabel("Test mailbox").fill(demo.users.adele.upn);
  await completeStep(page, "verify");
  await expect(page.getByText(/^Certificate [0-9A-F]{40}, valid until/)).toBeVisible();
  const summary = await verify(page);
  await expect(summary).toHaveText(/All checks passed/);
  await expect(page.locator('[data-check-id="token"]')).toContainText("certificate");
  await page.getByRole("button", { name: "Save the connection" }).click();
  await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}\?saved=1$/);
  await expect(page.getByText("Healthy", { exact: true })).toBeVisible();
}

/** A connection with the app's client secret, saved through the wizard: the start of a switch to a certificate. */
async function saveSecretConnection(page: Page, name: string, clientId: string): Promise<void> {
  await startOrganisationWizard(page);
  await enterAppValues(page, { name, tenant: demo.contoso.domain, clientId, secret: SWITCHED_APP_SECRET });
  await page.goto("/connections/new/mailbox-scope");
  await page.getByLabel("Test mailbox").fill(demo.users.adele.upn);
  await completeStep(page, "verify");
  await expect(await verify(page)).toHaveText(/All checks passed/);
  await page.getByRole("button", { name: "Save the connection" }).click();
  await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}\?saved=1$/);
}

test("the wizard generates a certificate, the admin uploads it in Entra, and the connection verifies and saves with it", async ({ page, shot }) => {
  test.setTimeout(120_000);
  await throughTheSecretStep(page, "Certificate calendars", CERTIFICATE_APPS.generated);
  await page.getByLabel("Valid for").selectOption("6");
  await page.getByRole("button", { name: "Generate a certificate" }).click();
  const thumbprint = page.getByTestId("portal-thumbprint");
  await expect(thumbprint).toHaveText(/^[0-9A-F]{40}$/);
  await expectAccessible(page);
  await shot("certificate-01-generated");

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download the certificate (.cer)" }).click();
  const file = await (await download).path();
  const certificate = new X509Certificate(readFileSync(file));
  expect(certificate.fingerprint.replaceAll(":", "")).toBe(await thumbprint.textContent());
  expect(certificate.subject).toContain("CN=Calsync Console: Certificate calendars");
  const months = (Date.parse(certificate.validTo) - Date.now()) / (30.4 * 86_400_000);
  expect(months).toBeGreaterThan(5.5);
  expect(months).toBeLessThan(6.5);

  // Continuing before the upload is allowed; verifying then names the missing upload.
  const uploaded = await uploadCertificateToSimulatedApp(CERTIFICATE_APPS.generated, certificate.toString());
  expect(uploaded.thumbprint).toBe(await thumbprint.textContent());
  await page.getByRole("button", { name: "Use this certificate and continue" }).click();
  await expect(page).toHaveURL(/\/connections\/new\/api-permissions$/);
  await verifyAndSave(page);
  await expect(page.getByText(/made by Calsync Console, SHA-256 thumbprint/)).toBeVisible();
  const pemDownload = page.waitForEvent("download");
  await page.getByRole("link", { name: "(.pem)" }).click();
  const pem = readFileSync(await (await pemDownload).path(), "utf8");
  expect(pem).toContain("BEGIN CERTIFICATE");
  expect(pem).not.toContain("PRIVATE KEY");
  await shot("certificate-02-saved");

  // The ids renewal needs, added later on the Settings tab: a client ID pasted as the Object ID is named.
  await openConnectionTab(page, "Settings");
  const ids = page.getByRole("region", { name: "Certificate renewal ids" });
  await ids.getByLabel("Object ID", { exact: true }).fill(CERTIFICATE_APPS.generated);
  await ids.getByRole("button", { name: "Save the ids" }).click();
  await expect(ids.getByText("That is the Application (client) ID. The Object ID is the value below it on the Overview page").first()).toBeVisible();
  await ids.getByLabel("Object ID", { exact: true }).fill(derivedGuid(`app:${demo.contoso.id}:${CERTIFICATE_APPS.generated}`));
  await ids.getByLabel("Certificate ID", { exact: true }).fill(uploaded.keyId);
  await ids.getByRole("button", { name: "Save the ids" }).click();
  await expect(page.getByText("Saved. Renewal uses these ids from now on.")).toBeVisible();
  await page.reload();
  await expect(page.getByRole("region", { name: "Certificate renewal ids" }).getByLabel("Certificate ID", { exact: true })).toHaveValue(uploaded.keyId);
  await expectAccessible(page);
});

test("an admin brings their own PFX: a wrong password is named, the right one verifies and saves", async ({ page }) => {
  await throughTheSecretStep(page, "PFX calendars", CERTIFICATE_APPS.pfx);
  await page.getByText("Bring your own certificate (PFX or PEM)").click();
  await page.getByLabel(/Certificate file with its private key/).setInputFiles(path.join(fixtures, "bundle-a.pfx"));
  await page.getByLabel("Password of the PFX file or the encrypted key").fill("not the password");
  await page.getByRole("button", { name: "Upload the certificate" }).click();
  await expect(page.getByText("The password does not open this PFX file. Check it and try again.")).toBeVisible();
  await expect(page.getByTestId("portal-thumbprint")).toHaveCount(0);

  await page.getByLabel(/Certificate file with its private key/).setInputFiles(path.join(fixtures, "bundle-a.pfx"));
  await page.getByLabel("Password of the PFX file or the encrypted key").fill("fixture-password");
  await page.getByRole("button", { name: "Upload the certificate" }).click();
  const expected = new X509Certificate(readFileSync(path.join(fixtures, "cert-a.pem")));
  await expect(page.getByTestId("portal-thumbprint")).toHaveText(expected.fingerprint.replaceAll(":", ""));
  await expect(page.getByText("You (uploaded)")).toBeVisible();
  await uploadCertificateToSimulatedApp(CERTIFICATE_APPS.pfx, expected.toString());
  await page.getByRole("button", { name: "Use this certificate and continue" }).click();
  await expect(page).toHaveURL(/\/connections\/new\/api-permissions$/);
  await verifyAndSave(page);
  await expect(page.getByText(`SHA-256 thumbprint ${createHash("sha256").update(expected.raw).digest("hex").toUpperCase()}`)).toBeVisible();
});

test("an admin switches a secret connection to a certificate, and later sees Calsync renew it on the timeline", async ({ page, shot }) => {
  test.setTimeout(150_000);
  await saveSecretConnection(page, "Switching calendars", CERTIFICATE_APPS.switched);
  await expect(page.getByText(`ends in …${SWITCHED_APP_SECRET.slice(-4)}`)).toBeVisible();
  const connectionPath = new URL(page.url()).pathname;

  // A three-month certificate: inside the e2e console's renewal window (CALSYNC_CERT_RENEW_DAYS=100).
  await openConnectionTab(page, "Settings");
  const section = page.getByRole("region", { name: "Switch to a certificate" });
  await section.getByLabel("Valid for").selectOption("3");
  await section.getByRole("button", { name: "Generate a certificate" }).click();
  const thumbprint = page.getByTestId("pending-thumbprint");
  await expect(thumbprint).toHaveText(/^[0-9A-F]{40}$/);
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download the new certificate (.cer)" }).click();
  const certificate = new X509Certificate(readFileSync(await (await download).path()));

  // Before the upload the switch is refused and the secret stays.
  await page.getByRole("button", { name: "Verify and switch" }).click();
  await expect(page.getByText(/Not switched: the verification with the certificate failed/)).toBeVisible();
  await uploadCertificateToSimulatedApp(CERTIFICATE_APPS.switched, certificate.toString());
  await page.getByLabel("Object ID (optional, for renewal)").fill(CERTIFICATE_APPS.switched);
  await page.getByRole("button", { name: "Verify and switch" }).click();
  await expect(page.getByText("That is the Application (client) ID. The Object ID is the value below it on the Overview page").first()).toBeVisible();
  await page.getByLabel("Object ID (optional, for renewal)").fill(derivedGuid(`app:${demo.contoso.id}:${CERTIFICATE_APPS.switched}`));
  await page.getByRole("button", { name: "Verify and switch" }).click();
  await expect(page).toHaveURL(/\?switched=1$/);
  await expect(page.getByText(/Switched: the connection now signs in with the certificate. Delete the old client secret in Entra/)).toBeVisible();
  await expect(page.getByText(/made by Calsync Console, SHA-256 thumbprint/)).toBeVisible();
  await shot("certificate-03-switched");

  // The scheduler renews it within a tick or two; the admin sees it on the connection's timeline.
  await expect(async () => {
    await page.goto(`${connectionPath}?tab=timeline`);
    await expect(page.getByText("Check run (renewal): no check failed")).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 90_000 });
  await openConnectionTab(page, "Overview");
  await expect(page.getByText(/made by Calsync Console, SHA-256 thumbprint/)).toBeVisible();
  await expect(page.getByText(new RegExp(`SHA-256 thumbprint ${createHash("sha256").update(certificate.raw).digest("hex").toUpperCase()}`))).toHaveCount(0);
  await shot("certificate-04-renewed");
});

test("an admin lets Calsync upload the certificate with their Graph token, and it verifies and switches", async ({ page }) => {
  test.setTimeout(120_000);
  await saveSecretConnection(page, "Uploaded calendars", CERTIFICATE_APPS.uploadForMe);

  await openConnectionTab(page, "Settings");
  await page.getByRole("region", { name: "Switch to a certificate" }).getByRole("button", { name: "Generate a certificate" }).click();
  await expect(page.getByTestId("pending-thumbprint")).toHaveText(/^[0-9A-F]{40}$/);

  const weak = await simulatedAdminToken(demo.users.admin.id, ["User.Read"]);
  rememberSecret(weak);
  await page.getByLabel("The token the command printed").fill(weak);
  await page.getByRole("button", { name: "Upload with this token, then switch" }).click();
  await expect(page.getByText(/lacks Application.ReadWrite.All/).first()).toBeVisible();
  await expect(page.getByLabel("The token the command printed")).toHaveValue("");

  const admin = await simulatedAdminToken(demo.users.admin.id, CLI_SCOPES);
  rememberSecret(admin);
  await page.getByLabel("The token the command printed").fill(admin);
  await page.getByRole("button", { name: "Upload with this token, then switch" }).click();
  await expect(page).toHaveURL(/\?switched=1$/);
  await expect(page.getByText(/made by Calsync Console, SHA-256 thumbprint/)).toBeVisible();
  await openConnectionTab(page, "Settings");
  const ids = page.getByRole("region", { name: "Certificate renewal ids" });
  await expect(ids.getByLabel("Object ID", { exact: true })).toHaveValue(derivedGuid(`app:${demo.contoso.id}:${CERTIFICATE_APPS.uploadForMe}`));
  await expect(ids.getByLabel("Certificate ID", { exact: true })).toHaveValue(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
});

test("the script path with a certificate: the scripts carry only the public certificate, and the pasted ids save a certificate connection", async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto("/connections/new");
  const discard = page.getByRole("button", { name: "Discard it and start over" });
  if (await discard.count()) await discard.click();
  await page.getByLabel(/with a setup script/).check();
  await page.getByRole("button", { name: /^Start/ }).click();
  await expect(page).toHaveURL(/\/connections\/new\/script$/);
  // The recommended credential opens first.
  await expect(page.getByRole("tab", { name: "Certificate (recommended)" })).toHaveAttribute("aria-selected", "true");
  await page.getByRole("button", { name: "Generate the certificate" }).click();
  const shown = page.getByTestId("script-certificate");
  await expect(shown).toContainText(/[0-9A-F]{40}/);
  const thumbprint = /[0-9A-F]{40}/.exec((await shown.textContent()) ?? "")![0];

  const bash = (await page.getByLabel("register-calsync-app.sh").textContent()) ?? "";
  const powerShell = (await page.getByLabel("register-calsync-app.ps1").textContent()) ?? "";
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(bash)![0];
  const certificate = new X509Certificate(pem);
  expect(certificate.fingerprint.replaceAll(":", "")).toBe(thumbprint);
  expect(certificate.subject).toContain("CN=Calsync Console:");
  expect(bash).toContain("az ad app credential reset --id \"$APP_ID\" --cert @calsync-certificate.pem --append");
  expect(powerShell).toContain(`FromBase64String('${certificate.raw.toString("base64")}')`);
  expect(powerShell).toContain("Update-MgApplication -ApplicationId $app.Id -KeyCredentials");
  for (const script of [bash, powerShell]) {
    expect(script).not.toMatch(/PRIVATE KEY|--years|Add-MgApplicationPassword/);
    expect(script).toContain("Certificate ID:");
  }
  // The sealed key reaches no page: not in the HTML, not as a PEM block.
  expect(await page.content()).not.toContain("PRIVATE KEY");
  await expectAccessible(page);

  // The script's upload, simulated; then its printed lines pasted back.
  const uploaded = await uploadCertificateToSimulatedApp(CERTIFICATE_APPS.script, pem);
  expect(uploaded.thumbprint).toBe(thumbprint);
  const objectId = derivedGuid(`app:${demo.contoso.id}:${CERTIFICATE_APPS.script}`);
  await page.getByLabel("The script's output").fill(
    [
      "Done. Paste these four lines into Calsync:",
      `  Directory (tenant) ID:    ${demo.contoso.id}`,
      `  Application (client) ID:  ${CERTIFICATE_APPS.script}`,
      `  Object ID:                ${objectId}`,
      `  Certificate ID:           ${uploaded.keyId}`,
    ].join("\n"),
  );
  await expect(page.getByLabel("Object ID", { exact: true })).toHaveValue(objectId);
  await expect(page.getByLabel("Certificate ID", { exact: true })).toHaveValue(uploaded.keyId);
  await page.getByLabel("Connection name").fill("Scripted certificate calendars");
  await page.getByRole("button", { name: "Verify with Microsoft" }).click();
  await expect(page.getByRole("status").filter({ hasText: /All checks passed/ })).toBeVisible();
  await expect(page.locator('[data-check-id="token"]')).toContainText("certificate");
  await page.getByRole("button", { name: "Save the connection" }).click();
  await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}\?saved=1$/);
  await expect(page.getByText(/made by Calsync Console, SHA-256 thumbprint/)).toBeVisible();
  await openConnectionTab(page, "Settings");
  await expect(page.getByRole("region", { name: "Certificate renewal ids" }).getByLabel("Certificate ID", { exact: true })).toHaveValue(uploaded.keyId);
});
