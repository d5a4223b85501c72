/**
 * Benchmark of the validation pipeline against the simulator with 100 ms injected latency on every
 * request. Prints the median wall time of one validation divided by the injected round trip (target
 * ≤ 2.5; the floor is 2: tenant metadata and token at once, then the Graph probes at once), and the
 * median of 20 validations of different apps run at once (target ≤ 1.5× a single one).
 *
 *   npm run bench:validate [-- --runs 15 --rounds 5 --latency-ms 100 --simulator child|in-process --credential secret|certificate]
 *
 * By default the simulator runs in a child process: in-process, its own CPU work (TLS, signing 20
 * JWTs at once) competes with the pipeline's event loop and the concurrent figure would measure the
 * simulator rather than us. `--simulator in-process` runs it in this process for comparison.
 *
 * `--credential certificate` signs in with a certificate (a fixture key, uploaded on every app) instead
 * of the client secret: each token request then carries a client assertion signed with RSA. The
 * warm-up signs one per app; the measured validations reuse them from the assertion cache, as a
 * console does when checks and token requests for one credential come within minutes of each other.
 *
 * Exit code 0 when both targets are met, 1 otherwise.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { startSimulator } from "@/simulator/server";
import { testSimulatorStateDir } from "@/test-support/simulator-ca";
import { runTrustingSimulatorCa } from "@/test-support/simulator-ca-reexec";
import { runChecks } from "@/lib/checks/run-checks";
import type { CheckInput, CheckReport } from "@/lib/checks/schema";
import { appIds, benchAppId, contosoId, secret, testScenario } from "@/test-support/check-scenario";
import { customCloud } from "@/lib/entra/clouds";
import { loadEnvFiles } from "@/lib/env-files";
import { X509Certificate } from "node:crypto";
import { thumbprints } from "@/lib/crypto/certificates";
import { fixtureKeys, fixtureText } from "@/test-support/certificate-fixtures";

loadEnvFiles();

const concurrency = 20;

type RunningSimulator = { origin: string; requestCount(): Promise<number>; clearRequests(): Promise<void>; close(): Promise<void> };

type Credential = "secret" | "certificate";

function scenarioFor(latencyMs: number, credential: Credential) {
  const scenario = { ...testScenario(concurrency), faults: [{ kind: "latency" as const, ms: latencyMs }] };
  if (credential === "certificate") {
    const pem = fixtureText("cert-a.pem");
    for (const app of scenario.tenants[0]!.apps ?? []) app.certificates = [{ pem }];
  }
  return scenario;
}

/** Child mode: serve the simulator and answer "count" / "clear" lines on stdin with one line each. */
async function serveSimulator(latencyMs: number, credential: Credential): Promise<number> {
  const sim = await startSimulator({ scenario: scenarioFor(latencyMs, credential), stateDir: testSimulatorStateDir });
  process.stdout.write(`${JSON.stringify({ origin: sim.origin })}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === "count") process.stdout.write(`${sim.requests.length}\n`);
    if (line === "clear") {
      sim.clearRequests();
      process.stdout.write("ok\n");
    }
  }
  await sim.close();
  return 0;
}

async function startChildSimulator(latencyMs: number, credential: Credential): Promise<RunningSimulator> {
  const child: ChildProcess = spawn(process.execPath, [...process.execArgv, process.argv[1]!, "--serve-simulator", "--latency-ms", String(latencyMs), "--credential", credential], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error("simulator child exited");
    return line.value;
  };
  const { origin } = JSON.parse(await next()) as { origin: string };
  return {
    origin,
    async requestCount() {
      child.stdin!.write("count\n");
      return Number(await next());
    },
    async clearRequests() {
      child.stdin!.write("clear\n");
      await next();
    },
    close: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.stdin!.end();
      }),
  };
}

async function startInProcessSimulator(latencyMs: number, credential: Credential): Promise<RunningSimulator> {
  const sim = await startSimulator({ scenario: scenarioFor(latencyMs, credential), stateDir: testSimulatorStateDir });
  return {
    origin: sim.origin,
    requestCount: async () => sim.requests.length,
    clearRequests: async () => sim.clearRequests(),
    close: () => sim.close(),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function bench(): Promise<number> {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "15" },
      rounds: { type: "string", default: "5" },
      "latency-ms": { type: "string", default: "100" },
      simulator: { type: "string", default: "child" },
      "serve-simulator": { type: "boolean", default: false },
      credential: { type: "string", default: "secret" },
    },
  });
  const runs = Number(values.runs);
  const rounds = Number(values.rounds);
  const latencyMs = Number(values["latency-ms"]);
  if (values.credential !== "secret" && values.credential !== "certificate") throw new Error("--credential must be secret or certificate");
  const credential: Credential = values.credential;
  if (values["serve-simulator"]) return serveSimulator(latencyMs, credential);
  if (values.simulator !== "child" && values.simulator !== "in-process") throw new Error("--simulator must be child or in-process");

  const sim = values.simulator === "child" ? await startChildSimulator(latencyMs, credential) : await startInProcessSimulator(latencyMs, credential);
  const certificate =
    credential === "certificate" ? { privateKeyPem: fixtureKeys.a, certificatePem: fixtureText("cert-a.pem"), thumbprintSha256: thumbprints(new X509Certificate(fixtureText("cert-a.pem"))).thumbprintSha256 } : undefined;
  const cloud = customCloud({ authorityHost: sim.origin, graphHost: sim.origin });
  const input = (clientId: string): CheckInput => ({
    cloud: "custom",
    tenant: contosoId,
    clientId,
    clientSecret: certificate ? "" : secret,
    ...(certificate ? { certificate } : {}),
    mailboxScope: { kind: "all" },
    testMailbox: "adele@contoso.com",
  });
  const validate = async (clientId: string): Promise<number> => {
    const started = performance.now();
    const report: CheckReport = await runChecks(input(clientId), { cloud });
    const elapsed = performance.now() - started;
    if (!report.ok) {
      const failed = report.checks.filter((check) => check.status === "fail").map((check) => `${check.id}:${check.code ?? ""}`);
      throw new Error(`benchmark validation failed: ${failed.join(", ")}`);
    }
    return elapsed;
  };

  try {
    // Warm-up: JIT, module loading and the first TLS handshakes are not what is being measured.
    for (let index = 0; index < 2; index += 1) await validate(appIds.healthy);
    await Promise.all(Array.from({ length: concurrency }, (_, index) => validate(benchAppId(index))));

    await sim.clearRequests();
    const single: number[] = [];
    for (let index = 0; index < runs; index += 1) single.push(await validate(appIds.healthy));
    const requestsPerValidation = (await sim.requestCount()) / runs;

    const concurrent: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      concurrent.push(...(await Promise.all(Array.from({ length: concurrency }, (_, index) => validate(benchAppId(index))))));
    }

    const singleMedian = median(single);
    const concurrentMedian = median(concurrent);
    const ratio = singleMedian / latencyMs;
    const concurrencyRatio = concurrentMedian / singleMedian;
    const singleOk = ratio <= 2.5;
    const concurrentOk = concurrencyRatio <= 1.5;
    const line = (label: string, value: string) => `  ${label.padEnd(44)} ${value}`;
    process.stdout.write(
      [
        `Validation benchmark (format, tenant, token, permissions, directory, calendar with a named test mailbox)`,
        line("credential", credential === "certificate" ? "certificate (RSA-3072, client assertion)" : "client secret"),
        line("simulator", values.simulator === "child" ? "child process" : "in this process"),
        line("injected latency per request", `${latencyMs} ms`),
        line("requests per validation", `${requestsPerValidation}`),
        line(`single validation, median of ${runs}`, `${singleMedian.toFixed(1)} ms`),
        line("median / injected round trip", `${ratio.toFixed(2)}  (target <= 2.5, floor 2)  ${singleOk ? "OK" : "MISSED"}`),
        line(`${concurrency} apps at once, median of ${concurrent.length}`, `${concurrentMedian.toFixed(1)} ms`),
        line("concurrent median / single median", `${concurrencyRatio.toFixed(2)}  (target <= 1.5)  ${concurrentOk ? "OK" : "MISSED"}`),
        "",
      ].join("\n"),
    );
    return singleOk && concurrentOk ? 0 : 1;
  } finally {
    await sim.close();
  }
}

runTrustingSimulatorCa(bench).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench-validate: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
