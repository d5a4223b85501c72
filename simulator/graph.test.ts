import { ConfidentialClientApplication, type AuthenticationResult } from "@azure/msal-node";
import { Client, GraphError } from "@microsoft/microsoft-graph-client";
import { describe, expect, it } from "vitest";
import { demo } from "./demo-ids";
import { startDemoSimulatorForFile } from "@/test-support/simulator-trust";

// Drives the real @microsoft/microsoft-graph-client (and msal-node for the tokens) against the simulator.

const { sim } = startDemoSimulatorForFile();

async function appToken(clientId: string, secret: string): Promise<string> {
  const cca = new ConfidentialClientApplication({
    auth: { clientId, clientSecret: secret, authority: `${sim.origin}/${demo.contoso.id}`, knownAuthorities: [new URL(sim.origin).host] },
  });
  const result = await cca.acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"] });
  return (result as AuthenticationResult).accessToken;
}

function graph(token: string): Client {
  // customHosts takes the bare hostname; without it graph-client drops the Authorization header.
  return Client.init({ baseUrl: `${sim.origin}/`, customHosts: new Set(["localhost"]), authProvider: (done) => done(null, token) });
}

async function graphError(promise: Promise<unknown>): Promise<GraphError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GraphError) return error;
    throw error;
  }
  throw new Error("expected a GraphError");
}

interface Page<T> {
  value: T[];
  "@odata.nextLink"?: string;
}

describe("Graph with an app token", () => {
  it("lists users with $top/$select and follows @odata.nextLink", async () => {
    const client = graph(await appToken(demo.apps.healthy.clientId, demo.apps.healthy.secret));
    const first = (await client.api("/users").top(3).select("displayName,id,userPrincipalName").get()) as Page<Record<string, unknown>>;
    expect(first.value).toHaveLength(3);
    expect(Object.keys(first.value[0] ?? {})).toEqual(["displayName", "id", "userPrincipalName"]);
    expect(first["@odata.nextLink"]).toMatch(/\/v1\.0\/users\?\$select=.*\$top=3&\$skiptoken=/);
    const second = (await client.api(first["@odata.nextLink"] ?? "").get()) as Page<Record<string, unknown>>;
    expect(second.value[0]?.id).not.toBe(first.value[0]?.id);

    const filtered = (await client.api("/users").filter(`userPrincipalName eq '${demo.users.adele.upn}'`).get()) as Page<Record<string, unknown>>;
    expect(filtered.value.map((u) => u.id)).toEqual([demo.users.adele.id]);

    const defaults = (await client.api(`/users/${demo.users.adele.upn}`).get()) as Record<string, unknown>;
    expect(Object.keys(defaults).filter((k) => !k.startsWith("@"))).toHaveLength(11);
  });

  it("reads the organization with Directory.Read.All-style roles only", async () => {
    const denied = await graphError(graph(await appToken(demo.apps.healthy.clientId, demo.apps.healthy.secret)).api("/organization").get());
    expect(denied).toMatchObject({ statusCode: 403, code: "Authorization_RequestDenied" });
    const delegated = graph(sim.mintAccessToken({ tenant: demo.contoso.id, clientId: demo.apps.healthy.clientId, user: demo.users.adele.id }));
    await expect(delegated.api("/organization").get()).resolves.toMatchObject({
      value: [{ id: demo.contoso.id, displayName: "Contoso", verifiedDomains: expect.arrayContaining([expect.objectContaining({ name: "contoso.com" })]) }],
    });
  });

  it("reads a calendar, creates an event (201) and deletes it (204)", async () => {
    const client = graph(await appToken(demo.apps.healthy.clientId, demo.apps.healthy.secret));
    const calendar = (await client.api(`/users/${demo.users.adele.upn}/calendar`).get()) as Record<string, unknown>;
    expect(calendar).toMatchObject({ name: "Calendar", canEdit: true, owner: { address: demo.users.adele.upn } });

    const events = (await client.api(`/users/${demo.users.adele.id}/events`).top(1).select("subject").get()) as Page<Record<string, unknown>>;
    expect(events.value).toHaveLength(1);
    expect(Object.keys(events.value[0] ?? {})).toEqual(["@odata.etag", "id", "subject"]);
    expect(events["@odata.nextLink"]).toContain("$skip=1");

    const created = (await client.api(`/users/${demo.users.adele.id}/events`).post({
      subject: "Calsync write test",
      start: { dateTime: "2026-12-03T09:00:00", timeZone: "UTC" },
      end: { dateTime: "2026-12-03T09:15:00", timeZone: "UTC" },
    })) as Record<string, unknown>;
    expect(created).toMatchObject({ subject: "Calsync write test", isOrganizer: true, type: "singleInstance", responseStatus: { response: "organizer" } });
    expect(sim.requests.at(-1)).toMatchObject({ method: "POST", status: 201 });

    await client.api(`/users/${demo.users.adele.id}/events/${String(created.id)}`).delete();
    expect(sim.requests.at(-1)).toMatchObject({ method: "DELETE", status: 204 });
    const missing = await graphError(client.api(`/users/${demo.users.adele.id}/events/${String(created.id)}`).delete());
    expect(missing).toMatchObject({ statusCode: 404, code: "ErrorItemNotFound" });
  });

  it("refuses an app without roles with the documented 403 codes", async () => {
    const client = graph(await appToken(demo.apps.noConsent.clientId, demo.apps.noConsent.secret));
    const users = await graphError(client.api("/users").top(1).get());
    expect(users).toMatchObject({ statusCode: 403, code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation." });
    expect(users.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(users.date.getTime())).toBe(false);
    const calendar = await graphError(client.api(`/users/${demo.users.adele.upn}/calendar`).get());
    expect(calendar).toMatchObject({ statusCode: 403, code: "ErrorAccessDenied", message: "Access is denied. Check credentials and try again." });
  });

  it("needs Calendars.ReadWrite to write and User.Read.All to list users", async () => {
    const calendarsOnly = graph(await appToken(demo.apps.calendarsOnly.clientId, demo.apps.calendarsOnly.secret));
    await expect(calendarsOnly.api(`/users/${demo.users.adele.upn}/calendar`).get()).resolves.toMatchObject({ name: "Calendar" });
    await expect(graphError(calendarsOnly.api("/users").get())).resolves.toMatchObject({ code: "Authorization_RequestDenied" });
  });

  it("maps mailbox problems and unknown users", async () => {
    const client = graph(await appToken(demo.apps.healthy.clientId, demo.apps.healthy.secret));
    const guest = await graphError(client.api(`/users/${demo.users.guest.id}/calendar`).get());
    expect(guest).toMatchObject({ statusCode: 404, code: "MailboxNotEnabledForRESTAPI", requestId: null });
    const unknownOutlook = await graphError(client.api("/users/ghost@contoso.com/events").get());
    expect(unknownOutlook).toMatchObject({ statusCode: 404, code: "ErrorInvalidUser", message: "The requested user 'ghost@contoso.com' is invalid." });
    const unknownDirectory = await graphError(client.api("/users/ghost@contoso.com").get());
    expect(unknownDirectory).toMatchObject({ statusCode: 404, code: "Request_ResourceNotFound" });
    const me = await graphError(client.api("/me").get());
    expect(me).toMatchObject({ statusCode: 400, code: "BadRequest", message: "/me request is only valid with delegated authentication flow." });
  });

  it("applies an Exchange application access policy", async () => {
    const client = graph(await appToken(demo.apps.mailboxScoped.clientId, demo.apps.mailboxScoped.secret));
    await expect(client.api(`/users/${demo.users.adele.upn}/calendar`).get()).resolves.toMatchObject({ name: "Calendar" });
    const denied = await graphError(client.api(`/users/${demo.users.admin.upn}/calendar`).get());
    expect(denied).toMatchObject({ statusCode: 403, code: "ErrorAccessDenied", message: "Access to OData is disabled." });
  });

  it("rejects expired, garbage and wrong-audience tokens with 401 InvalidAuthenticationToken", async () => {
    const expired = sim.mintAccessToken({ tenant: demo.contoso.id, clientId: demo.apps.healthy.clientId, expiresInSeconds: -60 });
    await expect(graphError(graph(expired).api("/users").get())).resolves.toMatchObject({
      statusCode: 401,
      code: "InvalidAuthenticationToken",
      message: "Access token has expired or is not yet valid.",
    });
    await expect(graphError(graph("garbage").api("/users").get())).resolves.toMatchObject({ statusCode: 401, code: "InvalidAuthenticationToken" });
    const usgov = sim.mintAccessToken({ tenant: demo.usgov.id, clientId: demo.apps.usgov.clientId });
    const wrongAudience = await graphError(graph(usgov).api("/users").get());
    expect(wrongAudience).toMatchObject({ statusCode: 401, message: "Access token validation failure. Invalid audience." });
    expect(wrongAudience.headers?.get("www-authenticate")).toContain("Bearer");
  });
});

describe("Graph faults", () => {
  it("throttles with 429 + Retry-After and lets graph-client retry", async () => {
    const client = graph(await appToken(demo.apps.healthy.clientId, demo.apps.healthy.secret));
    sim.clearRequests();
    sim.setFaults([{ kind: "throttle", path: "/v1.0/users", count: 2, retryAfterSeconds: 0 }]);
    await expect(client.api("/users").top(1).get()).resolves.toMatchObject({ value: [expect.anything()] });
    expect(sim.requests.map((r) => r.status)).toEqual([429, 429, 200]);

    sim.setFaults([{ kind: "throttle", path: "/v1.0/users/*/calendar", retryAfterSeconds: 0, code: "ApplicationThrottled" }]);
    const throttled = await graphError(client.api(`/users/${demo.users.adele.upn}/calendar`).get());
    expect(throttled).toMatchObject({ statusCode: 429, code: "ApplicationThrottled", message: "Application is over its MailboxConcurrency limit." });
    expect(throttled.headers?.get("retry-after")).toBe("0");
  });

  it("answers 503 UnknownError with an empty message", async () => {
    const client = graph(await appToken(demo.apps.healthy.clientId, demo.apps.healthy.secret));
    sim.setFaults([{ kind: "unavailable", path: "/v1.0/*", method: "GET", retryAfterSeconds: 0 }]);
    const error = await graphError(client.api("/users").get());
    expect(error).toMatchObject({ statusCode: 503, code: "UnknownError", message: "" });
  });
});

describe("Graph with a delegated token", () => {
  it("serves /me, /me/calendar and /me/events", async () => {
    const token = sim.mintAccessToken({ tenant: demo.contoso.domain, clientId: demo.apps.healthy.clientId, user: demo.users.adele.upn });
    const client = graph(token);
    await expect(client.api("/me").get()).resolves.toMatchObject({ id: demo.users.adele.id, userPrincipalName: demo.users.adele.upn });
    await expect(client.api("/me/calendar").get()).resolves.toMatchObject({ name: "Calendar" });
    const created = (await client.api("/me/events").post({
      subject: "Delegated",
      start: { dateTime: "2026-12-04T09:00:00", timeZone: "UTC" },
      end: { dateTime: "2026-12-04T09:30:00", timeZone: "UTC" },
    })) as { id: string };
    await client.api(`/me/events/${created.id}`).delete();
    const other = await graphError(client.api(`/users/${demo.users.admin.upn}/calendar`).get());
    expect(other).toMatchObject({ statusCode: 403, code: "ErrorAccessDenied" });
  });
});
