import { readFileSync } from "node:fs";
import path from "node:path";

/**
 * Fails fast with instructions when this process cannot trust the simulator: Node reads
 * NODE_EXTRA_CA_CERTS once at start-up, so setting it inside a test is too late.
 */
export function assertCaTrusted(caCertPath: string, caCertPem: string): void {
  const configured = process.env.NODE_EXTRA_CA_CERTS;
  let configuredPem = "";
  try {
    configuredPem = configured ? readFileSync(configured, "utf8") : "";
  } catch {
    configuredPem = "";
  }
  if (!configured || (path.resolve(configured) !== path.resolve(caCertPath) && !configuredPem.includes(caCertPem.trim()))) {
    throw new Error(
      `The simulator's CA is not trusted by this process. Start the test runner with NODE_EXTRA_CA_CERTS=${caCertPath} ` +
        `(or add e2e/simulator/vitest-global-setup.ts to Vitest's globalSetup). Current value: ${configured ?? "(unset)"}`,
    );
  }
}
