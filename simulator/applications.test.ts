import { describe, expect, it } from "vitest";
import { GRAPH_APP_ROLES, ROLE_TEMPLATES } from "./applications";
import { demo } from "./demo-ids";
import { startDemoSimulatorForFile } from "@/test-support/simulator-trust";
import { adminToken, provisioningScenario, provisioningUsers, SETUP_APP_SCOPES } from "@/test-support/provisioning-scenario";

// The application-management API through plain fetch, as the console's provisioning calls it.

const { sim, pristine } = startDemoSimulatorForFile();

type Json = Record<string, unknown> & { error?: { code: string; message: string; details?: { code: string }[] } };

async function call(token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Json }> {
  const response = await fetch(`${sim.origin}/v1.0${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: (text ? JSON.parse(text) : {}) as Json };
}

const calendarsRole = GRAPH_APP_ROLES.find((role) => role.value === "Calendars.ReadWrite")!;

async function register(token: string, name = "Calsync"): Promise<{ appId: string; objectId: string; spId: string; graphSpId: string }> {
  const created = await call(token, "POST", "/applications", {
    displayName: name,
    signInAudience: "AzureADMyOrg",
    tags: ["calsync-console"],
    requiredResourceAccess: [{ resourceAppId: "00000003-0000-0000-c000-000000000000", resourceAccess: [{ id: calendarsRole.id, type: "Role" }] }],
  });
  expect(created.status).toBe(201);
  const sp = await call(token, "POST", "/servicePrincipals", { appId: created.json.appId });
  expect(sp.status).toBe(201);
  const graph = await call(token, "GET", "/servicePrincipals?$filter=appId eq '00000003-0000-0000-c000-000000000000'");
  const graphSp = (graph.json.value as { id: string }[])[0]!;
  return { appId: String(created.json.appId), objectId: String(created.json.id), spId: String(sp.json.id), graphSpId: graphSp.id };
}

describe("application management", () => {
  it("registers an app whose grants and secret give it a working app-only token", async () => {
    sim.setScenario(provisioningScenario(pristine()));
    const token = adminToken(sim, provisioningUsers.globalAdmin.id);
    const app = await register(token);
    const grant = await call(token, "POST", `/servicePrincipals/${app.graphSpId}/appRoleAssignedTo`, { principalId: app.spId, resourceId: app.graphSpId, appRoleId: calendarsRole.id });
    expect(grant.status).toBe(201);
    const again = await call(token, "POST", `/servicePrincipals/${app.graphSpId}/appRoleAssignedTo`, { principalId: app.spId, resourceId: app.graphSpId, appRoleId: calendarsRole.id });
    expect(again.json.error?.message).toBe("Permission being assigned already exists on the object");
    const secret = await call(token, "POST", `/applications/${app.objectId}/addPassword`, { passwordCredential: { displayName: "calsync", endDateTime: new Date(Date.now() + 86_400_000 * 30).toISOString() } });
    expect(secret.status).toBe(200);
    const assignments = await call(token, "GET", `/servicePrincipals/${app.spId}/appRoleAssignments`);
    expect((assignments.json.value as { appRoleId: string }[]).map((a) => a.appRoleId)).toEqual([calendarsRole.id]);
    const form = new URLSearchParams({ grant_type: "client_credentials", client_id: app.appId, client_secret: String(secret.json.secretText), scope: "https://graph.microsoft.com/.default" });
    const tokenResponse = await fetch(`${sim.origin}/${demo.contoso.id}/oauth2/v2.0/token`, { method: "POST", body: form });
    const accessToken = ((await tokenResponse.json()) as { access_token: string }).access_token;
    const claims = JSON.parse(Buffer.from(accessToken.split(".")[1]!, "base64url").toString("utf8")) as { roles: string[] };
    expect(claims.roles).toEqual(["Calendars.ReadWrite"]);
    const found = await call(token, "GET", "/applications?$filter=tags/any(t:t eq 'calsync-console')");
    expect((found.json.value as { id: string }[]).map((a) => a.id)).toEqual([app.objectId]);
  });

  it("refuses the grant to an Application Administrator, and everything to a user when the tenant forbids registering", async () => {
    sim.setScenario(provisioningScenario(pristine(), (s) => (s.tenants[0]!.usersCanRegisterApps = false)));
    const appAdmin = adminToken(sim, provisioningUsers.applicationAdmin.id);
    const app = await register(appAdmin);
    const grant = await call(appAdmin, "POST", `/servicePrincipals/${app.graphSpId}/appRoleAssignedTo`, { principalId: app.spId, resourceId: app.graphSpId, appRoleId: calendarsRole.id });
    expect(grant).toMatchObject({ status: 403, json: { error: { code: "Authorization_RequestDenied" } } });
    const user = await call(adminToken(sim, provisioningUsers.noRole.id), "POST", "/applications", { displayName: "Nope" });
    expect(user).toMatchObject({ status: 403, json: { error: { code: "Authorization_RequestDenied" } } });
  });

  it("hides a new object for the configured requests with Microsoft's bodies, then shows it", async () => {
    sim.setScenario(provisioningScenario(pristine()));
    sim.setFaults([
      { kind: "replication", path: "/v1.0/servicePrincipals", method: "POST", requests: 2 },
      { kind: "replication", path: "/v1.0/applications/*/addPassword", requests: 1 },
    ]);
    const token = adminToken(sim, provisioningUsers.globalAdmin.id);
    const created = await call(token, "POST", "/applications", { displayName: "Calsync" });
    for (let i = 0; i < 2; i++) {
      const early = await call(token, "POST", "/servicePrincipals", { appId: created.json.appId });
      expect(early.status).toBe(400);
      expect(early.json.error?.details?.[0]?.code).toBe("NoBackingApplicationObject");
    }
    expect((await call(token, "POST", "/servicePrincipals", { appId: created.json.appId })).status).toBe(201);
    const password = await call(token, "POST", `/applications/${String(created.json.id)}/addPassword`, {});
    expect(password).toMatchObject({ status: 404, json: { error: { code: "Request_ResourceNotFound" } } });
    expect((await call(token, "POST", `/applications/${String(created.json.id)}/addPassword`, {})).status).toBe(200);
  });

  it("enforces the app-management policy on secrets and refuses policy reads to an Azure CLI token", async () => {
    sim.setScenario(provisioningScenario(pristine(), (s) => (s.tenants[0]!.appManagementPolicy = { passwordCredentialsAllowed: true, maxPasswordLifetimeDays: 90, id: "538f1913-366a-440a-95a0-e195cb55b282" })));
    const cli = adminToken(sim, provisioningUsers.globalAdmin.id);
    expect((await call(cli, "GET", "/policies/defaultAppManagementPolicy")).status).toBe(403);
    const setup = adminToken(sim, provisioningUsers.globalAdmin.id, SETUP_APP_SCOPES);
    const policy = await call(setup, "GET", "/policies/defaultAppManagementPolicy");
    expect(policy.json).toMatchObject({ applicationRestrictions: { passwordCredentials: [{ restrictionType: "passwordLifetime", maxLifetime: "P90D" }] } });
    const created = await call(cli, "POST", "/applications", { displayName: "Calsync" });
    const long = await call(cli, "POST", `/applications/${String(created.json.id)}/addPassword`, { passwordCredential: { endDateTime: new Date(Date.now() + 200 * 86_400_000).toISOString() } });
    expect(long.json.error?.details?.[0]?.code).toBe("CredentialInvalidLifetimeAsPerAppPolicy");
  });

  it("lists the caller's roles by template id, names only with a role-management scope, the cast only with eventual consistency", async () => {
    sim.setScenario(provisioningScenario(pristine()));
    const cli = adminToken(sim, provisioningUsers.applicationAdmin.id);
    const path = "/me/transitiveMemberOf/microsoft.graph.directoryRole?$count=true";
    expect((await call(cli, "GET", path)).status).toBe(400);
    const bare = await call(cli, "GET", path, undefined, { ConsistencyLevel: "eventual" });
    expect(bare.json.value).toEqual([expect.objectContaining({ roleTemplateId: ROLE_TEMPLATES.applicationAdministrator, displayName: null })]);
    const named = await call(adminToken(sim, provisioningUsers.applicationAdmin.id, SETUP_APP_SCOPES), "GET", path, undefined, { ConsistencyLevel: "eventual" });
    expect(named.json.value).toEqual([expect.objectContaining({ displayName: "Application Administrator" })]);
  });

  it("deletes an app into deleted items and then permanently", async () => {
    sim.setScenario(provisioningScenario(pristine()));
    const token = adminToken(sim, provisioningUsers.globalAdmin.id);
    const app = await register(token);
    expect((await call(token, "DELETE", `/applications/${app.objectId}`)).status).toBe(204);
    expect((await call(token, "GET", `/servicePrincipals/${app.spId}`)).status).toBe(404);
    const deleted = await call(token, "GET", "/directory/deletedItems/microsoft.graph.application");
    expect((deleted.json.value as { id: string }[]).map((a) => a.id)).toEqual([app.objectId]);
    expect((await call(token, "DELETE", `/directory/deletedItems/${app.objectId}`)).status).toBe(204);
    expect((await call(token, "DELETE", `/directory/deletedItems/${app.objectId}`)).status).toBe(404);
  });
});
