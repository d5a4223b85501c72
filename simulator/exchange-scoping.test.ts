import { Client, GraphError } from "@microsoft/microsoft-graph-client";
import { afterEach, describe, expect, it } from "vitest";
import { demo } from "./demo-ids";
import type { ExchangeScoping, ScenarioApp } from "./scenario";
import { startDemoSimulatorForFile } from "@/test-support/simulator-trust";

// Exchange scoping through the real graph-client: RBAC for Applications adds, access policies restrict, changes take time.

const { sim } = startDemoSimulatorForFile();
const adele = demo.users.adele.upn;
const other = demo.users.admin.upn;

afterEach(() => sim.setClock(() => new Date()));

function healthyApp(): ScenarioApp {
  return sim.scenario.tenants.flatMap((tenant) => tenant.apps).find((app) => app.clientId === demo.apps.healthy.clientId)!;
}

function client(roles: string[]): Client {
  const token = sim.mintAccessToken({ tenant: demo.contoso.id, clientId: demo.apps.healthy.clientId, roles });
  return Client.init({ baseUrl: `${sim.origin}/`, customHosts: new Set(["localhost"]), authProvider: (done) => done(null, token) });
}

async function outcome(api: Client, mailbox: string): Promise<string> {
  try {
    await api.api(`/users/${mailbox}/calendar`).get();
    return "ok";
  } catch (error) {
    if (error instanceof GraphError) return `${error.statusCode} ${error.code}: ${error.message}`;
    throw error;
  }
}

const rbacForAdele: ExchangeScoping = { rbacAssignments: [{ role: "Application Calendars.ReadWrite", mailboxes: [adele] }], accessPolicies: [], entraGrantSeen: true };
const policyForAdele: ExchangeScoping = { rbacAssignments: [], accessPolicies: [{ accessRight: "RestrictAccess", mailboxes: [adele] }], entraGrantSeen: true };
const plainDenied = "403 ErrorAccessDenied: Access is denied. Check credentials and try again.";
const odataDenied = "403 ErrorAccessDenied: Access to OData is disabled.";

describe("Exchange scoping", () => {
  it("RBAC for Applications grants only its scope to an app without the Entra grant", async () => {
    healthyApp().exchangeScoping = rbacForAdele;
    const api = client(["User.Read.All"]);
    expect(await outcome(api, adele)).toBe("ok");
    expect(await outcome(api, other)).toBe(plainDenied);
  });

  it("RBAC adds to the tenant-wide grant: with it, every mailbox answers (the union trap)", async () => {
    healthyApp().exchangeScoping = rbacForAdele;
    const api = client(["Calendars.ReadWrite", "User.Read.All"]);
    expect(await outcome(api, adele)).toBe("ok");
    expect(await outcome(api, other)).toBe("ok");
  });

  it("an application access policy restricts the Entra grant with 'Access to OData is disabled.'", async () => {
    healthyApp().exchangeScoping = policyForAdele;
    const api = client(["Calendars.ReadWrite"]);
    expect(await outcome(api, adele)).toBe("ok");
    expect(await outcome(api, other)).toBe(odataDenied);
    healthyApp().exchangeScoping = { ...policyForAdele, accessPolicies: [{ accessRight: "DenyAccess", mailboxes: [adele] }] };
    expect(await outcome(api, adele)).toBe(odataDenied);
    expect(await outcome(api, other)).toBe("ok");
  });

  it("a policy does not take away what an RBAC assignment grants, and without any grant the answer is the plain denial", async () => {
    healthyApp().exchangeScoping = { ...policyForAdele, rbacAssignments: [{ role: "Application Calendars.ReadWrite", mailboxes: [other] }] };
    expect(await outcome(client(["Calendars.ReadWrite"]), other)).toBe("ok");
    healthyApp().exchangeScoping = policyForAdele;
    expect(await outcome(client([]), adele)).toBe(plainDenied);
  });

  it("a fresh Entra grant that has not reached Exchange yet is refused with the plain message", async () => {
    healthyApp().exchangeScoping = { rbacAssignments: [], accessPolicies: [], entraGrantSeen: false };
    expect(await outcome(client(["Calendars.ReadWrite"]), adele)).toBe(plainDenied);
  });

  it("a pending change applies once the simulator's clock passes its time", async () => {
    const start = new Date("2026-12-02T10:00:00Z");
    sim.setClock(() => start);
    healthyApp().pendingExchangeScoping = { scoping: rbacForAdele, effectiveAt: "2026-12-02T11:00:00Z" };
    const api = client(["User.Read.All"]);
    expect(await outcome(api, adele)).toBe(plainDenied);
    sim.setClock(() => new Date("2026-12-02T10:59:59Z"));
    expect(await outcome(api, adele)).toBe(plainDenied);
    sim.setClock(() => new Date("2026-12-02T11:00:00Z"));
    expect(await outcome(api, adele)).toBe("ok");
    expect(healthyApp().pendingExchangeScoping).toBeUndefined();
  });

  it("or after a number of mailbox requests", async () => {
    healthyApp().pendingExchangeScoping = { scoping: rbacForAdele, afterRequests: 2 };
    const api = client(["User.Read.All"]);
    expect(await outcome(api, adele)).toBe(plainDenied);
    expect(await outcome(api, adele)).toBe(plainDenied);
    expect(await outcome(api, adele)).toBe("ok");
  });
});
