import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { CAPTURE_DIR, E2E_DATA_DIR, SECRETS_FILE, SERVER_LOG, SHOWN_ONCE_FILE, storageStatePath } from "../test-support/e2e/server";
import { expect, issuedRefreshTokens, test } from "../test-support/e2e/fixtures";

/**
 * Runs after every other spec: no password, session token, setup code, seal key or certificate
 * private key that the run created appears in any HTML or RSC payload the browsers received, or in the server log. (The audit
 * log is part of the captured pages: this spec loads it in full first.)
 */

/** Every file of the embedded database, as text, to search for values that must be sealed or hashed. */
function databaseFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(path.join(entry.parentPath, entry.name)).toString("latin1"));
}

test.use({ storageState: storageStatePath("helpdesk") });

test("no secret reached a browser, the server log or the audit log", async ({ page }) => {
  for (let pageNumber = 1; ; pageNumber += 1) {
    await page.goto(`/audit?page=${pageNumber}`);
    if ((await page.getByRole("link", { name: "Next page" }).count()) === 0) break;
  }

  const secrets = JSON.parse(readFileSync(SECRETS_FILE, "utf8")) as string[];
  // The refresh tokens Microsoft (the simulator) issued for connected mailboxes.
  const refreshTokens = await issuedRefreshTokens();
  expect(refreshTokens.length).toBeGreaterThan(0);
  secrets.push(...refreshTokens);
  const keyFile = readFileSync(path.join(E2E_DATA_DIR, "seal-keys"), "utf8").trim();
  for (const entry of keyFile.split(",")) secrets.push(entry.split(":")[1]!);
  expect(secrets.length).toBeGreaterThanOrEqual(3 + 1 + 3 + 1);

  const corpus: Array<[string, string]> = readdirSync(CAPTURE_DIR).map((file) => [file, readFileSync(path.join(CAPTURE_DIR, file), "utf8")]);
  corpus.push(["server.log", readFileSync(SERVER_LOG, "utf8").replace(/Setup code: [A-Z0-9-]+/g, "Setup code: <printed once by design>")]);
  expect(corpus.some(([, text]) => text.includes("console.claim"))).toBe(true);
  // "Set it up for me" ran, and its administrators' Graph tokens (remembered by its spec) are searched too.
  expect(corpus.some(([, text]) => text.includes("provisioning.create-app"))).toBe(true);

  for (const secret of secrets) {
    for (const [file, text] of corpus) {
      expect(text.includes(secret), `a secret (${secret.slice(0, 3)}…) appears in ${file}`).toBe(false);
    }
  }
  // Private keys: the fixture key the PFX spec uploaded is among the secrets above (its PEM lines and
  // base64 DER); keys the console generated are known only to it, so any private key is searched for,
  // as a PEM block or as the base64 of an RSA PKCS#8 or PKCS#1 DER, whose first bytes are always alike.
  const privateKey = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----|MII[\w+/]{3}IBA(?:DANBgkqhkiG9w0BAQEFAASC|AKC)/;
  for (const [file, text] of corpus) expect(privateKey.exec(text)?.[0].slice(0, 12), `a private key appears in ${file}`).toBeUndefined();

  // TOTP setup keys and recovery codes are shown once, on the page that makes them, and nowhere else:
  // not in another response, the server log or the database (where the key is sealed, the codes hashed).
  const shownOnce = JSON.parse(readFileSync(SHOWN_ONCE_FILE, "utf8")) as Array<{ kind: string; value: string; shownOn: string[] }>;
  expect(new Set(shownOnce.map((entry) => entry.kind))).toEqual(new Set(["totp-secret", "recovery-code"]));
  const responses = readdirSync(CAPTURE_DIR).flatMap((file) =>
    readFileSync(path.join(CAPTURE_DIR, file), "utf8")
      .split("\n=== ")
      .map((chunk) => ({ file, url: chunk.slice(0, chunk.indexOf("\n")), body: chunk })),
  );
  const database = databaseFiles(path.join(E2E_DATA_DIR, "pglite"));
  for (const { kind, value, shownOn } of shownOnce) {
    for (const response of responses.filter((candidate) => candidate.body.includes(value))) {
      const pathname = URL.canParse(response.url) ? new URL(response.url).pathname : response.url;
      expect(shownOn, `a ${kind} appears in ${response.file} at ${response.url}`).toContain(pathname);
    }
    expect(readFileSync(SERVER_LOG, "utf8").includes(value), `a ${kind} appears in the server log`).toBe(false);
    expect(database.some((bytes) => bytes.includes(value)), `a ${kind} appears in the database files`).toBe(false);
  }

  // Access and ID tokens are JWTs: none may show up anywhere, whoever minted it.
  const jwt = /eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,}/;
  for (const [file, text] of corpus) expect(jwt.exec(text)?.[0].slice(0, 12), `a token appears in ${file}`).toBeUndefined();
});
