import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import { storageStatePath } from "../test-support/e2e/server";
import { expect, takeOneTimeValue, test } from "../test-support/e2e/fixtures";
import { expectAccessible } from "../test-support/e2e/wizard";

/** The admin settings a sync-engine operator needs: alert channels (and their test button). */

test.use({ storageState: storageStatePath("admin") });

test("an admin adds a signed webhook and the test button delivers to it", async ({ page, shot }) => {
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const receiver = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      received.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const port = (receiver.address() as { port: number }).port;
  try {
    await page.goto("/settings/notifications");
    await expectAccessible(page);
    const form = page.getByRole("heading", { name: "Add a channel" }).locator("..");
    await form.getByLabel("Name").fill("Ops webhook");
    await form.getByLabel("Webhook URL or email addresses").fill(`http://127.0.0.1:${port}/calsync`);
    await form.getByRole("button", { name: "Add channel" }).click();
    const secret = await takeOneTimeValue(page);
    expect(secret.length).toBeGreaterThanOrEqual(32);
    await page.reload();
    await expect(page.getByText(secret)).toHaveCount(0);

    await page.getByRole("button", { name: "Send test to Ops webhook" }).click();
    await expect(page.getByText(/sent|delivered/i).first()).toBeVisible();
    await expect.poll(() => received.length).toBe(1);
    const [delivery] = received;
    const expected = createHmac("sha256", secret).update(`${delivery!.headers["x-calsync-timestamp"]}.${delivery!.body}`).digest("hex");
    expect(delivery!.headers["x-calsync-signature"]).toBe(`sha256=${expected}`);
    expect(JSON.parse(delivery!.body)).toMatchObject({ type: expect.any(String) });
    await shot("settings-notifications");
  } finally {
    receiver.close();
  }
});

test("the Alerts page: webhooks over https, unique names, and no email channel until SMTP is configured", async ({ page }) => {
  await page.goto("/settings/notifications");
  await expect(page).toHaveTitle(/Alerts/);
  await expect(page.getByRole("heading", { level: 1, name: "Alerts" })).toBeVisible();
  // The e2e console has no SMTP server: the page says how to configure one instead of offering email.
  await expect(page.getByText(/Email alerts need an SMTP server.*CALSYNC_SMTP_URL.*CALSYNC_SMTP_FROM/)).toBeVisible();
  const form = page.getByRole("heading", { name: "Add a channel" }).locator("..");
  await expect(form.getByLabel("Kind").locator("option")).toHaveText(["Signed JSON webhook"]);

  await form.getByLabel("Name").fill("Plain hook");
  await form.getByLabel("Webhook URL or email addresses").fill("http://hooks.example.com/calsync");
  await form.getByRole("button", { name: "Add channel" }).click();
  await expect(form.getByText(/Enter an https:\/\/ URL/).first()).toBeVisible();

  await form.getByLabel("Name").fill("ops WEBHOOK");
  await form.getByLabel("Webhook URL or email addresses").fill("https://hooks.example.com/calsync");
  await form.getByRole("button", { name: "Add channel" }).click();
  await expect(form.getByText("A channel named “Ops webhook” already exists. Choose another name.")).toBeVisible();
  await page.reload();
  await expect(page.getByRole("cell", { name: "Plain hook" })).toHaveCount(0);
  await expect(page.getByRole("cell", { name: "ops WEBHOOK", exact: true })).toHaveCount(0);
  await expect(page.getByRole("cell", { name: "Ops webhook", exact: true })).toHaveCount(1);
});

test("Send test refuses a loopback target that CALSYNC_WEBHOOK_ALLOW_HOSTS does not list, without connecting", async ({ page }) => {
  const received: string[] = [];
  const receiver = createServer((request, response) => {
    received.push(request.url ?? "");
    response.writeHead(204).end();
  });
  // The e2e console allows 127.0.0.1 only; [::1] is loopback too and must stay refused.
  await new Promise<void>((resolve) => receiver.listen(0, "::1", resolve));
  const port = (receiver.address() as { port: number }).port;
  try {
    await page.goto("/settings/notifications");
    const form = page.getByRole("heading", { name: "Add a channel" }).locator("..");
    await form.getByLabel("Name").fill("Internal hook");
    await form.getByLabel("Webhook URL or email addresses").fill(`http://[::1]:${port}/calsync`);
    await form.getByRole("button", { name: "Add channel" }).click();
    await takeOneTimeValue(page);
    await page.getByRole("button", { name: "Send test to Internal hook" }).click();
    await expect(page.getByText(/The test alert to “Internal hook” was not delivered: Refused: private address\./).first()).toBeVisible();
    expect(received).toEqual([]);
  } finally {
    receiver.close();
  }
});

test("an admin creates an API key that is shown once and works for the sync engine", async ({ page, baseURL, shot }) => {
  await page.goto("/settings/api-keys");
  await expectAccessible(page);
  const form = page.getByRole("heading", { name: "Create an API key" }).locator("..");
  await form.getByLabel("Name").fill("Engine on sync-01");
  await form.getByRole("button", { name: "Create API key" }).click();
  const key = await takeOneTimeValue(page);
  expect(key).toMatch(/^csk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
  await page.reload();
  await expect(page.getByText(key)).toHaveCount(0);
  await expect(page.getByRole("cell", { name: key.slice(0, 12) })).toBeVisible();
  await shot("settings-api-keys");

  const list = await fetch(`${baseURL}/api/v1/connections`, { headers: { authorization: `Bearer ${key}` } });
  expect(list.status).toBe(200);
  const body = (await list.json()) as { data: unknown[] };
  expect(Array.isArray(body.data)).toBe(true);
  expect(JSON.stringify(body)).not.toMatch(/secret~value/);
  const wrong = await fetch(`${baseURL}/api/v1/connections`, { headers: { authorization: `Bearer ${key.slice(0, -1)}x` } });
  expect(wrong.status).toBe(401);
  expect(wrong.headers.get("content-type")).toContain("application/problem+json");

  await page.getByRole("button", { name: "Revoke Engine on sync-01" }).click();
  await expect(page.getByRole("dialog", { name: "Revoke the API key “Engine on sync-01”?" })).toBeVisible();
  await page.getByRole("dialog").getByRole("button", { name: "Revoke API key" }).click();
  await expect.poll(async () => (await fetch(`${baseURL}/api/v1/connections`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
});
