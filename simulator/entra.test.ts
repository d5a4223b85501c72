import { createHash, randomBytes } from "node:crypto";
import { ConfidentialClientApplication, InteractionRequiredAuthError, ServerError, type AccountInfo, type AuthenticationResult } from "@azure/msal-node";
import { describe, expect, it } from "vitest";
import { createClientCertificate, ensureCa } from "./certs";
import { demo } from "./demo-ids";
import { parseScenario } from "./scenario";
import { testSimulatorStateDir } from "@/test-support/simulator-ca";
import { startDemoSimulatorForFile } from "@/test-support/simulator-trust";

// Drives the real @azure/msal-node against the simulator. Run with
// NODE_EXTRA_CA_CERTS=<repo>/.tmp/simulator-ca/ca.pem (see server.ts).

const { sim, pristine } = startDemoSimulatorForFile();
const graphDefault = "https://graph.microsoft.com/.default";

function cca(clientId: string, secret: string, tenant: string = demo.contoso.domain): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    auth: { clientId, clientSecret: secret, authority: `${sim.origin}/${tenant}`, knownAuthorities: [new URL(sim.origin).host] },
  });
}

function decodeClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}

function accountOf(result: AuthenticationResult): AccountInfo {
  if (!result.account) throw new Error("expected an account on the result");
  return result.account;
}

async function captureError(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

describe("client credentials", () => {
  it("issues an app token with roles after OpenID discovery, never logging the secret", async () => {
    const result = await cca(demo.apps.healthy.clientId, demo.apps.healthy.secret).acquireTokenByClientCredential({ scopes: [graphDefault] });
    expect(result).not.toBeNull();
    const claims = decodeClaims((result as AuthenticationResult).accessToken);
    expect(claims).toMatchObject({
      aud: "https://graph.microsoft.com",
      tid: demo.contoso.id,
      appid: demo.apps.healthy.clientId,
      idtyp: "app",
      roles: ["Calendars.ReadWrite", "User.Read.All"],
    });
    // msal keeps the tenant spelling of the authority when it templates the token endpoint.
    expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /${demo.contoso.domain}/v2.0/.well-known/openid-configuration`,
      `POST /${demo.contoso.domain}/oauth2/v2.0/token`,
    ]);
    expect(sim.requests[1]?.form).toMatchObject({ grant_type: "client_credentials", client_secret: "[redacted]" });
    expect(JSON.stringify(sim.requests)).not.toContain(demo.apps.healthy.secret);
  });

  it("omits the roles claim when nothing is consented", async () => {
    const result = await cca(demo.apps.noConsent.clientId, demo.apps.noConsent.secret).acquireTokenByClientCredential({ scopes: [graphDefault] });
    expect(decodeClaims((result as AuthenticationResult).accessToken)).not.toHaveProperty("roles");
  });

  it("rejects a wrong secret with AADSTS7000215 and status 401", async () => {
    const error = await captureError(cca(demo.apps.healthy.clientId, "not-the-secret").acquireTokenByClientCredential({ scopes: [graphDefault] }));
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ errorCode: "invalid_client", errorNo: 7000215, status: 401 });
  });

  it.each([
    ["expired secret", demo.apps.expiredSecret, 7000222, 401],
    ["disabled app", demo.apps.disabled, 7000112, 400],
  ])("maps %s to its AADSTS code", async (_name, app, code, status) => {
    const error = await captureError(cca(app.clientId, app.secret).acquireTokenByClientCredential({ scopes: [graphDefault] }));
    expect(error).toMatchObject({ errorNo: code, status });
  });

  it("answers an unknown client id with 700016 and a bad scope with 1002012 / 500011", async () => {
    const unknown = await captureError(cca("0f0f0f0f-0000-4000-8000-000000000000", "x").acquireTokenByClientCredential({ scopes: [graphDefault] }));
    expect(unknown).toMatchObject({ errorCode: "unauthorized_client", errorNo: 700016, status: 400 });
    const noDefault = await captureError(cca(demo.apps.healthy.clientId, demo.apps.healthy.secret).acquireTokenByClientCredential({ scopes: ["Calendars.Read"] }));
    expect(noDefault).toMatchObject({ errorCode: "invalid_scope", errorNo: 1002012 });
    const otherCloud = await captureError(
      cca(demo.apps.healthy.clientId, demo.apps.healthy.secret).acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.us/.default"] }),
    );
    expect(otherCloud).toMatchObject({ errorCode: "invalid_resource", errorNo: 500011 });
  });

  it("fails an unknown tenant at discovery with the AADSTS90002 body", async () => {
    await expect(
      cca(demo.apps.healthy.clientId, demo.apps.healthy.secret, "unknown-tenant.onmicrosoft.com").acquireTokenByClientCredential({ scopes: [graphDefault] }),
    ).rejects.toThrow();
    expect(sim.requests[0]).toMatchObject({ status: 400, errorCode: "AADSTS90002" });

    const response = await fetch(`${sim.origin}/unknown-tenant.onmicrosoft.com/oauth2/v2.0/token?client-request-id=6a7e2f05-f0be-4daa-9bea-60f670d8a622`, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: demo.apps.healthy.clientId, client_secret: "x", scope: graphDefault }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-store, no-cache");
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(["error", "error_description", "error_codes", "timestamp", "trace_id", "correlation_id", "error_uri"]);
    expect(body).toMatchObject({
      error: "invalid_request",
      error_codes: [90002],
      correlation_id: "6a7e2f05-f0be-4daa-9bea-60f670d8a622",
      error_uri: `${sim.origin}/error?code=90002`,
    });
    expect(response.headers.get("x-ms-request-id")).toBe(body.trace_id);
    expect(String(body.error_description)).toMatch(
      /^AADSTS90002: Tenant 'unknown-tenant\.onmicrosoft\.com' not found\..* Trace ID: [0-9a-f-]{36} Correlation ID: 6a7e2f05-f0be-4daa-9bea-60f670d8a622 Timestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/,
    );

    const malformed = await fetch(`${sim.origin}/bad_tenant/v2.0/.well-known/openid-configuration`);
    expect(((await malformed.json()) as { error_codes: number[] }).error_codes).toEqual([900023]);
  });

  it("reports the tenant's cloud on the OpenID metadata", async () => {
    const response = await fetch(`${sim.origin}/${demo.usgov.domain}/v2.0/.well-known/openid-configuration`);
    expect(await response.json()).toMatchObject({
      issuer: `${sim.origin}/${demo.usgov.id}/v2.0`,
      cloud_instance_name: "microsoftonline.us",
      msgraph_host: "graph.microsoft.us",
      tenant_region_scope: "USGov",
    });
  });

  it("accepts a certificate assertion signed with the registered key", async () => {
    const cert = await createClientCertificate();
    const app = sim.scenario.tenants[0]?.apps.find((a) => a.clientId === demo.apps.healthy.clientId);
    app?.certificates.push({ pem: cert.certPem });
    const client = new ConfidentialClientApplication({
      auth: {
        clientId: demo.apps.healthy.clientId,
        authority: `${sim.origin}/${demo.contoso.id}`,
        knownAuthorities: [new URL(sim.origin).host],
        clientCertificate: { thumbprintSha256: cert.thumbprintSha256, privateKey: cert.privateKeyPem },
      },
    });
    const result = await client.acquireTokenByClientCredential({ scopes: [graphDefault] });
    expect(decodeClaims((result as AuthenticationResult).accessToken)).toMatchObject({ appidacr: "2", roles: ["Calendars.ReadWrite", "User.Read.All"] });

    const stranger = await createClientCertificate("CN=not-registered");
    const rogue = new ConfidentialClientApplication({
      auth: {
        clientId: demo.apps.healthy.clientId,
        authority: `${sim.origin}/${demo.contoso.id}`,
        knownAuthorities: [new URL(sim.origin).host],
        clientCertificate: { thumbprintSha256: stranger.thumbprintSha256, privateKey: stranger.privateKeyPem },
      },
    });
    const error = await captureError(rogue.acquireTokenByClientCredential({ scopes: [graphDefault] }));
    expect(error).toMatchObject({ errorCode: "invalid_client", errorNo: 700027, status: 401 });
  });

  it("answers a throttled token endpoint with 429 and Retry-After", async () => {
    sim.setFaults([{ kind: "throttle", path: "*/oauth2/v2.0/token", count: 1, retryAfterSeconds: 0 }]);
    const error = await captureError(cca(demo.apps.healthy.clientId, demo.apps.healthy.secret).acquireTokenByClientCredential({ scopes: [graphDefault] }));
    expect(error).toMatchObject({ status: 429 });
    // A fresh application instance: msal's throttle cache would short-circuit the same one.
    await expect(cca(demo.apps.healthy.clientId, demo.apps.healthy.secret).acquireTokenByClientCredential({ scopes: [graphDefault] })).resolves.toBeTruthy();
  });

  it("applies latency to every request, metadata included", async () => {
    sim.setFaults([{ kind: "latency", ms: 60 }]);
    await cca(demo.apps.healthy.clientId, demo.apps.healthy.secret).acquireTokenByClientCredential({ scopes: [graphDefault] });
    expect(sim.requests).toHaveLength(2);
    for (const request of sim.requests) expect(request.durationMs).toBeGreaterThanOrEqual(55);
  });

  it("can leave a request hanging", async () => {
    sim.setFaults([{ kind: "hang", path: "*/openid-configuration" }]);
    await expect(fetch(`${sim.origin}/${demo.contoso.id}/v2.0/.well-known/openid-configuration`, { signal: AbortSignal.timeout(150) })).rejects.toThrow();
    expect(sim.requests[0]).toMatchObject({ status: 0, fault: "hang" });
  });
});

// ---------------------------------------------------------------------------------------------

interface SignInResult {
  location: URL;
  html: string;
  status: number;
}

/** Plays the browser: GET the sign-in page, then POST the form (and further pages) without following redirects. */
async function submitSignIn(authUrl: string, fields: Record<string, string>): Promise<SignInResult> {
  const page = await fetch(authUrl);
  expect(page.status).toBe(200);
  const html = await page.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, "&");
  expect(action).toBeTruthy();
  const response = await fetch(new URL(action ?? "", sim.origin), { method: "POST", body: new URLSearchParams(fields), redirect: "manual" });
  return {
    status: response.status,
    location: new URL(response.headers.get("location") ?? "about:blank"),
    html: response.status === 200 ? await response.text() : "",
  };
}

async function pressButton(html: string, action: string): Promise<SignInResult> {
  const formAction = /<form method="post" action="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, "&") ?? "";
  const flow = /name="flow" value="([^"]+)"/.exec(html)?.[1] ?? "";
  const response = await fetch(new URL(formAction, sim.origin), { method: "POST", body: new URLSearchParams({ flow, action }), redirect: "manual" });
  return { status: response.status, location: new URL(response.headers.get("location") ?? "about:blank"), html: response.status === 200 ? await response.text() : "" };
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

describe("authorization code + PKCE", () => {
  const scopes = ["Calendars.ReadWrite", "User.Read"];

  it("signs in through the form, redeems the code and refreshes silently", async () => {
    const app = cca(demo.apps.healthy.clientId, demo.apps.healthy.secret);
    const { verifier, challenge } = pkce();
    const url = await app.getAuthCodeUrl({
      scopes,
      redirectUri: demo.redirectUri,
      codeChallenge: challenge,
      codeChallengeMethod: "S256",
      state: "st123",
      nonce: "n-0S6_WzA2Mj",
    });
    const signIn = await submitSignIn(url, { login: demo.users.adele.upn, passwd: demo.password, action: "signin" });
    expect(signIn.status).toBe(302);
    expect(signIn.location.origin + signIn.location.pathname).toBe(demo.redirectUri);
    expect(signIn.location.searchParams.get("state")).toBe("st123");
    expect(signIn.location.searchParams.get("session_state")).toMatch(/^[0-9a-f-]{36}$/);
    expect(signIn.location.searchParams.has("client_info")).toBe(false);
    const code = signIn.location.searchParams.get("code") ?? "";

    // msal-node 7 rejects an id_token nonce unless the same nonce is passed to acquireTokenByCode.
    const nonce = "n-0S6_WzA2Mj";
    const wrongVerifier = await captureError(app.acquireTokenByCode({ code, scopes, redirectUri: demo.redirectUri, codeVerifier: pkce().verifier, nonce }));
    expect(wrongVerifier).toMatchObject({ errorNo: 501481 });

    // The simulator checks PKCE before marking the code used, so the failed attempt did not burn it.
    const result = await app.acquireTokenByCode({ code, scopes, redirectUri: demo.redirectUri, codeVerifier: verifier, nonce });
    expect(result.account?.homeAccountId).toBe(`${demo.users.adele.id}.${demo.contoso.id}`);
    expect(result.idTokenClaims).toMatchObject({ nonce: "n-0S6_WzA2Mj", tid: demo.contoso.id, oid: demo.users.adele.id, preferred_username: demo.users.adele.upn, name: "Adele Vance" });
    expect(decodeClaims(result.accessToken)).toMatchObject({ scp: expect.stringContaining("Calendars.ReadWrite"), idtyp: "user" });
    expect(JSON.stringify(sim.requests)).not.toContain(code);

    const reused = await captureError(app.acquireTokenByCode({ code, scopes, redirectUri: demo.redirectUri, codeVerifier: verifier, nonce }));
    expect(reused).toMatchObject({ errorNo: 70002 });

    sim.clearRequests();
    const refreshed = await app.acquireTokenSilent({ account: accountOf(result), scopes, forceRefresh: true });
    expect(refreshed.fromCache).toBe(false);
    expect(sim.requests.at(-1)?.form).toMatchObject({ grant_type: "refresh_token", refresh_token: "[redacted]" });

    sim.revokeRefreshTokens(demo.users.adele.upn);
    const revoked = await captureError(app.acquireTokenSilent({ account: accountOf(result), scopes, forceRefresh: true }));
    expect(revoked).toMatchObject({ errorNo: 50173 });
  });

  it("works through the /organizations authority", async () => {
    const app = new ConfidentialClientApplication({
      auth: {
        clientId: demo.apps.healthy.clientId,
        clientSecret: demo.apps.healthy.secret,
        authority: `${sim.origin}/organizations`,
        knownAuthorities: [new URL(sim.origin).host],
      },
    });
    const { verifier, challenge } = pkce();
    const url = await app.getAuthCodeUrl({ scopes, redirectUri: demo.redirectUri, codeChallenge: challenge, codeChallengeMethod: "S256" });
    const signIn = await submitSignIn(url, { login: demo.users.adele.upn, passwd: demo.password, action: "signin" });
    const result = await app.acquireTokenByCode({ code: signIn.location.searchParams.get("code") ?? "", scopes, redirectUri: demo.redirectUri, codeVerifier: verifier });
    expect(result.tenantId).toBe(demo.contoso.id);
    const refreshed = await app.acquireTokenSilent({ account: accountOf(result), scopes, forceRefresh: true });
    expect(refreshed.accessToken).toBeTruthy();
  });

  it("supports the plain PKCE method via issueAuthCode", async () => {
    const code = sim.issueAuthCode({
      tenant: demo.contoso.domain,
      clientId: demo.apps.healthy.clientId,
      user: demo.users.adele.upn,
      redirectUri: demo.redirectUri,
      scopes: [...scopes, "openid", "profile", "offline_access"],
      codeChallenge: "plain-verifier-0123456789-0123456789-0123456789",
      codeChallengeMethod: "plain",
    });
    const result = await cca(demo.apps.healthy.clientId, demo.apps.healthy.secret).acquireTokenByCode({
      code,
      scopes,
      redirectUri: demo.redirectUri,
      codeVerifier: "plain-verifier-0123456789-0123456789-0123456789",
    });
    expect(result.accessToken).toBeTruthy();
  });

  it("asks for MFA, then refuses a refresh that needs MFA again", async () => {
    const app = cca(demo.apps.healthy.clientId, demo.apps.healthy.secret);
    const { verifier, challenge } = pkce();
    const url = await app.getAuthCodeUrl({ scopes, redirectUri: demo.redirectUri, codeChallenge: challenge, codeChallengeMethod: "S256" });
    const step1 = await submitSignIn(url, { login: demo.users.megan.upn, passwd: demo.password, action: "signin" });
    expect(step1.html).toContain("Approve sign in request");
    const step2 = await pressButton(step1.html, "mfa-approve");
    const result = await app.acquireTokenByCode({ code: step2.location.searchParams.get("code") ?? "", scopes, redirectUri: demo.redirectUri, codeVerifier: verifier });
    expect(decodeClaims(result.accessToken).amr).toEqual(["pwd", "mfa"]);

    const user = sim.scenario.tenants[0]?.users.find((u) => u.id === demo.users.megan.id);
    if (user) user.refreshMfaError = 50079;
    const error = await captureError(app.acquireTokenSilent({ account: accountOf(result), scopes, forceRefresh: true }));
    expect(error).toBeInstanceOf(InteractionRequiredAuthError);
    expect(error).toMatchObject({ errorNo: 50079 });
  });

  it("redirects Cancel as access_denied / cancel", async () => {
    const url = await cca(demo.apps.healthy.clientId, demo.apps.healthy.secret).getAuthCodeUrl({ scopes, redirectUri: demo.redirectUri, state: "s1" });
    const result = await submitSignIn(url, { action: "cancel" });
    expect(Object.fromEntries(result.location.searchParams)).toEqual({ error: "access_denied", error_subcode: "cancel", state: "s1" });
  });

  it("keeps the user on the form for a wrong password or unknown user", async () => {
    const url = await cca(demo.apps.healthy.clientId, demo.apps.healthy.secret).getAuthCodeUrl({ scopes, redirectUri: demo.redirectUri });
    const badPassword = await submitSignIn(url, { login: demo.users.adele.upn, passwd: "nope", action: "signin" });
    expect(badPassword.html).toContain("AADSTS50126");
    expect(badPassword.html).toContain('role="alert"');
    const unknown = await submitSignIn(url, { login: "nobody@contoso.com", passwd: "x", action: "signin" });
    expect(unknown.html).toContain("AADSTS50034");
  });

  it("renders error pages for redirect URI mismatch and personal accounts", async () => {
    const app = cca(demo.apps.healthy.clientId, demo.apps.healthy.secret);
    const mismatch = await fetch(await app.getAuthCodeUrl({ scopes, redirectUri: "https://evil.example/callback" }), { redirect: "manual" });
    expect(mismatch.status).toBe(200);
    expect(await mismatch.text()).toContain("AADSTS50011");

    const personal = await submitSignIn(await app.getAuthCodeUrl({ scopes, redirectUri: demo.redirectUri }), {
      login: demo.users.personal.upn,
      passwd: demo.password,
      action: "signin",
    });
    expect(personal.status).toBe(200);
    expect(personal.html).toContain("AADSTS50020");
  });

  it("redirects Conditional Access and blocked consent as errors", async () => {
    const blocked = await submitSignIn(
      await cca(demo.apps.healthy.clientId, demo.apps.healthy.secret).getAuthCodeUrl({ scopes, redirectUri: demo.redirectUri }),
      { login: demo.users.caBlocked.upn, passwd: demo.password, action: "signin" },
    );
    expect(blocked.location.searchParams.get("error")).toBe("access_denied");
    expect(blocked.location.searchParams.get("error_description")).toMatch(/^AADSTS53003: /);

    const consent = await submitSignIn(
      await cca(demo.apps.userConsentBlocked.clientId, demo.apps.userConsentBlocked.secret).getAuthCodeUrl({ scopes, redirectUri: demo.redirectUri }),
      { login: demo.users.adele.upn, passwd: demo.password, action: "signin" },
    );
    expect(consent.location.searchParams.get("error")).toBe("access_denied");
    expect(consent.location.searchParams.get("error_description")).toMatch(/^AADSTS90094: /);
  });

  it("asks the user for consent and records it", async () => {
    const app = cca(demo.apps.noConsent.clientId, demo.apps.noConsent.secret);
    const { verifier, challenge } = pkce();
    const url = await app.getAuthCodeUrl({ scopes, redirectUri: demo.redirectUri, codeChallenge: challenge, codeChallengeMethod: "S256" });
    const step1 = await submitSignIn(url, { login: demo.users.adele.upn, passwd: demo.password, action: "signin" });
    expect(step1.html).toContain("Permissions requested");
    const step2 = await pressButton(step1.html, "consent-accept");
    const result = await app.acquireTokenByCode({ code: step2.location.searchParams.get("code") ?? "", scopes, redirectUri: demo.redirectUri, codeVerifier: verifier });
    expect(result.scopes).toEqual(expect.arrayContaining(["https://graph.microsoft.com/Calendars.ReadWrite"]));
  });
});

describe("token endpoint details", () => {
  it("honours the scenario's token lifetime and Conditional Access for workload identities", async () => {
    const scenario = pristine();
    scenario.settings.accessTokenLifetimeSeconds = 120;
    const blocked = scenario.tenants[0]?.apps.find((a) => a.clientId === demo.apps.extraRoles.clientId);
    if (blocked) blocked.conditionalAccessBlocked = true;
    sim.setScenario(scenario);
    const post = (clientId: string, secret: string) =>
      fetch(`${sim.origin}/${demo.contoso.id}/oauth2/v2.0/token`, {
        method: "POST",
        body: new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: secret, scope: graphDefault }),
      });
    const ok = await post(demo.apps.healthy.clientId, demo.apps.healthy.secret);
    expect(await ok.json()).toMatchObject({ token_type: "Bearer", expires_in: 120, ext_expires_in: 120 });
    const ca = await post(demo.apps.extraRoles.clientId, demo.apps.extraRoles.secret);
    expect(ca.status).toBe(400);
    expect(await ca.json()).toMatchObject({ error: "invalid_grant", error_codes: [53003], suberror: "message_only" });
  });

  it("refuses a code for scopes nobody consented to with 65001 (interaction required)", async () => {
    const code = sim.issueAuthCode({
      tenant: demo.contoso.id,
      clientId: demo.apps.noConsent.clientId,
      user: demo.users.adele.id,
      redirectUri: demo.redirectUri,
      scopes: ["Calendars.ReadWrite", "openid", "profile", "offline_access"],
    });
    const error = await captureError(
      cca(demo.apps.noConsent.clientId, demo.apps.noConsent.secret).acquireTokenByCode({ code, scopes: ["Calendars.ReadWrite"], redirectUri: demo.redirectUri }),
    );
    expect(error).toBeInstanceOf(InteractionRequiredAuthError);
    expect(error).toMatchObject({ errorNo: 65001, subError: "consent_required" });
  });

  it("signs in silently with prompt=none after an interactive sign-in, until logout", async () => {
    const app = cca(demo.apps.healthy.clientId, demo.apps.healthy.secret);
    const first = await fetch(await app.getAuthCodeUrl({ scopes: ["User.Read"], redirectUri: demo.redirectUri }));
    const action = /<form method="post" action="([^"]+)"/.exec(await first.text())?.[1]?.replace(/&amp;/g, "&") ?? "";
    const signedIn = await fetch(new URL(action, sim.origin), {
      method: "POST",
      body: new URLSearchParams({ login: demo.users.adele.upn, passwd: demo.password, action: "signin" }),
      redirect: "manual",
    });
    const cookie = (signedIn.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const silentUrl = await app.getAuthCodeUrl({ scopes: ["User.Read"], redirectUri: demo.redirectUri, prompt: "none" });
    const silent = await fetch(silentUrl, { headers: { cookie }, redirect: "manual" });
    expect(new URL(silent.headers.get("location") ?? "about:blank").searchParams.has("code")).toBe(true);

    const logout = await fetch(`${sim.origin}/${demo.contoso.id}/oauth2/v2.0/logout?post_logout_redirect_uri=${encodeURIComponent("http://localhost:3000/")}`, {
      headers: { cookie },
      redirect: "manual",
    });
    expect(logout.headers.get("location")).toBe("http://localhost:3000/");
    const after = await fetch(silentUrl, { headers: { cookie }, redirect: "manual" });
    expect(new URL(after.headers.get("location") ?? "about:blank").searchParams.get("error")).toBe("login_required");
  });

  it("answers prompt=none without a session with login_required", async () => {
    const url = await cca(demo.apps.healthy.clientId, demo.apps.healthy.secret).getAuthCodeUrl({
      scopes: ["User.Read"],
      redirectUri: demo.redirectUri,
      prompt: "none",
      state: "silent",
    });
    const response = await fetch(url, { redirect: "manual" });
    const location = new URL(response.headers.get("location") ?? "about:blank");
    expect(location.searchParams.get("error")).toBe("login_required");
    expect(location.searchParams.get("state")).toBe("silent");
  });
});

describe("admin consent", () => {
  it("grants the requested application permissions", async () => {
    const url = `${sim.origin}/${demo.contoso.domain}/adminconsent?client_id=${demo.apps.noConsent.clientId}&state=12345&redirect_uri=${encodeURIComponent(demo.consentRedirectUri)}`;
    const result = await submitSignIn(url, { login: demo.users.admin.upn, passwd: demo.password, action: "signin" });
    expect(Object.fromEntries(result.location.searchParams)).toEqual({ tenant: demo.contoso.id, state: "12345", admin_consent: "True" });
    const token = await cca(demo.apps.noConsent.clientId, demo.apps.noConsent.secret).acquireTokenByClientCredential({ scopes: [graphDefault] });
    expect(decodeClaims((token as AuthenticationResult).accessToken).roles).toEqual(["Calendars.ReadWrite", "User.Read.All"]);
  });

  it("reports a non-admin and a cancel as errors", async () => {
    const url = `${sim.origin}/${demo.contoso.id}/adminconsent?client_id=${demo.apps.noConsent.clientId}&state=s&redirect_uri=${encodeURIComponent(demo.consentRedirectUri)}`;
    const notAdmin = await submitSignIn(url, { login: demo.users.adele.upn, passwd: demo.password, action: "signin" });
    expect(notAdmin.location.searchParams.get("error")).toBe("access_denied");
    const cancel = await submitSignIn(url, { action: "cancel" });
    expect(cancel.location.searchParams.get("error")).toBe("access_denied");
    expect(cancel.location.searchParams.get("error_description")).toMatch(/^AADSTS65004: /);
  });
});

describe("scenario and CA", () => {
  it("rejects an invalid scenario with a readable message", () => {
    expect(() => parseScenario({ tenants: [{ id: "not-a-guid", displayName: "x", domains: ["x.onmicrosoft.com"] }] })).toThrow(/must be a GUID/);
  });

  it("reuses the cached CA", async () => {
    const again = await ensureCa(testSimulatorStateDir);
    expect(again).toEqual({ caCertPath: sim.caCertPath, caCertPem: sim.caCertPem });
  });
});
