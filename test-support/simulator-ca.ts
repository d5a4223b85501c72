import { fileURLToPath } from "node:url";

/**
 * Where tests keep the simulator's CA: one stable folder for the whole run, because Node reads
 * NODE_EXTRA_CA_CERTS once when a process starts and every test process must trust the same CA.
 */
export const testSimulatorStateDir: string = fileURLToPath(new URL("../.tmp/simulator-ca", import.meta.url));
