import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { estsErrorBody, ests, newEstsCorrelation } from "@/simulator/errors";
import { startSimulator, type Simulator } from "@/simulator/server";
import { explainError } from "@/lib/checks/error-catalog";
import { appIds, assertSimulatorCaTrusted, contosoId, secret, testScenario } from "@/test-support/check-scenario";

assertSimulatorCaTrusted();
import { browserFacingUrl, cloudOfTenant, customCloud, errorLookupUrl, knownClouds, tenantMatchesCloud, type Cloud } from "@/lib/entra/clouds";
import { createRetryBudget, parseRetryAfter, type RequestPolicy } from "@/lib/entra/http-transport";
import { acquireAppToken, authorityMetadataFor, cloudDiscoveryMetadataFor } from "@/lib/entra/msal-client";
import { graphPermissions, requiredResourceAccess } from "@/lib/entra/permissions";
import { fetchTenantMetadata } from "@/lib/entra/tenant-metadata";
import { parseEstsErrorBody, parseMsalError } from "@/lib/entra/token-error";
import { testSimulatorStateDir } from "@/test-support/simulator-ca";

describe("cloud catalog", () => {
  it("holds the national clouds' hosts and portals", () => {
    expect(knownClouds["usgov-dod"]).toMatchObject({ authorityHost: "https://login.microsoftonline.us", graphHost: "https://dod-graph.microsoft.us" });
    expect(knownClouds.china.portalOrigin).toBe("https://portal.azure.cn");
    expect(errorLookupUrl(knownClouds.china, "AADSTS7000215")).toBe("https://login.chinacloudapi.cn/error?code=7000215");
  });

  it("recognises a tenant's cloud from its OpenID document", () => {
    expect(cloudOfTenant({ cloud_instance_name: "microsoftonline.us", msgraph_host: "graph.microsoft.us", tenant_region_scope: "USGov" })).toBe("usgov");
    expect(cloudOfTenant({ cloud_instance_name: "microsoftonline.us", msgraph_host: "dod-graph.microsoft.us" })).toBe("usgov-dod");
    expect(cloudOfTenant({ cloud_instance_name: "microsoftonline.us", tenant_region_sub_scope: "DOD" })).toBe("usgov-dod");
    expect(cloudOfTenant({ cloud_instance_name: "partner.microsoftonline.cn", msgraph_host: "microsoftgraph.chinacloudapi.cn" })).toBe("china");
    expect(cloudOfTenant({ cloud_instance_name: "microsoftonline.com", msgraph_host: "graph.microsoft.com" })).toBe("global");
    expect(tenantMatchesCloud(knownClouds.global, { msgraph_host: "graph.microsoft.us" })).toBe(false);
    expect(tenantMatchesCloud(knownClouds.usgov, { msgraph_host: "graph.microsoft.us", tenant_region_sub_scope: "DOD" })).toBe(false);
    const custom = customCloud({ authorityHost: "https://sim.test:8443", graphHost: "https://sim.test:8443" });
    expect(tenantMatchesCloud(custom, { msgraph_host: "graph.microsoft.com" })).toBe(true);
    expect(tenantMatchesCloud(custom, { msgraph_host: "graph.microsoft.us" })).toBe(false);
  });

  it("moves only browser-facing sign-in URLs to the browser authority", () => {
    const demoCloud = customCloud({ authorityHost: "https://localhost:8443", graphHost: "https://localhost:8443", browserAuthorityHost: "http://127.0.0.1:8080/" });
    expect(browserFacingUrl(demoCloud, "https://localhost:8443/contoso.com/oauth2/v2.0/authorize?x=1")).toBe("http://127.0.0.1:8080/contoso.com/oauth2/v2.0/authorize?x=1");
    expect(errorLookupUrl(demoCloud, "AADSTS50011")).toBe("http://127.0.0.1:8080/error?code=50011");
    // Another host, or a prefix that is not a whole origin, is left alone.
    expect(browserFacingUrl(demoCloud, "https://localhost:84430/x")).toBe("https://localhost:84430/x");
    expect(browserFacingUrl(knownClouds.global, "https://login.microsoftonline.com/common/oauth2/v2.0/authorize")).toBe("https://login.microsoftonline.com/common/oauth2/v2.0/authorize");
  });

  it("is the only place in lib/entra, lib/graph and lib/checks that names a Microsoft host", () => {
    const hosts = /login\.microsoftonline\.(com|us)|graph\.microsoft\.(com|us)|chinacloudapi\.cn|entra\.microsoft\.(com|us)|portal\.azure\.cn/;
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const file = path.join(dir, name);
        if (statSync(file).isDirectory()) walk(file);
        else if (file.endsWith(".ts") && !file.endsWith(".test.ts") && !file.endsWith("clouds.ts") && hosts.test(readFileSync(file, "utf8"))) offenders.push(file);
      }
    };
    for (const dir of ["lib/entra", "lib/graph", "lib/checks"]) walk(path.resolve(dir));
    expect(offenders).toEqual([]);
  });
});

describe("permission catalog", () => {
  it("carries ids and portal texts", () => {
    expect(graphPermissions.calendarsReadWriteApp).toMatchObject({ id: "ef54d2bf-783f-4e0f-bca1-3210c0444d99", displayText: "Read and write calendars in all mailboxes" });
    expect(graphPermissions.userReadAllApp.displayText).toBe("Read all users' full profiles");
    expect(requiredResourceAccess([graphPermissions.offlineAccessDelegated])).toEqual({
      resourceAppId: "00000003-0000-0000-c000-000000000000",
      resourceAccess: [{ id: "7427e0e9-2fba-42fe-b0c0-848c9e6a8182", type: "Scope" }],
    });
  });
});

describe("Retry-After", () => {
  it("accepts fractional seconds and HTTP dates", () => {
    expect(parseRetryAfter("2.128")).toBe(2128);
    expect(parseRetryAfter(new Date(Date.now() + 3_000).toUTCString())).toBeGreaterThan(1_000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe("catalog coverage of interactive-only codes, with the simulator's bodies", () => {
  // The app-only pipeline cannot produce these (they need a user at the sign-in page or a refresh
  // token); the delegated flow will. Here the simulator's exact ESTS bodies go through our parser.
  const interactive = [
    [ests.consentMissing(appIds.healthy, "Healthy"), "admin-consent", "consent-admin"],
    [ests.userNotFound("Contoso"), "register-app", "user"],
    [ests.badPassword(), undefined, "user"],
    [ests.mfaRequired("https://graph.microsoft.com"), undefined, "user"],
    [ests.mfaEnrollment("https://graph.microsoft.com"), undefined, "user"],
    [ests.guestFromOtherIdp("Contoso", appIds.healthy, "Healthy"), "register-app", "app-admin"],
    [ests.redirectMismatch("http://localhost/cb", appIds.healthy), "register-app", "app-admin"],
    [ests.refreshExpired(), undefined, "user"],
    [ests.refreshInactive("2026-01-01T00:00:00Z"), undefined, "user"],
    [ests.adminApprovalRequired(), "admin-consent", "consent-admin"],
    [ests.riskyAppBlocked(), "admin-consent", "consent-admin"],
    [ests.personalAccountNotSupported("someone@outlook.com"), "register-app", "user"],
    [ests.refreshRevoked("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"), undefined, "user"],
    [ests.conditionalAccess(), "register-app", "global-admin"],
  ] as const;

  it.each(interactive.map(([error, step, who]) => [`AADSTS${error.code}`, error, step, who] as const))("%s", (code, error, step, who) => {
    const body = estsErrorBody(error, newEstsCorrelation(), "https://sim.test");
    const failure = parseEstsErrorBody(body, 400);
    expect(failure?.code).toBe(code);
    const explanation = explainError(failure!.code, { cloud: knownClouds.global });
    expect(explanation.known).toBe(true);
    expect(explanation.fix?.step).toBe(step);
    expect(explanation.who).toBe(who);
    // Without error_codes (some real bodies), the description prefix still identifies the code.
    const { error_codes: _dropped, ...withoutCodes } = body;
    expect(parseEstsErrorBody(withoutCodes)?.code).toBe(code);
  });
});

describe("msal client and tenant metadata against the simulator", () => {
  let sim: Simulator;
  let cloud: Cloud;
  const policy = (): RequestPolicy => ({ signal: AbortSignal.timeout(5_000), retry: createRetryBudget(1_000) });

  beforeAll(async () => {
    sim = await startSimulator({ scenario: testScenario(), stateDir: testSimulatorStateDir });
    cloud = customCloud({ authorityHost: sim.origin, graphHost: sim.origin });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it.each([
    ["AADSTS1002012", "Calendars.Read"],
    ["AADSTS70011", "user.read/.default"],
    ["AADSTS500011", "https://graph.example.invalid/.default"],
  ])("maps %s from a malformed scope (scope %s)", async (code, scope) => {
    const result = await acquireAppToken({ cloud, tenant: contosoId, clientId: appIds.healthy, clientSecret: secret, policy: policy(), scope });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.failure.code).toBe(code);
    expect(explainError(code).who).toBe(code === "AADSTS500011" ? "user" : "us");
  });

  it("maps AADSTS900023 from a malformed tenant (format would stop it earlier in the pipeline)", async () => {
    const metadata = await fetchTenantMetadata({ cloud, tenant: "invalid_tenant", policy: policy() });
    expect(metadata.ok).toBe(false);
    if (!metadata.ok) expect(metadata.failure.code).toBe("AADSTS900023");
    expect(explainError("AADSTS900023").fix?.step).toBe("copy-ids");
  });

  it("parses the real msal ServerError (default network client, errorNo a number) the same way", async () => {
    const app = new ConfidentialClientApplication({
      auth: {
        clientId: appIds.healthy,
        clientSecret: "wrong~secret~value~000000000000000000000",
        authority: `${sim.origin}/${contosoId}`,
        authorityMetadata: authorityMetadataFor(cloud, contosoId),
        cloudDiscoveryMetadata: cloudDiscoveryMetadataFor(cloud, contosoId),
        knownAuthorities: [new URL(sim.origin).host],
      },
    });
    const error: unknown = await app.acquireTokenByClientCredential({ scopes: [`${sim.origin}/.default`] }).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ name: "ServerError", errorNo: 7000215 });
    const failure = parseMsalError(error);
    expect(failure).toMatchObject({ code: "AADSTS7000215", status: 401 });
    expect(failure.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(failure.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  });

  it("makes exactly one POST per token and no discovery request", async () => {
    sim.clearRequests();
    const result = await acquireAppToken({ cloud, tenant: "contoso.onmicrosoft.com", clientId: appIds.healthy, clientSecret: secret, policy: policy() });
    expect(result.ok).toBe(true);
    expect(sim.requests.map((request) => `${request.method} ${request.path}`)).toEqual(["POST /contoso.onmicrosoft.com/oauth2/v2.0/token"]);
  });
});
