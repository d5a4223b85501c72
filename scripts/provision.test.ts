import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDemoScenario } from "@/simulator/scenario";
import { startSimulator, type Simulator } from "@/simulator/server";
import { demo } from "@/simulator/demo-ids";
import { adminToken, provisioningScenario, provisioningUsers, SETUP_APP_SCOPES } from "@/test-support/provisioning-scenario";
import { runScript } from "@/test-support/run-script";
import { testSimulatorStateDir } from "@/test-support/simulator-ca";

/** Spawns the real CLI against the simulator through the custom cloud, with --no-save. */

let sim: Simulator;
let folder: string;

beforeAll(async () => {
  sim = await startSimulator({ scenario: provisioningScenario(await loadDemoScenario()), stateDir: testSimulatorStateDir });
  folder = mkdtempSync(path.join(os.tmpdir(), "calsync-provision-cli-"));
});
afterAll(async () => {
  await sim?.close();
  rmSync(folder, { recursive: true, force: true });
});

function provision(args: string[], stdin: string) {
  return runScript("scripts/provision.ts", args, {
    env: {
      NODE_EXTRA_CA_CERTS: sim.caCertPath,
      CALSYNC_CLOUD: "custom",
      CALSYNC_AUTHORITY_HOST: sim.origin,
      CALSYNC_GRAPH_HOST: sim.origin,
      CALSYNC_DATA_DIR: path.join(folder, "data"),
    },
    stdin,
  });
}

describe.concurrent("scripts/provision.ts", { timeout: 180_000 }, () => {
  it("--no-save --json: registers the app, prints one report of each step and the values for the script path, and keeps ids only in the state file", async () => {
    const token = adminToken(sim, provisioningUsers.globalAdmin.id, SETUP_APP_SCOPES);
    const state = path.join(folder, "state.json");
    const result = await provision(["--token-stdin", "--tenant", demo.contoso.id, "--name", "Calsync CLI", "--no-save", "--state", state, "--json"], `${token}\n`);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { status: string; clientId: string; clientSecret: string; steps: { step: string; status: string; attempts: number }[] };
    expect(report.status).toBe("done");
    expect(report.steps.map((step) => step.step)).toEqual(expect.arrayContaining(["create-app", "create-service-principal", "grant", "credential", "verify"]));
    const app = sim.scenario.tenants[0]!.apps.find((candidate) => candidate.clientId === report.clientId);
    expect(app?.secrets.map((secret) => secret.value)).toEqual([report.clientSecret]);
    const kept = readFileSync(state, "utf8");
    expect(kept).toContain(report.clientId);
    expect(kept).not.toContain(report.clientSecret);
    expect(kept).not.toContain(token);
    expect(result.stdout).not.toContain(token);
  });

  it("refuses a token as an argument, and a certificate with --no-save (its key is never printed), with exit code 2", async () => {
    expect((await provision(["--token", "x", "--tenant", demo.contoso.id, "--name", "x"], "")).code).toBe(2);
    const certificate = await provision(["--token-stdin", "--tenant", demo.contoso.id, "--name", "x", "--credential", "certificate", "--no-save", "--state", path.join(folder, "cert.json")], "x");
    expect(certificate.code).toBe(2);
    expect(certificate.stderr).toContain("private key stays sealed in the console's database");
  });

  it("stops with exit code 1 for a token of another tenant", async () => {
    const token = adminToken(sim, provisioningUsers.globalAdmin.id, SETUP_APP_SCOPES);
    const result = await provision(["--token-stdin", "--tenant", demo.usgov.id, "--name", "x", "--no-save", "--state", path.join(folder, "other.json")], token);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("not " + demo.usgov.id);
  });
});
