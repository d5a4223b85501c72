import { ensureCa } from "../simulator/certs";
import { testSimulatorStateDir } from "./simulator-ca";

/**
 * Vitest globalSetup for suites that talk to the simulator in-process: creates (or reuses) the CA
 * and exports NODE_EXTRA_CA_CERTS before the worker processes are forked, so Node's fetch in every
 * worker (msal-node, graph-client) trusts the simulator. Needs `pool: "forks"` (child processes
 * inherit the env at fork time; worker threads would not re-read it).
 */
export default async function setup(): Promise<void> {
  const { caCertPath } = await ensureCa(testSimulatorStateDir);
  // Overrides any value from the caller's environment: test processes only need to trust the simulator.
  process.env.NODE_EXTRA_CA_CERTS = caCertPath;
}
