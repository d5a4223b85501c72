import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { FaultInput, MintAccessTokenOptions, RecordedRequest, Scenario, ScenarioInput, StartSimulatorOptions } from "@/simulator/server";

/**
 * The simulator in a child process of its own, driven over Node's IPC channel. A benchmark that runs
 * the simulator in its own process measures the simulator's CPU time (token signing, JSON, certificate
 * parsing) as if it were the console's, because both queue on one event loop; Microsoft's processing
 * happens on Microsoft's machines. The child trusts nothing: only the caller needs the simulator's CA
 * (`runTrustingSimulatorCa` or the Vitest global setup).
 */

/** Every call the parent can make, with what the child answers. */
export interface SimulatorProcessCommands {
  start: { input: Pick<StartSimulatorOptions, "scenario" | "stateDir" | "maxRecordedRequests">; output: { origin: string; caCertPath: string; caCertPem: string; signingKeyId: string } };
  setScenario: { input: Scenario | ScenarioInput; output: void };
  setFaults: { input: FaultInput[]; output: void };
  mintAccessToken: { input: MintAccessTokenOptions; output: string };
  requests: { input: null; output: RecordedRequest[] };
  clearRequests: { input: null; output: void };
  close: { input: null; output: void };
}

export type SimulatorProcessCommand = keyof SimulatorProcessCommands;

export type SimulatorProcessRequest = { [K in SimulatorProcessCommand]: { id: number; command: K; input: SimulatorProcessCommands[K]["input"] } }[SimulatorProcessCommand];

export type SimulatorProcessReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };

export interface SimulatorProcess {
  origin: string;
  caCertPath: string;
  caCertPem: string;
  signingKeyId: string;
  pid: number;
  setScenario(scenario: Scenario | ScenarioInput): Promise<void>;
  setFaults(faults: FaultInput[]): Promise<void>;
  mintAccessToken(options: MintAccessTokenOptions): Promise<string>;
  /** A copy of the request log at the time of the call. */
  requests(): Promise<RecordedRequest[]>;
  clearRequests(): Promise<void>;
  /** Stops the simulator and resolves once the child has exited. */
  close(): Promise<void>;
}

const ENTRY = fileURLToPath(new URL("./simulator-process-entry.ts", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
/** A child that does not finish closing in this time is killed. */
const CLOSE_DEADLINE_MS = 10_000;

/** The bare child, before any call: for a caller that speaks the protocol itself. */
export function spawnSimulatorChild(): ChildProcess {
  // "advanced" serialization is the structured clone algorithm: a scenario crosses as it is.
  return spawn(process.execPath, ["--import", "tsx", ENTRY], { cwd: REPO_ROOT, stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "advanced" });
}

export async function startSimulatorProcess(options: SimulatorProcessCommands["start"]["input"]): Promise<SimulatorProcess> {
  const child = spawnSimulatorChild();
  // A parent that exits for any reason takes the child with it (a parent killed outright closes the
  // IPC channel, on which the child exits by itself).
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; command: string }>();
  let nextId = 0;
  let gone: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    const finish = (reason: string) => {
      process.off("exit", killOnExit);
      gone ??= new Error(`the simulator process ${reason}`);
      for (const call of pending.values()) call.reject(new Error(`${call.command}: ${gone.message}`));
      pending.clear();
      resolve();
    };
    child.once("exit", (code, signal) => finish(signal ? `was stopped by ${signal}` : `exited with code ${code}`));
    child.once("error", (error) => finish(`could not run: ${error.message}`));
  });
  child.on("message", (message: SimulatorProcessReply) => {
    const call = pending.get(message.id);
    if (!call) return;
    pending.delete(message.id);
    if (message.ok) call.resolve(message.value);
    else call.reject(new Error(`${call.command}: ${message.message}`));
  });

  function call<K extends SimulatorProcessCommand>(command: K, input: SimulatorProcessCommands[K]["input"]): Promise<SimulatorProcessCommands[K]["output"]> {
    if (gone) return Promise.reject(new Error(`${command}: ${gone.message}`));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject, command });
      child.send({ id, command, input } as SimulatorProcessRequest, (error) => {
        if (!error || !pending.has(id)) return;
        pending.delete(id);
        reject(new Error(`${command}: ${error.message}`));
      });
    });
  }

  async function close(): Promise<void> {
    if (!gone) {
      const deadline = setTimeout(() => child.kill("SIGKILL"), CLOSE_DEADLINE_MS);
      // A child that fails to close cleanly is killed by the deadline; either way it is gone afterwards.
      await call("close", null).catch(() => child.kill("SIGKILL"));
      await exited;
      clearTimeout(deadline);
    }
    await exited;
  }

  let started: SimulatorProcessCommands["start"]["output"];
  try {
    started = await call("start", options);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    ...started,
    pid: child.pid!,
    setScenario: (scenario) => call("setScenario", scenario),
    setFaults: (faults) => call("setFaults", faults),
    mintAccessToken: (tokenOptions) => call("mintAccessToken", tokenOptions),
    requests: () => call("requests", null),
    clearRequests: () => call("clearRequests", null),
    close,
  };
}
