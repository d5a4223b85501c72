import { describe, expect, it } from "vitest";
import { adminConsentUrl, consentPropagationNote, parseAdminConsentCallback } from "@/lib/entra/admin-consent";
import { customCloud, knownClouds, type Cloud } from "@/lib/entra/clouds";

const tenantId = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const clientId = "3f2b8c1e-9d4a-4e6b-8f7c-1a2b3c4d5e6f";
const redirectUri = "https://calsync.example.com/connections/new/admin-consent/callback";
const state = "q3Jx0Yk2c1bE8uVt5sNfWm7R";
const custom = customCloud({ authorityHost: "https://login.sim.test:8443", graphHost: "https://graph.sim.test:8443" });
const clouds = [...(Object.values(knownClouds) as Cloud[]), custom];

describe("adminConsentUrl", () => {
  it.each(clouds)("uses the sign-in host of $id", (cloud) => {
    const url = new URL(adminConsentUrl({ cloud, tenant: tenantId, clientId, redirectUri, state }));
    expect(url.origin).toBe(cloud.authorityHost);
    expect(url.pathname).toBe(`/${tenantId}/adminconsent`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_id: clientId, redirect_uri: redirectUri, state });
  });

  it("sends browsers to the custom cloud's browser-facing sign-in origin when it has one", () => {
    const demoCloud = customCloud({ authorityHost: "https://localhost:8443", graphHost: "https://localhost:8443", browserAuthorityHost: "http://127.0.0.1:8080" });
    const url = new URL(adminConsentUrl({ cloud: demoCloud, tenant: tenantId, clientId, redirectUri, state }));
    expect(url.origin).toBe("http://127.0.0.1:8080");
    expect(url.pathname).toBe(`/${tenantId}/adminconsent`);
  });

  it("URL-encodes the redirect URI and state", () => {
    const href = adminConsentUrl({
      cloud: knownClouds.global,
      tenant: "contoso.onmicrosoft.com",
      clientId,
      redirectUri: "https://calsync.example.com/cb?x=1&y=2",
      state: "abc+def/ghi=jkl&mno0123",
    });
    expect(href).toBe(
      `${knownClouds.global.authorityHost}/contoso.onmicrosoft.com/adminconsent?client_id=${clientId}` +
        "&redirect_uri=https%3A%2F%2Fcalsync.example.com%2Fcb%3Fx%3D1%26y%3D2&state=abc%2Bdef%2Fghi%3Djkl%26mno0123",
    );
  });

  it("accepts a tenant GUID or domain, trimmed and lower-cased", () => {
    const href = adminConsentUrl({ cloud: knownClouds.global, tenant: ` ${tenantId.toUpperCase()} `, clientId, redirectUri, state });
    expect(new URL(href).pathname).toBe(`/${tenantId}/adminconsent`);
  });

  it.each(["", "common", "organizations", "consumers", "contoso", "https://evil.example/", "../common"])(
    "refuses the tenant %j: consent must name one tenant",
    (tenant) => {
      expect(() => adminConsentUrl({ cloud: knownClouds.global, tenant, clientId, redirectUri, state })).toThrow();
    },
  );

  it("refuses a client ID that is not a GUID, a relative redirect URI and a short state", () => {
    expect(() => adminConsentUrl({ cloud: knownClouds.global, tenant: tenantId, clientId: "calsync", redirectUri, state })).toThrow();
    expect(() => adminConsentUrl({ cloud: knownClouds.global, tenant: tenantId, clientId, redirectUri: "/callback", state })).toThrow();
    expect(() => adminConsentUrl({ cloud: knownClouds.global, tenant: tenantId, clientId, redirectUri, state: "" })).toThrow();
    expect(() => adminConsentUrl({ cloud: knownClouds.global, tenant: tenantId, clientId, redirectUri, state: "12345" })).toThrow();
  });
});

/** A query string as Microsoft appends it to the redirect URI. */
const callback = (raw: string) => new URLSearchParams(raw);

describe("parseAdminConsentCallback", () => {
  it("reports a grant with the tenant", () => {
    expect(parseAdminConsentCallback(callback(`tenant=${tenantId}&state=${state}&admin_consent=True`), state)).toEqual({
      outcome: "granted",
      tenant: tenantId,
    });
  });

  it("checks the state before anything else", () => {
    const granted = `tenant=${tenantId}&admin_consent=True`;
    expect(parseAdminConsentCallback(callback(`${granted}&state=other`), state)).toEqual({ outcome: "bad-state" });
    expect(parseAdminConsentCallback(callback(granted), state)).toEqual({ outcome: "bad-state" });
    expect(parseAdminConsentCallback(callback(`${granted}&state=${state.toLowerCase()}`), state)).toEqual({ outcome: "bad-state" });
    expect(parseAdminConsentCallback(callback(`${granted}&state=`), "")).toEqual({ outcome: "bad-state" });
    expect(parseAdminConsentCallback(callback(`error=access_denied&state=other`), state)).toEqual({ outcome: "bad-state" });
  });

  it("reads a recorded cancel (admin_consent=True next to error) as denied, with Microsoft's words", () => {
    // Recorded callback (token-errors.json, AADSTS65004) plus the admin_consent=True Microsoft adds.
    const raw =
      "admin_consent=True&error=access_denied&error_description=AADSTS65004%3A+User+declined+to+consent+to+access+the+app.%0D%0ATrace+ID%3A+afeacfc3-bc28-4f52-8224-b29021045e00%0D%0ACorrelation+ID%3A+80d20882-eba5-4828-b8f8-1f12d8309051%0D%0ATimestamp%3A+2020-01-20+04%3A52%3A24Z&error_uri=https%3A%2F%2Flogin.microsoftonline.com%2Ferror%3Fcode%3D65004" +
      `&state=${state}`;
    const result = parseAdminConsentCallback(callback(raw), state);
    expect(result).toMatchObject({
      outcome: "denied",
      code: "AADSTS65004",
      error: "access_denied",
      microsoftSaid: "User declined to consent to access the app.",
    });
    expect(result.outcome === "denied" && result.message).toMatch(/chose Cancel/);
  });

  it("decodes lowercase %3a escapes and + spaces, and drops a single-line Trace/Correlation/Timestamp trailer", () => {
    const raw =
      "error=access_denied&error_description=AADSTS90094%3a+The+grant+requires+admin+permission.+Trace+ID%3a+9c1f0e2a-1111-2222-3333-444455556666+Correlation+ID%3a+0d1e2f3a-aaaa-bbbb-cccc-ddddeeeeffff+Timestamp%3a+2025-08-01+10%3a11%3a12Z" +
      `&state=${state}`;
    const result = parseAdminConsentCallback(callback(raw), state);
    expect(result).toMatchObject({ outcome: "denied", code: "AADSTS90094", error: "access_denied", microsoftSaid: "The grant requires admin permission." });
    expect(result.outcome === "denied" && result.message).toMatch(/Global Administrator or Privileged Role Administrator/);
  });

  it.each([
    ["AADSTS900941", "access_denied"],
    ["AADSTS90094", "consent_required"],
  ])("explains %s (%s) as a missing admin role", (code, error) => {
    const raw = `error=${error}&error_description=${code}%3A+Administrator+approval+required.&state=${state}`;
    const result = parseAdminConsentCallback(callback(raw), state);
    expect(result).toMatchObject({ outcome: "denied", code, error });
    expect(result.outcome === "denied" && result.message).toMatch(/may not grant consent for the whole organisation/);
  });

  it("treats a bare access_denied, and the documented permission_denied, as a non-admin refusal", () => {
    for (const raw of [
      `error=access_denied&state=${state}`,
      `error=permission_denied&error_description=The+admin+canceled+the+request&state=${state}`,
    ]) {
      const result = parseAdminConsentCallback(callback(raw), state);
      expect(result.outcome).toBe("denied");
      expect(result.outcome === "denied" && result.code).toBeUndefined();
      expect(result.outcome === "denied" && result.message).toMatch(/Global Administrator/);
    }
  });

  it("explains an unregistered redirect URI (AADSTS50011) and points at the redirect URI step", () => {
    const raw =
      "error=invalid_request&error_description=AADSTS50011%3a+The+redirect+URI+%27https%3a%2f%2fcalsync.example.com%2fcb%27+specified+in+the+request+does+not+match+the+redirect+URIs+configured+for+the+application.%0d%0aTrace+ID%3a+x" +
      `&state=${state}`;
    const result = parseAdminConsentCallback(callback(raw), state);
    expect(result).toMatchObject({ outcome: "error", code: "AADSTS50011", error: "invalid_request" });
    expect(result.outcome === "error" && result.message).toMatch(/Redirect URI step/);
    expect(result.outcome === "error" && result.microsoftSaid).toBe(
      "The redirect URI 'https://calsync.example.com/cb' specified in the request does not match the redirect URIs configured for the application.",
    );
  });

  it("still explains codes it has no consent-specific words for, from the error catalog", () => {
    const raw = `error=temporarily_unavailable&error_description=AADSTS90033%3A+A+transient+error+has+occurred.&state=${state}`;
    const result = parseAdminConsentCallback(callback(raw), state);
    expect(result).toMatchObject({ outcome: "error", code: "AADSTS90033" });
    expect(result.outcome === "error" && result.message).toMatch(/temporarily unavailable/i);
  });

  it("names an unknown code instead of inventing a meaning", () => {
    const result = parseAdminConsentCallback(callback(`error=server_error&error_description=AADSTS1234567%3A+Something.&state=${state}`), state);
    expect(result).toMatchObject({ outcome: "error", code: "AADSTS1234567", microsoftSaid: "Something." });
    expect(result.outcome === "error" && result.message).toContain("AADSTS1234567");
  });

  it("does not call it granted without admin_consent=True and a tenant", () => {
    expect(parseAdminConsentCallback(callback(`tenant=${tenantId}&state=${state}`), state)).toMatchObject({ outcome: "error", error: "no_answer" });
    expect(parseAdminConsentCallback(callback(`admin_consent=True&state=${state}`), state)).toMatchObject({ outcome: "error" });
    expect(parseAdminConsentCallback(callback(`tenant=${tenantId}&admin_consent=true&state=${state}`), state)).toEqual({
      outcome: "granted",
      tenant: tenantId,
    });
  });

  it("says honestly that consent needs a few minutes", () => {
    expect(consentPropagationNote).toMatch(/few minutes/);
  });
});
