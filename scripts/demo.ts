// `npm run demo [-- --reset]`: the whole product with no Microsoft account. Starts the Entra ID + Graph
// simulator (its command line, as a child process) and the console in production mode with the
// `custom` cloud pointed at it, each with its state in the demo's own folder (./demo-data, never
// ./data). The first run seeds a realistic organisation; later runs resume it; --reset starts afresh.
// Ctrl-C (or SIGTERM) stops both.
//
// Like scripts/server.mjs, this launcher reads PORT and CALSYNC_DEMO_DIR itself: it must choose ports
// and folders before any console code runs. The console validates its whole environment (lib/env.ts).
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { z } from "zod";
import { userTraits } from "../simulator/authorize";
import { demoScenario } from "../simulator/demo-scenario";
import { loadDemoScenario } from "../simulator/scenario";

const root = fileURLToPath(new URL("..", import.meta.url));
const tsx = path.join(root, "node_modules", ".bin", "tsx");
const STATE_FILE = "demo-state.json";
const LOCK_FILE = "running.pid";
/** What a demo folder may hold; --reset and a failed first run delete only folders made of these. */
const DEMO_ENTRIES = new Set([STATE_FILE, LOCK_FILE, "pglite", "seal-keys", "simulator", "console.log", "simulator.log"]);
const HEALTH_DEADLINE_MS = 15 * 60_000;

const accountSchema = z.object({
  role: z.enum(["admin", "helpdesk", "member"]),
  email: z.string(),
  displayName: z.string(),
  password: z.string(),
  totpUri: z.string().optional(),
});
const stateSchema = z.object({
  version: z.literal(1),
  consolePort: z.number().int(),
  simulatorPort: z.number().int(),
  accounts: z.array(accountSchema),
});
type DemoState = z.infer<typeof stateSchema>;
const seedOutputSchema = z.object({ accounts: z.array(accountSchema), apiKey: z.string() });

function fail(message: string): never {
  process.stderr.write(`\nnpm run demo: ${message}\n`);
  process.exit(1);
}

function portFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === "") return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`${name} must be a port number (1-65535), got ${JSON.stringify(value)}`);
  return port;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The embedded database opens in one process at a time: a second demo on the same folder must not start. */
function refuseSecondDemo(lockFile: string): void {
  if (!existsSync(lockFile)) return;
  const pid = Number(readFileSync(lockFile, "utf8"));
  if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isRunning(pid)) {
    fail(`a demo is already running from ${path.dirname(lockFile)} (process ${pid}). Stop it with Ctrl-C first, or set CALSYNC_DEMO_DIR to another folder.`);
  }
}

function readState(file: string): DemoState | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = stateSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) fail(`${file} is damaged; start afresh with npm run demo -- --reset`);
  return parsed.data;
}

/** Deletes a demo folder, refusing anything that holds more than a demo leaves behind. */
function removeDemoFolder(dir: string): void {
  if (!existsSync(dir)) return;
  const strangers = readdirSync(dir).filter((entry) => !DEMO_ENTRIES.has(entry));
  if (strangers.length > 0) fail(`${dir} holds files a demo does not make (${strangers.slice(0, 3).join(", ")}); not deleting it. Choose another CALSYNC_DEMO_DIR.`);
  rmSync(dir, { recursive: true, force: true });
}

/** A resumed demo keeps its console port: the simulator's registered redirect URIs follow a change. */
function moveRedirectUris(simulatorDir: string, from: number, to: number): void {
  const file = path.join(simulatorDir, "state.json");
  if (from === to || !existsSync(file)) return;
  const kept = JSON.parse(readFileSync(file, "utf8")) as { scenario: { tenants: { apps: { redirectUris: string[] }[] }[] } };
  for (const tenant of kept.scenario.tenants) {
    for (const app of tenant.apps) {
      app.redirectUris = app.redirectUris.map((uri) => {
        const url = new URL(uri);
        if (url.port === String(from) && ["127.0.0.1", "localhost"].includes(url.hostname)) url.port = String(to);
        return url.toString();
      });
    }
  }
  writeFileSync(file, JSON.stringify(kept), { mode: 0o600 });
}

const children = new Set<ChildProcess>();

async function stopAll(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
        }),
    ),
  );
}

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

type Simulator = { origin: string; caCertPath: string; browserOrigin: string; process: ChildProcess };

async function startSimulator(options: { stateDir: string; scenarioFile: string; port: number; browserPort: number; log: string }): Promise<Simulator> {
  const child = track(
    spawn(
      tsx,
      [
        "simulator/cli.ts",
        "--state-dir", options.stateDir,
        "--scenario", options.scenarioFile,
        "--port", String(options.port),
        "--browser-http-port", String(options.browserPort),
        "--persist",
        "--show-accounts",
        "--verbose",
      ],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
    ),
  );
  const log = createWriteStream(options.log, { flags: "a" });
  child.stderr!.pipe(log);
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<string | undefined>((resolve) => {
    lines.once("line", resolve);
    child.once("exit", () => resolve(undefined));
  });
  if (!ready) fail(`the simulator did not start; see ${options.log}`);
  const parsed = z.object({ origin: z.string(), caCertPath: z.string(), browserOrigin: z.string() }).parse(JSON.parse(ready));
  return { ...parsed, process: child };
}

function consoleEnv(options: { port: number; dataDir: string; simulator: Simulator }): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(options.port),
    CALSYNC_DATA_DIR: options.dataDir,
    // Empty rather than unset: Next.js fills unset variables from a .env file, which is for the real console.
    DATABASE_URL: "",
    CALSYNC_SEAL_KEYS: "",
    CALSYNC_PUBLIC_URL: "",
    CALSYNC_CLOUD: "custom",
    CALSYNC_AUTHORITY_HOST: options.simulator.origin,
    CALSYNC_GRAPH_HOST: options.simulator.origin,
    CALSYNC_AUTHORITY_BROWSER_HOST: options.simulator.browserOrigin,
    CALSYNC_DEMO: "true",
    CALSYNC_SCHEDULER: "on",
    NODE_EXTRA_CA_CERTS: options.simulator.caCertPath,
  };
}

async function seed(env: NodeJS.ProcessEnv): Promise<z.infer<typeof seedOutputSchema>> {
  const child = track(spawn(tsx, ["--conditions=react-server", "scripts/demo-seed.ts"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] }));
  let output = "";
  let errors = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  // The console's start-up warnings (such as the key file next to the data) are not news in a demo.
  child.stderr!.on("data", (chunk: Buffer) => (errors += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", (exitCode) => resolve(exitCode)));
  const result = output
    .split("\n")
    .reverse()
    .map((line) => seedOutputSchema.safeParse((() => { try { return JSON.parse(line); } catch { return null; } })()))
    .find((parsed) => parsed.success);
  if (code !== 0 || !result?.success) throw new Error(`seeding the demo failed:\n${errors.trim()}`);
  return result.data;
}

async function waitForConsole(url: string, console: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + HEALTH_DEADLINE_MS;
  for (;;) {
    if (console.exitCode !== null || console.signalCode !== null) throw new Error(`the console stopped while starting; see ${log}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the console did not answer within ${HEALTH_DEADLINE_MS / 60_000} minutes; see ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function microsoftAccounts(): Promise<string[]> {
  const scenario = await loadDemoScenario();
  const contoso = scenario.tenants[0]!;
  return contoso.users.map((user) => {
    const traits = userTraits(user);
    return `    ${user.upn.padEnd(48)} ${user.password}   ${user.displayName}${traits.length ? ` (${traits.join("; ")})` : ""}`;
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { reset: { type: "boolean", default: false } }, strict: true });
  const dir = path.resolve(process.env.CALSYNC_DEMO_DIR || path.join(root, "demo-data"));
  if (dir === path.resolve(root, "data") || dir === root) fail(`CALSYNC_DEMO_DIR must not be ${dir}: the demo never touches the console's own data`);
  const consolePort = portFrom(process.env.PORT, 3000, "PORT");
  const stateFile = path.join(dir, STATE_FILE);
  const simulatorDir = path.join(dir, "simulator");

  const lockFile = path.join(dir, LOCK_FILE);
  refuseSecondDemo(lockFile);
  if (values.reset) removeDemoFolder(dir);
  let state = readState(stateFile);
  // A first run that failed half-way left a folder without a state file: start it again from scratch.
  if (!state) removeDemoFolder(dir);
  mkdirSync(simulatorDir, { recursive: true });
  writeFileSync(lockFile, String(process.pid));

  if (!(await isFree(consolePort))) fail(`port ${consolePort} is in use. Stop what uses it, or run PORT=3001 npm run demo`);
  let simulatorPort = 0;
  let warning = "";
  if (state) {
    moveRedirectUris(simulatorDir, state.consolePort, consolePort);
    if (await isFree(state.simulatorPort)) simulatorPort = state.simulatorPort;
    else warning = `The simulator's previous port ${state.simulatorPort} is in use, so it moved; connected mailboxes will ask to be reconnected.`;
  }
  const scenarioFile = path.join(simulatorDir, "scenario.json");
  if (!state) writeFileSync(scenarioFile, JSON.stringify(await demoScenario(consolePort)));

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write("\nStopping the demo…\n");
    void stopAll().then(() => {
      rmSync(lockFile, { force: true });
      process.exit(0);
    });
  };
  // `on`, not `once`: Ctrl-C reaches this process twice (from the terminal and relayed by tsx), and the
  // second must not cut the clean-up short.
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  const url = `http://127.0.0.1:${consolePort}`;
  const consoleLog = path.join(dir, "console.log");
  try {
    process.stdout.write(state ? "Resuming the Calsync demo…\n" : "Starting a new Calsync demo…\n");
    const simulator = await startSimulator({ stateDir: simulatorDir, scenarioFile, port: simulatorPort, browserPort: 0, log: path.join(dir, "simulator.log") });
    const env = consoleEnv({ port: consolePort, dataDir: dir, simulator });
    let apiKey: string | undefined;
    if (!state) {
      process.stdout.write("Seeding a demo organisation (accounts, connections, a few weeks of checks)…\n");
      const seeded = await seed(env);
      apiKey = seeded.apiKey;
      state = { version: 1, consolePort, simulatorPort: Number(new URL(simulator.origin).port), accounts: seeded.accounts };
    }
    state = { ...state, consolePort, simulatorPort: Number(new URL(simulator.origin).port) };
    writeFileSync(stateFile, JSON.stringify(state, null, 2), { mode: 0o600 });

    process.stdout.write("Starting the console (it builds first when the sources changed; that takes a few minutes)…\n");
    const log = createWriteStream(consoleLog, { flags: "a" });
    const consoleProcess = track(spawn(process.execPath, ["scripts/start.mjs"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] }));
    consoleProcess.stdout!.pipe(log);
    consoleProcess.stderr!.pipe(log);
    await waitForConsole(url, consoleProcess, consoleLog);
    consoleProcess.once("exit", () => {
      if (!stopping) process.stderr.write(`The console stopped; see ${consoleLog}\n`);
      stop();
    });
    simulator.process.once("exit", () => {
      if (!stopping) process.stderr.write(`The simulator stopped; see ${path.join(dir, "simulator.log")}\n`);
      stop();
    });

    const width = Math.max(...state.accounts.map((account) => account.email.length));
    const lines = [
      "",
      "  Calsync Console demo: Microsoft is simulated, nothing leaves this computer.",
      "",
      `    Open:  ${url}`,
      "",
      "  Console accounts (sign in with any of them):",
      ...state.accounts.map((account) => `    ${account.role.padEnd(9)} ${account.email.padEnd(width)}  ${account.password}`),
      "",
      "  Multi-factor authentication is optional in the demo. One account has an authenticator app; add this URI",
      "  to any TOTP app (or turn it into a QR code) to sign in with it:",
      ...state.accounts.flatMap((account) => (account.totpUri ? [`    ${account.email}: ${account.totpUri}`] : [])),
      "",
      ...(apiKey
        ? ["  API key for the sync engine (shown only now):", `    ${apiKey}`, `    curl -H "Authorization: Bearer ${apiKey}" ${url}/api/v1/connections`, ""]
        : []),
      "  Simulated Microsoft accounts (the sign-in pages list them too):",
      ...(await microsoftAccounts()),
      "",
      `  Simulator: ${simulator.origin} (Graph and tokens), ${simulator.browserOrigin} (sign-in pages)`,
      `  Data: ${dir} (logs: console.log, simulator.log)`,
      ...(warning ? ["", `  ${warning}`] : []),
      "",
      "  Ctrl-C stops the demo; npm run demo resumes it; npm run demo -- --reset starts afresh.",
      "",
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } catch (error) {
    await stopAll();
    rmSync(lockFile, { force: true });
    fail(error instanceof Error ? error.message : String(error));
  }
}

void main();
