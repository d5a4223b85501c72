/**
 * Runs the simulator as a process:
 *   tsx simulator/cli.ts --state-dir DIR [--scenario <file>] [--port N] [--host H] [--verbose]
 * The state folder keeps the CA (and its key) between runs, so a browser or process that trusts it once
 * keeps trusting it.
 * Prints one JSON line `{"origin":…,"caCertPath":…}` on stdout once listening, then runs until
 * SIGTERM/SIGINT. Logs go to stderr and never contain secrets (the request log redacts them).
 */
import { parseArgs } from "node:util";
import { demoScenarioPath, loadScenarioFile } from "./scenario";
import { startSimulator } from "./server";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenario: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      "state-dir": { type: "string" },
      verbose: { type: "boolean", default: false },
    },
    strict: true,
  });
  const stateDir = values["state-dir"];
  if (!stateDir) {
    process.stderr.write("usage: simulator --state-dir DIR [--scenario FILE] [--port N] [--host H] [--verbose]\n");
    process.exit(2);
  }
  const scenario = await loadScenarioFile(values.scenario ?? demoScenarioPath);
  const port = values.port ? Number.parseInt(values.port, 10) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new Error(`--port must be a port number, got ${values.port}`);
  }
  const simulator = await startSimulator({ scenario, port, host: values.host, stateDir });
  process.stdout.write(`${JSON.stringify({ origin: simulator.origin, caCertPath: simulator.caCertPath })}\n`);

  if (values.verbose) {
    let seen = 0;
    setInterval(() => {
      for (const request of simulator.requests.slice(seen)) {
        process.stderr.write(`${request.time} ${request.method} ${request.path} ${request.status}${request.errorCode ? ` ${request.errorCode}` : ""}\n`);
      }
      seen = simulator.requests.length;
      // The log is only for humans watching; keep memory flat on long demo runs.
      if (seen > 10_000) {
        simulator.clearRequests();
        seen = 0;
      }
    }, 500).unref();
  }

  const stop = (): void => {
    void simulator.close().then(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`simulator failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
