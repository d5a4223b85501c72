import { createHash, randomBytes } from "node:crypto";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { signInThroughForm } from "./browser-sign-in";
import { demo } from "./demo-ids";
import { DEMO_EXPIRING_SECRET_DAYS, demoScenario } from "./demo-scenario";
import { loadDemoScenario } from "./scenario";
import { startSimulator, type Simulator } from "./server";
import { testSimulatorStateDir } from "@/test-support/simulator-ca";

// What `npm run demo` relies on: a state that survives a restart, sign-in pages over plain http for
// browsers that do not trust the simulator's CA, the test accounts on those pages, and revoking a
// user's sessions through Graph.

const stateDir = mkdtempSync(path.join(os.tmpdir(), "calsync-sim-demo-"));
// The test process trusts the shared test CA (NODE_EXTRA_CA_CERTS), so this folder starts with it.
for (const file of ["ca.pem", "ca-key.pem"]) copyFileSync(path.join(testSimulatorStateDir, file), path.join(stateDir, file));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

const callback = "http://127.0.0.1:3000/connect/callback";
const scopes = "https://graph.microsoft.com/User.Read https://graph.microsoft.com/Calendars.ReadWrite openid offline_access";

async function start(): Promise<Simulator> {
  return startSimulator({ scenario: await loadDemoScenario(), stateDir, persist: true, browserHttpPort: 0, showAccounts: true });
}

function authorizeUrl(base: string, challenge: string): string {
  const url = new URL(`${base}/${demo.contoso.id}/oauth2/v2.0/authorize`);
  url.search = new URLSearchParams({ client_id: demo.apps.healthy.clientId, redirect_uri: callback, response_type: "code", scope: scopes, code_challenge: challenge, code_challenge_method: "S256", state: "demo-state" }).toString();
  return url.toString();
}

async function token(origin: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${origin}/${demo.contoso.id}/oauth2/v2.0/token`, {
    method: "POST",
    body: new URLSearchParams({ client_id: demo.apps.healthy.clientId, client_secret: demo.apps.healthy.secret, ...form }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function refresh(origin: string, refreshToken: string) {
  return token(origin, { grant_type: "refresh_token", refresh_token: refreshToken, scope: scopes });
}

describe("demo mode", () => {
  let refreshToken = "";
  let accessToken = "";

  it("serves the sign-in pages over plain http with the test accounts, and nothing else there", async () => {
    const sim = await start();
    try {
      expect(sim.browserOrigin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const verifier = randomBytes(32).toString("base64url");
      const url = authorizeUrl(sim.browserOrigin!, createHash("sha256").update(verifier).digest("base64url"));
      const page = await (await fetch(url)).text();
      expect(page).toContain("Test accounts of Contoso");
      expect(page).toContain(demo.users.lynne.upn);
      expect(page).toContain(`password <code>${demo.password}</code>`);
      expect(page).toMatch(/admin@contoso\.onmicrosoft\.com.*\n?.*administrator: may grant admin consent/);

      const location = await signInThroughForm(url, { login: demo.users.adele.upn, password: demo.password });
      expect(`${location.origin}${location.pathname}`).toBe(callback);
      const redeemed = await token(sim.origin, { grant_type: "authorization_code", code: location.searchParams.get("code") ?? "", redirect_uri: callback, code_verifier: verifier, scope: scopes });
      expect(redeemed.status).toBe(200);
      refreshToken = String(redeemed.body.refresh_token);
      accessToken = String(redeemed.body.access_token);

      // Token, metadata and Graph stay on https; the plain listener refuses them.
      const graphOverHttp = await fetch(`${sim.browserOrigin}/v1.0/me`, { headers: { authorization: `Bearer ${accessToken}` } });
      expect(graphOverHttp.status).toBe(404);
      const tokenOverHttp = await fetch(`${sim.browserOrigin}/${demo.contoso.id}/oauth2/v2.0/token`, { method: "POST", body: "grant_type=client_credentials" });
      expect(tokenOverHttp.status).toBe(404);
    } finally {
      await sim.close();
    }
  });

  it("keeps refresh tokens and the signing key across a restart", async () => {
    const sim = await start();
    try {
      const me = await fetch(`${sim.origin}/v1.0/me`, { headers: { authorization: `Bearer ${accessToken}` } });
      expect(me.status).toBe(200);
      const renewed = await refresh(sim.origin, refreshToken);
      expect(renewed.status).toBe(200);
      refreshToken = String(renewed.body.refresh_token);
    } finally {
      await sim.close();
    }
  });

  it("revokes a user's sessions through Graph, and the revocation survives a restart", async () => {
    const sim = await start();
    try {
      const denied = await fetch(`${sim.origin}/v1.0/users/${demo.users.adele.upn}/revokeSignInSessions`, {
        method: "POST",
        headers: { authorization: `Bearer ${sim.mintAccessToken({ tenant: demo.contoso.id, clientId: demo.apps.healthy.clientId })}` },
      });
      expect(denied.status).toBe(403);
      const tools = sim.mintAccessToken({ tenant: demo.contoso.id, clientId: demo.apps.identityTools.clientId });
      const revoked = await fetch(`${sim.origin}/v1.0/users/${demo.users.adele.upn}/revokeSignInSessions`, { method: "POST", headers: { authorization: `Bearer ${tools}` } });
      expect(revoked.status).toBe(200);
      expect(await revoked.json()).toMatchObject({ value: true });
    } finally {
      await sim.close();
    }
    const restarted = await start();
    try {
      const refused = await refresh(restarted.origin, refreshToken);
      expect(refused.status).toBe(400);
      expect(refused.body.error_codes).toEqual([50173]);
    } finally {
      await restarted.close();
    }
  });
});

describe("the demo's scenario", () => {
  it("registers the console's real redirect URIs on the demo's port and dates the secrets from today", async () => {
    const now = new Date("2026-03-01T12:00:00Z");
    const scenario = await demoScenario(3404, now);
    const apps = scenario.tenants.flatMap((tenant) => tenant.apps);
    for (const app of apps) {
      expect(app.redirectUris).toEqual(
        expect.arrayContaining(["http://127.0.0.1:3404/connect/callback", "http://127.0.0.1:3404/connections/new/admin-consent/callback", "http://localhost:3404/connect/callback"]),
      );
      expect(app.redirectUris.join(" ")).not.toContain(":3000");
    }
    const expiry = (clientId: string) => apps.find((app) => app.clientId === clientId)!.secrets[0]!.expiresAt;
    expect(Date.parse(expiry(demo.apps.secretExpiring.clientId)) - now.getTime()).toBe(DEMO_EXPIRING_SECRET_DAYS * 86_400_000);
    expect(Date.parse(expiry(demo.apps.expiredSecret.clientId))).toBeLessThan(now.getTime());
  });
});
