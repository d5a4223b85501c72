/**
 * The child side of `startSimulatorProcess` (test-support/simulator-process.ts): answers the parent's
 * calls over the IPC channel and exits when the parent closes it or goes away.
 */
import { startSimulator, type Simulator } from "../simulator/server";
import type { SimulatorProcessCommand, SimulatorProcessCommands, SimulatorProcessReply, SimulatorProcessRequest } from "./simulator-process";

let sim: Simulator | undefined;

function running(): Simulator {
  if (!sim) throw new Error("the simulator has not started");
  return sim;
}

async function stop(): Promise<void> {
  await sim?.close();
  sim = undefined;
}

const handlers: { [K in SimulatorProcessCommand]: (input: SimulatorProcessCommands[K]["input"]) => Promise<SimulatorProcessCommands[K]["output"]> | SimulatorProcessCommands[K]["output"] } = {
  async start(options) {
    if (sim) throw new Error("the simulator has already started");
    sim = await startSimulator(options);
    return { origin: sim.origin, caCertPath: sim.caCertPath, caCertPem: sim.caCertPem, signingKeyId: sim.signingKeyId };
  },
  setScenario: (scenario) => running().setScenario(scenario),
  setFaults: (faults) => running().setFaults(faults),
  mintAccessToken: (options) => running().mintAccessToken(options),
  requests: () => running().requests,
  clearRequests: () => running().clearRequests(),
  close: stop,
};

function reply(message: SimulatorProcessReply): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send!(message, () => resolve());
  });
}

process.on("message", (request: SimulatorProcessRequest) => {
  const handler = handlers[request.command] as (input: unknown) => unknown;
  void (async () => {
    try {
      const value = await handler(request.input);
      await reply({ id: request.id, ok: true, value });
    } catch (error) {
      await reply({ id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) });
    }
    // Closing the channel is what lets this process end: nothing else is left on its event loop.
    if (request.command === "close") process.disconnect();
  })();
});

// The parent is gone (it exited, crashed or was killed): nobody is left to measure.
process.on("disconnect", () => {
  void stop().finally(() => process.exit(0));
});
