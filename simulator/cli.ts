/**
 * Runs the simulator as a process:
 *   tsx simulator/cli.ts --state-dir DIR [--scenario <file>] [--port N] [--host H] [--verbose]
 *                        [--persist] [--browser-http-port N] [--show-accounts]
 * The state folder keeps the CA (and its key) between runs, so a browser or process that trusts it once
 * keeps trusting it; with --persist it also keeps the live state, and a restart resumes from it.
 * Prints one JSON line `{"origin":…,"caCertPath":…[,"browserOrigin":…]}` on stdout once listening,
 * then runs until SIGTERM/SIGINT. Logs go to stderr and never contain secrets (the request log
 * redacts them).
 */
import { parseArgs } from "node:util";
import { demoScenarioPath, loadScenarioFile } from "./scenario";
import { startSimulator } from "./server";

function portOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number, got ${value}`);
  return port;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenario: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      "state-dir": { type: "string" },
      verbose: { type: "boolean", default: false },
      persist: { type: "boolean", default: false },
      "browser-http-port": { type: "string" },
      "show-accounts": { type: "boolean", default: false },
    },
    strict: true,
  });
  const stateDir = values["state-dir"];
  if (!stateDir) {
    process.stderr.write(
      "usage: simulator --state-dir DIR [--scenario FILE] [--port N] [--host H] [--verbose] [--persist] [--browser-http-port N] [--show-accounts]\n",
    );
    process.exit(2);
  }
  const scenario = await loadScenarioFile(values.scenario ?? demoScenarioPath);
  const simulator = await startSimulator({
    scenario,
    port: portOption("--port", values.port),
    host: values.host,
    stateDir,
    persist: values.persist,
    browserHttpPort: portOption("--browser-http-port", values["browser-http-port"]),
    showAccounts: values["show-accounts"],
  });
  const ready = { origin: simulator.origin, caCertPath: simulator.caCertPath, ...(simulator.browserOrigin ? { browserOrigin: simulator.browserOrigin } : {}) };
  process.stdout.write(`${JSON.stringify(ready)}\n`);

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
