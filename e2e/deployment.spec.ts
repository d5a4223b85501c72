import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "@playwright/test";
import pg from "pg";
import { Agent, fetch as fetchWithCa } from "undici";
import { startSimulator, type Simulator } from "../simulator/server";
import { testScenario } from "../test-support/check-scenario";
import { freePort, REPO_ROOT, startConsoleProcess, type ConsoleProcess } from "../test-support/console-process";
import type { DeploymentSeed } from "../test-support/deployment-seed";
import { CHROMIUM_ARGS, E2E_ROOT } from "../test-support/e2e/server";
import { expect, signOut, takeOneTimeValue, test } from "../test-support/e2e/fixtures";
import { enrolAuthenticatorApp } from "../test-support/e2e/mfa";
import { startNginxProxy, type NginxProxy } from "../test-support/nginx-proxy";
import { startPostgresCluster, type PostgresCluster } from "../test-support/postgres-cluster";
import { runSeedScript } from "../test-support/seed-script";
import { testSimulatorStateDir } from "../test-support/simulator-ca";
import { chromiumExecutable } from "../test-support/system-tools";
import { serviceCommand } from "../test-support/systemd-unit";

/**
 * The production deployment of the README's "Production" section, run for real: nginx with
 * deploy/nginx/calsync.conf terminating TLS on loopback (a throwaway CA), two console instances
 * started with deploy/systemd/calsync@.service's own ExecStart, WorkingDirectory and Environment lines
 * (and an EnvironmentFile with this run's values) on one PostgreSQL, and Chromium through the proxy.
 *
 * nginx connects to the instances from 127.0.0.2 while the browser comes from 127.0.0.1, so an
 * instance that took the socket's address for the client's would put the proxy's in the audit log.
 *
 * Chromium trusts the throwaway CA through --ignore-certificate-errors-spki-list with the CA's key
 * hash, on a browser this spec launches itself: the hash exists only once the CA is made, after the
 * config's browsers have started. Unlike ignoreHTTPSErrors, which lets any certificate through and
 * leaves the page with a certificate error (so a browser ignores its Strict-Transport-Security), the
 * list accepts only this CA's chain and makes it a valid connection.
 */

const UNIT = path.join(REPO_ROOT, "deploy/systemd/calsync@.service");
const CONNECTIONS = 16;
// Every simulator answer takes this long, so that one instance cannot finish every due check before
// the other has started its own pass.
const SIMULATOR_LATENCY_MS = 250;
const ADMIN = { name: "Production Admin", email: "ops@example.com", password: "production admin password 1" };
const MEMBER = { name: "Production Member", email: "member@example.com", password: "production member password 2" };
const FORGED_CLIENT = "203.0.113.66";

type Instance = { name: "A" | "B"; port: number; process: ConsoleProcess };

let folder = "";
let cluster: PostgresCluster | undefined;
let simulator: Simulator | undefined;
let proxy: NginxProxy | undefined;
let instances: Instance[] = [];
let seed: DeploymentSeed;
let db: pg.Client | undefined;
let browser: Browser | undefined;
let admin: BrowserContext;
let adminPage: Page;
let proxyAgent: Agent;
let leaseWatch: { stop(): Promise<Set<string>[]> } | undefined;
/** Every secret of the run, for the final look through the instances' logs. */
const secrets: string[] = [];

test.describe.configure({ mode: "serial" });

/** Every distinct set of instances holding leases at one moment, from before the instances start. */
function watchLeases(client: pg.Client): { stop(): Promise<Set<string>[]> } {
  const seen: Set<string>[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query<{ owner: string }>("SELECT DISTINCT lease_owner AS owner FROM connections WHERE lease_owner IS NOT NULL");
      if (rows.length > 0) seen.push(new Set(rows.map((row) => row.owner)));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return seen;
    },
  };
}

async function throughProxy(pathname: string): Promise<{ status: number; body: string }> {
  const response = await fetchWithCa(`${proxy!.origin}${pathname}`, { dispatcher: proxyAgent });
  return { status: response.status, body: await response.text() };
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  folder = mkdtempSync(path.join(tmpdir(), "calsync-deployment-"));
  cluster = await startPostgresCluster();
  const databaseUrl = new URL(cluster.url);
  databaseUrl.password = "deployment-db-password";
  const sealKeys = `k1:${randomBytes(32).toString("base64")}`;
  const actionKey = randomBytes(32).toString("base64");
  secrets.push(databaseUrl.password, sealKeys.slice(3), actionKey, ADMIN.password, MEMBER.password);
  seed = runSeedScript<DeploymentSeed>("test-support/deployment-seed.ts", {
    "data-dir": folder,
    "database-url": databaseUrl.toString(),
    "seal-keys": sealKeys,
    connections: String(CONNECTIONS),
  });
  db = new pg.Client({ connectionString: cluster.url });
  await db.connect();

  simulator = await startSimulator({ scenario: testScenario(CONNECTIONS), stateDir: testSimulatorStateDir });
  simulator.setFaults([{ kind: "latency", path: "*", ms: SIMULATOR_LATENCY_MS }]);

  const ports = [await freePort(), await freePort()];
  proxy = await startNginxProxy({ instances: [`127.0.0.1:${ports[0]}`, `127.0.0.1:${ports[1]}`], proxyBind: "127.0.0.2" });
  proxyAgent = new Agent({ connect: { ca: proxy.caCertPem } });

  // The installation's /etc/calsync/calsync.env for this run: the settings every instance shares.
  const environmentFile = path.join(folder, "calsync.env");
  writeFileSync(
    environmentFile,
    [
      `DATABASE_URL=${databaseUrl}`,
      `CALSYNC_SEAL_KEYS=${sealKeys}`,
      `NEXT_SERVER_ACTIONS_ENCRYPTION_KEY=${actionKey}`,
      `CALSYNC_PUBLIC_URL=${proxy.origin}`,
      "CALSYNC_CLOUD=custom",
      `CALSYNC_AUTHORITY_HOST=${simulator.origin}`,
      `CALSYNC_GRAPH_HOST=${simulator.origin}`,
      // A private CA, as an organisation with its own would set it; here the simulator's.
      `NODE_EXTRA_CA_CERTS=${simulator.caCertPath}`,
      "CALSYNC_CHECK_CONCURRENCY=2",
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  const state = path.join(folder, "state");
  // Kept after the run (the rest of the folder is not), for a failure to be looked into.
  const logs = path.join(E2E_ROOT, "deployment");
  mkdirSync(logs, { recursive: true });
  const unit = readFileSync(UNIT, "utf8");

  leaseWatch = watchLeases(db);
  // Started together, as systemd starts both units at boot: both schedulers find the due checks at once.
  const starts = await Promise.allSettled(
    (["A", "B"] as const).map(async (name, index): Promise<Instance> => {
      const port = ports[index]!;
      const command = serviceCommand(unit, {
        instance: String(port),
        paths: { "/opt/calsync": REPO_ROOT, "/var/lib/calsync": state, "/etc/calsync/calsync.env": environmentFile },
      });
      mkdirSync(command.env.CALSYNC_DATA_DIR!, { recursive: true, mode: 0o700 });
      // systemd's own PATH for services; nothing else of this process's environment.
      const env = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", ...command.env };
      const started = await startConsoleProcess({ command: command.argv, cwd: command.cwd, env, port, logFile: path.join(logs, `instance-${name}.log`) });
      return { name, port, process: started };
    }),
  );
  // The one that did start is stopped after a failed start of the other.
  instances = starts.flatMap((start) => (start.status === "fulfilled" ? [start.value] : []));
  for (const start of starts) if (start.status === "rejected") throw start.reason;

  browser = await chromium.launch({ executablePath: chromiumExecutable(), args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${proxy.caSpkiSha256}`] });
  // The browser claims to forward for someone else; the proxy appends the real address after it.
  admin = await browser.newContext({ baseURL: proxy.origin, ignoreHTTPSErrors: false, extraHTTPHeaders: { "x-forwarded-for": FORGED_CLIENT } });
  adminPage = await admin.newPage();
});

test.afterAll(async () => {
  await leaseWatch?.stop().catch(() => undefined);
  await browser?.close();
  for (const instance of instances) await instance.process.stop();
  await proxy?.stop();
  await simulator?.close();
  await db?.end();
  cluster?.resume();
  cluster?.stop();
  await proxyAgent?.close();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

test("a scheduled check runs exactly once with both instances' schedulers racing for it", async () => {
  const ids = seed.connections.map((connection) => connection.id);
  await expect
    .poll(
      async () => {
        const { rows } = await db!.query<{ pending: string }>(
          "SELECT count(*) AS pending FROM connections WHERE id = ANY($1::uuid[]) AND (lease_owner IS NOT NULL OR next_check_at <= now())",
          [ids],
        );
        return Number(rows[0]!.pending);
      },
      { timeout: 60_000, message: "every due connection checked and its lease given back" },
    )
    .toBe(0);
  const leaseSets = await leaseWatch!.stop();
  // Both instances held leases at the same moment: the check really was contended.
  expect(Math.max(...leaseSets.map((owners) => owners.size))).toBeGreaterThanOrEqual(2);

  const { rows } = await db!.query<{ id: string; runs: string }>(
    "SELECT c.id, count(r.id) AS runs FROM connections c LEFT JOIN check_runs r ON r.connection_id = c.id WHERE c.id = ANY($1::uuid[]) GROUP BY c.id",
    [ids],
  );
  expect(Object.fromEntries(rows.map((row) => [row.id, Number(row.runs)]))).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
  const tokenRequests = (clientId: string) => simulator!.requests.filter((request) => request.path.endsWith("/oauth2/v2.0/token") && request.form?.client_id === clientId).length;
  expect(Object.fromEntries(seed.connections.map(({ clientId }) => [clientId, tokenRequests(clientId)]))).toEqual(
    Object.fromEntries(seed.connections.map(({ clientId }) => [clientId, 1])),
  );
});

test("through nginx the console is claimed over TLS with HSTS, a Secure __Host- cookie, and the client's address in the audit log", async () => {
  const codes = instances.map((instance) => /Setup code: (\S+)/.exec(instance.process.output())?.[1]);
  expect(codes.every(Boolean)).toBe(true);

  const first = await adminPage.goto("/setup");
  expect(first!.url()).toBe(`${proxy!.origin}/setup`);
  expect(first!.headers()["strict-transport-security"]).toBe("max-age=31536000");
  // Each instance printed a code as it started; the one stored last is the valid one.
  let claimed = false;
  for (const code of codes) {
    await adminPage.getByLabel("Setup code").fill(code!);
    await adminPage.getByLabel("Your name").fill(ADMIN.name);
    await adminPage.getByLabel("Email").fill(ADMIN.email);
    await adminPage.getByLabel("Password", { exact: true }).fill(ADMIN.password);
    await adminPage.getByLabel("Repeat the password").fill(ADMIN.password);
    const answer = adminPage.waitForResponse((response) => response.request().method() === "POST" && new URL(response.url()).pathname === "/setup");
    await adminPage.getByRole("button", { name: "Create administrator" }).click();
    const setCookie = await (await answer).headerValue("set-cookie");
    if (setCookie) {
      expect(setCookie).toMatch(/^__Host-calsync_pending_sign_in=[^;]+;/);
      expect(setCookie).toMatch(/;\s*Secure/i);
      expect(setCookie).toMatch(/;\s*Path=\/(;|$)/i);
      expect(setCookie).not.toMatch(/;\s*Domain=/i);
      claimed = true;
      break;
    }
    await expect(adminPage.getByRole("status").getByText("That setup code is not right")).toBeVisible();
  }
  expect(claimed).toBe(true);
  // A new console's administrator sets up a second factor before anything else.
  await expect(adminPage).toHaveURL(/\/sign-in\/enrol$/);
  const { secret, recoveryCodes } = await enrolAuthenticatorApp(adminPage, ADMIN.email);
  secrets.push(secret, ...recoveryCodes);
  await adminPage.getByRole("button", { name: "Continue to the console" }).click();
  await expect(adminPage).toHaveURL(/\/\?welcome=1$/);
  const cookies = await admin.cookies();
  expect(cookies.map(({ name, secure, httpOnly }) => ({ name, secure, httpOnly }))).toEqual([{ name: "__Host-calsync_session", secure: true, httpOnly: true }]);

  const audit = await adminPage.goto("/audit");
  expect(audit!.headers()["strict-transport-security"]).toBe("max-age=31536000");
  const claim = adminPage.getByRole("row").filter({ hasText: "console.claim" });
  await expect(claim).toHaveCount(1);
  await expect(claim.getByRole("cell", { name: "127.0.0.1", exact: true })).toBeVisible();
  for (const wrong of ["127.0.0.2", FORGED_CLIENT]) await expect(adminPage.getByRole("cell", { name: wrong, exact: true })).toHaveCount(0);
});

test("a session made through the proxy works on each instance, and an admin's change is seen by both at once", async () => {
  const signedIn = async (token: string, instance: Instance) => {
    const response = await fetch(`http://127.0.0.1:${instance.port}/account`, { headers: { cookie: `__Host-calsync_session=${token}` }, redirect: "manual" });
    return response.status;
  };
  const [adminCookie] = await admin.cookies();
  secrets.push(adminCookie!.value);
  for (const instance of instances) expect(await signedIn(adminCookie!.value, instance), `instance ${instance.name}`).toBe(200);

  await adminPage.goto("/users");
  const create = adminPage.getByRole("heading", { name: "Create a user directly" }).locator("..");
  await create.getByLabel("Name").fill(MEMBER.name);
  await create.getByLabel("Email").fill(MEMBER.email);
  await create.getByLabel("Initial password").fill(MEMBER.password);
  await create.getByLabel("Repeat the password").fill(MEMBER.password);
  await create.getByRole("button", { name: "Create user" }).click();
  await expect(create.getByText(`Created ${MEMBER.email} as member.`)).toBeVisible();

  const member = await browser!.newContext({ baseURL: proxy!.origin, ignoreHTTPSErrors: false });
  const memberPage = await member.newPage();
  await memberPage.goto("/sign-in");
  await memberPage.getByLabel("Email").fill(MEMBER.email);
  await memberPage.getByLabel("Password").fill(MEMBER.password);
  await memberPage.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(memberPage.getByRole("heading", { name: `Welcome, ${MEMBER.name}` })).toBeVisible();
  const [memberCookie] = await member.cookies();
  secrets.push(memberCookie!.value);
  for (const instance of instances) expect(await signedIn(memberCookie!.value, instance), `instance ${instance.name}`).toBe(200);

  // Whichever instance takes the change, neither lets the member in afterwards.
  await adminPage.reload();
  await adminPage.getByRole("button", { name: `Deactivate ${MEMBER.email}` }).click();
  await expect(adminPage.getByRole("button", { name: `Reactivate ${MEMBER.email}` })).toBeVisible();
  for (const instance of instances) expect(await signedIn(memberCookie!.value, instance), `instance ${instance.name}`).not.toBe(200);
  await memberPage.goto("/account");
  await expect(memberPage).toHaveURL(/\/sign-in/);
  await member.close();
});

test("a connection's live checklist streams through nginx one line at a time", async () => {
  const [adminCookie] = await admin.cookies();
  const started = Date.now();
  const response = await fetchWithCa(`${proxy!.origin}/api/connections/${seed.connections[0]!.id}/checks`, {
    method: "POST",
    headers: { cookie: `__Host-calsync_session=${adminCookie!.value}`, origin: proxy!.origin },
    dispatcher: proxyAgent,
  });
  expect(response.status).toBe(200);
  const arrivals: Array<{ type: string; atMs: number }> = [];
  let pending = "";
  for await (const chunk of response.body!) {
    pending += Buffer.from(chunk).toString("utf8");
    const lines = pending.split("\n");
    pending = lines.pop()!;
    for (const line of lines.filter(Boolean)) arrivals.push({ type: (JSON.parse(line) as { type: string }).type, atMs: Date.now() - started });
  }
  expect(arrivals.at(-1)?.type).toBe("report");
  expect(arrivals.filter((arrival) => arrival.type === "check").length).toBeGreaterThan(1);
  // Each check waits for the simulator, so a proxy that held the body back would deliver it at once.
  expect(arrivals.at(-1)!.atMs - arrivals[0]!.atMs).toBeGreaterThanOrEqual(SIMULATOR_LATENCY_MS);
});

test("stopping one instance in the middle of use leaves the console working through the other", async () => {
  await adminPage.goto("/users");
  await expect(adminPage.getByRole("heading", { name: "Users", exact: true })).toBeVisible();
  const [stopped, remaining] = instances;
  await stopped!.process.stop();

  // Pages, a form and health, more requests than the instances behind nginx.
  for (const pathname of ["/status", "/audit", "/users"]) {
    const response = await adminPage.goto(pathname);
    expect(response!.status(), pathname).toBe(200);
  }
  const invite = adminPage.getByRole("heading", { name: "Invite a colleague" }).locator("..");
  await invite.getByLabel("Email").fill("after-stop@example.com");
  await invite.getByRole("button", { name: "Create invitation link" }).click();
  expect(await takeOneTimeValue(adminPage)).toMatch(new RegExp(`^${proxy!.origin}/invite/[A-Za-z0-9_-]{40,}$`));
  for (let attempt = 0; attempt < 4; attempt++) expect((await throughProxy("/api/health")).status).toBe(200);
  // nginx did try the stopped instance, and passed that request on to the other one.
  expect(proxy!.accessLog()).toContain(`upstream=127.0.0.1:${stopped!.port}, 127.0.0.1:${remaining!.port}`);
});

test("/api/health through the proxy answers 200, and 503 while PostgreSQL is stopped", async () => {
  const healthy = await throughProxy("/api/health");
  expect(healthy.status).toBe(200);
  expect(JSON.parse(healthy.body)).toMatchObject({ ready: true });

  cluster!.pause();
  try {
    const started = Date.now();
    const down = await throughProxy("/api/health");
    expect(Date.now() - started).toBeLessThan(3_000 + 2_000);
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body)).toMatchObject({ ready: false, checks: { database: { ok: false } } });
  } finally {
    cluster!.resume();
  }
  await expect.poll(async () => (await throughProxy("/api/health")).status, { timeout: 20_000 }).toBe(200);
});

test("signing out through the proxy takes the __Host- cookie out of the browser", async () => {
  await adminPage.goto("/users");
  expect((await admin.cookies()).map((cookie) => cookie.name)).toEqual(["__Host-calsync_session"]);
  await signOut(adminPage);
  await expect(adminPage).toHaveURL(/\/sign-in/);
  // A removal without Secure and path / would be ignored by the browser for a __Host- name.
  expect(await admin.cookies()).toEqual([]);
});

test("no password, key or session token of the run is in either instance's log", async () => {
  // The settings' secrets, both passwords, the admin's TOTP setup key and ten recovery codes, and both session tokens.
  expect(secrets).toHaveLength(7 + 1 + 10);
  for (const instance of instances) {
    const log = instance.process.output();
    expect(log).toContain("Calsync Console is ready");
    for (const secret of secrets) expect(log.includes(secret), `a secret (${secret.slice(0, 3)}…) in instance ${instance.name}'s log`).toBe(false);
  }
});
