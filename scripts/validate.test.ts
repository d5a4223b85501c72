import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "@/simulator/server";
import { checkReportSchema } from "@/lib/checks/schema";
import { appIds, contosoId, secret, testScenario } from "@/test-support/check-scenario";
import { runScript } from "@/test-support/run-script";
import { testSimulatorStateDir } from "@/test-support/simulator-ca";

/** Spawns the real CLI (tsx, react-server condition) against the simulator through the custom cloud. */

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ scenario: testScenario(), stateDir: testSimulatorStateDir });
});
afterAll(async () => {
  await sim?.close();
});

function validate(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}) {
  return runScript("scripts/validate.ts", args, {
    env: {
      NODE_EXTRA_CA_CERTS: sim.caCertPath,
      CALSYNC_CLOUD: "custom",
      CALSYNC_AUTHORITY_HOST: sim.origin,
      CALSYNC_GRAPH_HOST: sim.origin,
      ...options.env,
    },
    ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
  });
}

describe.concurrent("scripts/validate.ts", () => {
  it("passes a healthy app (secret on stdin) and prints one line per check", async () => {
    const result = await validate(["--tenant", "contoso.com", "--client-id", appIds.healthy, "--secret-stdin", "--mailbox", "adele@contoso.com"], {
      stdin: `${secret}\n`,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    for (const id of ["format", "tenant", "token", "permissions", "directory", "calendar"]) expect(result.stdout).toMatch(new RegExp(`^PASS  ${id} `, "m"));
    expect(result.stdout).toContain(contosoId);
    expect(result.stdout).not.toContain(secret);
  });

  it("--json prints only the CheckReport; a failed check exits 1", async () => {
    const result = await validate(["--tenant", contosoId, "--client-id", appIds.noRoles, "--secret-env", "APP_SECRET", "--json"], {
      env: { APP_SECRET: secret },
    });
    expect(result.code).toBe(1);
    const report = checkReportSchema.parse(JSON.parse(result.stdout));
    expect(report.checks.find((check) => check.id === "permissions")).toMatchObject({ status: "fail", code: "no-roles", fix: { step: "admin-consent" } });
    expect(result.stdout).not.toContain(secret);
  });

  it("explains a wrong secret with the fix and Microsoft's correlation id", async () => {
    const result = await validate(["--tenant", contosoId, "--client-id", appIds.healthy, "--secret-stdin"], { stdin: "wrong~secret~value~000000000000000000000" });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAIL  token .*Client secret is wrong/m);
    expect(result.stdout).toMatch(/fix \(user, wizard step "client-secret"\)/);
    expect(result.stdout).toMatch(/code AADSTS7000215/);
    expect(result.stdout).toMatch(/correlation id [0-9a-f-]{36}/);
    expect(result.stdout).not.toContain("wrong~secret");
  });

  it.each([
    [["--tenant", contosoId, "--client-id", appIds.healthy, "--secret", secret], /shell history/],
    [["--tenant", contosoId, "--client-id", appIds.healthy, `--secret=${secret}`], /shell history/],
    [["--tenant", contosoId, "--client-id", appIds.healthy], /exactly one of --secret-stdin or --secret-env/],
    [["--tenant", contosoId, "--client-id", appIds.healthy, "--secret-stdin", "--cloud", "mars"], /--cloud must be one of/],
    [["--tenant", contosoId, "--bogus"], /Unknown option/],
  ])("usage error %# exits 2 without echoing the secret", async (args, message) => {
    const result = await validate(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe("");
    expect(result.stderr).not.toContain(secret);
  });
});
