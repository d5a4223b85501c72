import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { demo } from "@/simulator/demo-ids";
import { loadDemoScenario } from "@/simulator/scenario";
import { adminToken, provisioningScenario, provisioningUsers } from "./provisioning-scenario";
import { testSimulatorStateDir } from "./simulator-ca";
import { spawnSimulatorChild, startSimulatorProcess, type SimulatorProcess, type SimulatorProcessReply } from "./simulator-process";
import { assertCaTrusted } from "./simulator-trust";

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

function organization(sim: SimulatorProcess, token: string): Promise<Response> {
  return fetch(`${sim.origin}/v1.0/organization`, { headers: { authorization: `Bearer ${token}` } });
}

describe("startSimulatorProcess", () => {
  let sim: SimulatorProcess;

  beforeAll(async () => {
    sim = await startSimulatorProcess({ scenario: provisioningScenario(await loadDemoScenario()), stateDir: testSimulatorStateDir });
    assertCaTrusted(sim.caCertPath, sim.caCertPem);
  });
  afterAll(async () => {
    await sim.close();
  });

  it("runs the simulator in another process", () => {
    expect(sim.pid).not.toBe(process.pid);
    expect(isRunning(sim.pid)).toBe(true);
    expect(sim.origin).toMatch(/^https:\/\/localhost:\d+$/);
  });

  it("mints a token the simulator accepts, and the simulator still refuses one it did not sign", async () => {
    const token = await adminToken(sim, provisioningUsers.globalAdmin.id);
    expect((await organization(sim, token)).status).toBe(200);
    const [header, payload] = token.split(".");
    expect((await organization(sim, `${header}.${payload}.${Buffer.from("forged").toString("base64url")}`)).status).toBe(401);
  });

  it("sets faults and keeps the request log in the child", async () => {
    const token = await adminToken(sim, provisioningUsers.globalAdmin.id);
    await sim.setFaults([{ kind: "unavailable", path: "/v1.0/organization", count: 1 }]);
    await sim.clearRequests();
    expect((await organization(sim, token)).status).toBe(503);
    expect((await organization(sim, token)).status).toBe(200);
    const log = await sim.requests();
    expect(log.map((request) => [request.path, request.status, request.fault])).toEqual([
      ["/v1.0/organization", 503, "unavailable"],
      ["/v1.0/organization", 200, undefined],
    ]);
    await sim.setFaults([]);
    await sim.clearRequests();
    expect(await sim.requests()).toEqual([]);
  });

  it("rejects a call the simulator refuses, with its reason", async () => {
    await expect(sim.mintAccessToken({ tenant: "00000000-0000-4000-8000-000000000000", clientId: demo.apps.identityTools.clientId })).rejects.toThrow(
      /mintAccessToken: .*unknown tenant/,
    );
  });
});

describe("closing", () => {
  it("stops the child: it has exited when close resolves, and later calls are refused", async () => {
    const sim = await startSimulatorProcess({ scenario: await loadDemoScenario(), stateDir: testSimulatorStateDir });
    await sim.close();
    expect(isRunning(sim.pid)).toBe(false);
    await expect(sim.setFaults([])).rejects.toThrow(/setFaults: the simulator process exited with code 0/);
    await expect(fetch(`${sim.origin}/v1.0/organization`)).rejects.toThrow();
  });

  it("the child exits by itself when its parent goes away (the IPC channel closes)", async () => {
    const child = spawnSimulatorChild();
    // A failing test must not leave its child behind.
    onTestFinished(() => void child.kill("SIGKILL"));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const started = new Promise<SimulatorProcessReply>((resolve) => child.once("message", resolve));
    child.send({ id: 0, command: "start", input: { scenario: await loadDemoScenario(), stateDir: testSimulatorStateDir } });
    expect(await started).toMatchObject({ id: 0, ok: true });
    child.disconnect();
    expect(await exited).toBe(0);
  });
});
