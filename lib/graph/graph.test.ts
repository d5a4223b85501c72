import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "@/simulator/server";
import { explainError } from "@/lib/checks/error-catalog";
import { appIds, assertSimulatorCaTrusted, contosoId, testScenario } from "@/test-support/check-scenario";

assertSimulatorCaTrusted();
import { customCloud } from "@/lib/entra/clouds";
import { createRetryBudget } from "@/lib/entra/http-transport";
import { decodeAccessTokenClaims } from "@/lib/graph/access-token";
import { createGraphSession } from "@/lib/graph/graph-client";
import { deleteEvent, listUsers, readCalendar } from "@/lib/graph/probes";
import { testSimulatorStateDir } from "@/test-support/simulator-ca";

describe("Graph probes against the simulator (real graph-client)", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ scenario: testScenario(), stateDir: testSimulatorStateDir });
  });
  afterAll(async () => {
    await sim?.close();
  });
  const session = (roles: string[]) => {
    const accessToken = sim.mintAccessToken({ tenant: contosoId, clientId: appIds.healthy, roles });
    return createGraphSession({
      cloud: customCloud({ authorityHost: sim.origin, graphHost: sim.origin }),
      accessToken,
      policy: { signal: AbortSignal.timeout(5_000), retry: createRetryBudget(0) },
    });
  };

  it("lists users and reads a calendar with the bearer token attached to a custom host", async () => {
    const graph = session(["Calendars.ReadWrite", "User.Read.All"]);
    const users = await listUsers(graph);
    expect(users.ok && users.value.users.length).toBe(4);
    expect((await readCalendar(graph, "adele@contoso.com")).ok).toBe(true);
  });

  it("ErrorItemNotFound when deleting an event that is gone", async () => {
    const result = await deleteEvent(session(["Calendars.ReadWrite"]), "adele@contoso.com", "AAMkAGone");
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.failure).toMatchObject({ code: "ErrorItemNotFound", status: 404 });
      expect(result.failure.requestId).toBeTruthy();
      expect(explainError(result.failure.code).known).toBe(true);
    }
  });

  it("decodes the roles claim", () => {
    const token = sim.mintAccessToken({ tenant: contosoId, clientId: appIds.healthy, roles: ["Calendars.ReadWrite"] });
    expect(decodeAccessTokenClaims(token)?.roles).toEqual(["Calendars.ReadWrite"]);
  });
});
