/**
 * `npm run bench:api`: throughput and p99 latency of GET /api/v1/connections/{id} (with a valid API
 * key) on a real production console server on loopback, next to a plain Node `http` server that
 * answers the same JSON from memory on the same host. Target: the console reaches at least 25% of
 * the plain server's requests per second.
 *
 *   npm run bench:api [-- --duration 10 --connections 10 --rounds 3 --database pglite|postgres --cpu-prof DIR]
 *
 * Both servers get the same autocannon settings (`--duration` seconds, `--connections` connections)
 * in each of `--rounds` rounds, alternating which goes first, and the verdict is the median of the
 * rounds' console ÷ plain ratios. When the CPU is shared with other work, a single pair of runs
 * can land one server in a busy spell and the other in a quiet one (the plain figure alone has varied
 * from 19,000 to 42,000 req/s between runs); pairing each console run with the adjacent plain run and
 * taking the median keeps one such spell from deciding the result. Every round is printed.
 *
 * A last row answers 401 to a request without a key: the same route without a key lookup or a read,
 * i.e. the HTTP floor of the console process on the host it runs on, which shows how much of the gap is ours.
 *
 * The data folder is seeded before the server starts because PGlite allows one process at a time;
 * `--database postgres` uses a throwaway cluster (test-support/postgres-cluster.ts) instead.
 * Each autocannon connection gets its own API key in each round, so the per-key rate limit (at most
 * 100 000 a minute) measures nothing here. `--cpu-prof DIR` writes a V8 CPU profile of the console
 * process there. Needs a build (`npm run build`); one is made when it is missing.
 * Exit code 0 when the median ratio meets the target, 1 otherwise.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { loadEnvFiles } from "@/lib/env-files";
import { freePort, startConsoleProcess, type ConsoleProcess } from "@/test-support/console-process";
import { seedEngineApi } from "@/test-support/engine-api-seed";
import { startPostgresCluster, type PostgresCluster } from "@/test-support/postgres-cluster";

loadEnvFiles();

const TARGET_RATIO = 0.25;
const root = fileURLToPath(new URL("..", import.meta.url));
const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "10" },
    rounds: { type: "string", default: "3" },
    database: { type: "string", default: "pglite" },
    "cpu-prof": { type: "string" },
  },
});
if (args.database !== "pglite" && args.database !== "postgres") throw new Error("--database must be pglite or postgres");
const duration = Number(args.duration);
const connections = Number(args.connections);
const rounds = Number(args.rounds);
if (!(rounds >= 1)) throw new Error("--rounds must be at least 1");

/** The build must contain the API; the lead may be building at the same moment, so retry a few times. */
async function ensureBuild(): Promise<void> {
  const routeFile = path.join(root, ".next/server/app/api/v1/connections/[id]/route.js");
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    if (existsSync(path.join(root, ".next/BUILD_ID")) && existsSync(routeFile)) return;
    console.log(`No production build with the API yet; building (attempt ${attempt})…`);
    const result = spawnSync(process.execPath, ["scripts/start.mjs", "--build"], { cwd: root, stdio: "inherit" });
    if (result.status === 0 && existsSync(routeFile)) return;
    await new Promise((resolve) => setTimeout(resolve, 15_000));
  }
  throw new Error("Could not produce a build containing /api/v1; run `npm run build` and try again.");
}

/** A set of keys for the warm-up and one for each round, all with connections:read only. */
async function seed(dataDir: string, postgres: { url: string; sealKeys: string } | null): Promise<{ connectionId: string; keys: string[] }> {
  const names = Array.from({ length: connections * (rounds + 1) }, (_, index) => `bench ${index}`);
  const seeded = await seedEngineApi({ dataDir, postgres: postgres ?? undefined }, Object.fromEntries(names.map((name) => [name, ["connections:read" as const]])));
  return { connectionId: seeded.connectionId, keys: names.map((name) => seeded.keys[name]!) };
}

/** A plain Node server answering the same bytes, in its own process like the console. */
function startPlainServer(port: number, body: string): ChildProcess {
  const source = `
    const body = Buffer.from(process.env.BENCH_BODY);
    require("node:http").createServer((req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
      res.end(body);
    }).listen(${port}, "127.0.0.1", () => process.stdout.write("ready\\n"));`;
  return spawn(process.execPath, ["-e", source], { env: { ...process.env, BENCH_BODY: body }, stdio: ["ignore", "pipe", "inherit"] });
}

async function load(url: string, keys: string[], seconds: number): Promise<autocannon.Result> {
  let next = 0;
  return autocannon({
    url,
    connections,
    duration: seconds,
    setupClient: (client) => {
      if (keys.length) client.setHeaders({ authorization: `Bearer ${keys[next++ % keys.length]}` });
    },
  });
}

function stop(child: ChildProcess | undefined): void {
  if (child && child.exitCode === null && child.pid) process.kill(child.pid, "SIGTERM");
}

async function main(): Promise<number> {
  await ensureBuild();
  const dataDir = await mkdtemp(path.join(tmpdir(), "calsync-bench-api-"));
  let consoleServer: ConsoleProcess | undefined;
  let plainServer: ChildProcess | undefined;
  let cluster: PostgresCluster | undefined;
  try {
    let postgres: { url: string; sealKeys: string } | null = null;
    if (args.database === "postgres") {
      cluster = await startPostgresCluster();
      postgres = { url: cluster.url, sealKeys: `bench:${randomBytes(32).toString("base64")}` };
    }
    const { connectionId, keys } = await seed(dataDir, postgres);
    const [consolePort, plainPort] = [await freePort(), await freePort()];
    const profile = args["cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(args["cpu-prof"])}`] : [];
    consoleServer = await startConsoleProcess({
      entry: "server",
      port: consolePort,
      nodeArgs: profile,
      env: {
        ...process.env,
        PORT: String(consolePort),
        HOST: "127.0.0.1",
        NODE_ENV: "production",
        CALSYNC_DATA_DIR: dataDir,
        CALSYNC_SCHEDULER: "off",
        CALSYNC_LOG_LEVEL: "warn",
        CALSYNC_API_RATE_LIMIT_PER_MINUTE: "100000",
        DATABASE_URL: postgres?.url ?? "",
        CALSYNC_SEAL_KEYS: postgres?.sealKeys ?? "",
      },
    });
    const origin = consoleServer.origin;
    const url = `${origin}/api/v1/connections/${connectionId}`;
    const sample = await fetch(url, { headers: { authorization: `Bearer ${keys[0]}` } });
    if (sample.status !== 200) throw new Error(`The console answered ${sample.status}: ${await sample.text()}`);
    const body = await sample.text();

    plainServer = startPlainServer(plainPort, body);
    await new Promise<void>((resolve, reject) => {
      plainServer!.stdout!.once("data", () => resolve());
      plainServer!.once("exit", (code) => reject(new Error(`The plain server exited with code ${code}`)));
    });
    const plainUrl = `http://127.0.0.1:${plainPort}/`;

    const keysFor = (set: number) => keys.slice(set * connections, (set + 1) * connections);
    console.log(`Warming up both servers (2 s each), then ${rounds} round(s) of ${duration} s each with ${connections} connections…`);
    await load(url, keysFor(0), 2);
    await load(plainUrl, [], 2);
    const results: { console: autocannon.Result; plain: autocannon.Result; ratio: number }[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      const consoleFirst = round % 2 === 1;
      const first = await load(consoleFirst ? url : plainUrl, consoleFirst ? keysFor(round) : [], duration);
      const second = await load(consoleFirst ? plainUrl : url, consoleFirst ? [] : keysFor(round), duration);
      const [consoleResult, plainResult] = consoleFirst ? [first, second] : [second, first];
      results.push({ console: consoleResult, plain: plainResult, ratio: consoleResult.requests.average / plainResult.requests.average });
    }
    const floorResult = await load(url, [], duration);

    const ratios = results.map((result) => result.ratio).sort((a, b) => a - b);
    const middle = Math.floor(ratios.length / 2);
    const ratio = ratios.length % 2 ? ratios[middle]! : (ratios[middle - 1]! + ratios[middle]!) / 2;
    const row = (label: string, result: autocannon.Result) =>
      `${label.padEnd(48)} ${result.requests.average.toFixed(0).padStart(8)} req/s   p99 ${String(result.latency.p99).padStart(4)} ms   non-2xx ${result.non2xx}   errors ${result.errors}`;
    console.log(`\nDatabase: ${args.database}, ${connections} connections, ${duration} s each`);
    results.forEach((result, index) => {
      console.log(row(`round ${index + 1}: console GET /api/v1/connections/{id}`, result.console));
      console.log(row(`round ${index + 1}: plain node:http, same JSON from memory`, result.plain));
      console.log(`${"".padEnd(48)} console / plain ${(result.ratio * 100).toFixed(1)}%`);
    });
    console.log(row("console, same route, 401 without a key (floor)", floorResult).replace(/non-2xx \d+/, "(all 401)"));
    const invalid = results.some((result) => result.console.non2xx > 0);
    console.log(`\nconsole / plain throughput, median of ${rounds} round(s): ${(ratio * 100).toFixed(1)}% (target ≥ ${TARGET_RATIO * 100}%)  ${ratio >= TARGET_RATIO ? "ok" : "BELOW TARGET"}`);
    if (invalid) console.log("Some console answers were not 2xx: the figure is not valid.");
    return ratio >= TARGET_RATIO && !invalid ? 0 : 1;
  } finally {
    stop(plainServer);
    // The console must be gone before its database.
    await consoleServer?.stop();
    cluster?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
