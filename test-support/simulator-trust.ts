import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { loadDemoScenario, type Scenario } from "../simulator/scenario";
import { startSimulator, type Simulator } from "../simulator/server";
import { testSimulatorStateDir } from "./simulator-ca";

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
        `(or add test-support/simulator-global-setup.ts to Vitest's globalSetup). Current value: ${configured ?? "(unset)"}`,
    );
  }
}

/**
 * One simulator with the demo scenario for a whole test file, reset to the pristine scenario (and an
 * empty request log) before each test. The returned `sim` forwards to the running instance.
 */
export function startDemoSimulatorForFile(): { sim: Simulator; pristine: () => Scenario } {
  let running: Simulator | undefined;
  let pristine: Scenario | undefined;
  beforeAll(async () => {
    pristine = await loadDemoScenario();
    running = await startSimulator({ scenario: structuredClone(pristine), stateDir: testSimulatorStateDir });
    assertCaTrusted(running.caCertPath, running.caCertPem);
  });
  afterAll(async () => {
    await running?.close();
  });
  beforeEach(() => {
    running!.setScenario(structuredClone(pristine!));
    running!.clearRequests();
  });
  const sim = new Proxy({} as Simulator, { get: (_target, key) => Reflect.get(running!, key) });
  return { sim, pristine: () => structuredClone(pristine!) };
}
