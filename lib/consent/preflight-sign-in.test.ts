import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { preflightFromSetupSignIn, preflightSignInNotice, startConsentPreflightSignIn } from "@/lib/consent/preflight-sign-in";
import { listConsentPredictions, openConsentToken } from "@/lib/consent/store";
import { KeyRing } from "@/lib/crypto/seal";
import { resolveCloud } from "@/lib/entra/cloud-config";
import { UserFacingError } from "@/lib/errors";
import { saveSetupApp } from "@/lib/provisioning/setup-app";
import { completeSetupSignIn } from "@/lib/provisioning/setup-sign-in";
import { signInThroughForm } from "@/simulator/browser-sign-in";
import { demo } from "@/simulator/demo-ids";
import { saveSignInAppForSuite } from "@/test-support/connect-mailbox";
import { createUserForSuite } from "@/test-support/console-users";
import { testEngines } from "@/test-support/databases";
import { openDatabaseForSuite } from "@/test-support/engine-database";
import { provisioningScenario, provisioningUsers, setupApp, withSetupApp } from "@/test-support/provisioning-scenario";
import { SETUP_SIGN_IN_CALLBACK, simulatorCloudForFile } from "@/test-support/simulator-cloud";
import { signInScenario } from "@/test-support/simulator-scenario";
import { startDemoSimulatorForFile } from "@/test-support/simulator-trust";

/**
 * The consent pre-flight through the setup app sign-in, against the simulator's real /authorize
 * pages: a Global Administrator signs in, msal-node redeems the code, and the token (which carries
 * Policy.Read.All) runs the pre-flight. The tenant lets Microsoft manage consent, so the answer is
 * "Need admin approval".
 */

const { sim, pristine } = startDemoSimulatorForFile();
simulatorCloudForFile(sim);
const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);

beforeEach(() => {
  sim.setScenario(
    withSetupApp(
      provisioningScenario(
        signInScenario(pristine(), (scenario) => {
          scenario.tenants[0]!.apps.find((app) => app.clientId === demo.apps.healthy.clientId)!.grantedScopes = [];
          scenario.tenants[0]!.consent = { ...scenario.tenants[0]!.consent, permissionGrantPoliciesAssigned: ["ManagePermissionGrantsForSelf.microsoft-user-default-recommended"] };
        }),
      ),
      [SETUP_SIGN_IN_CALLBACK],
    ),
  );
});

describe("preflightSignInNotice", () => {
  it("reads only known words, and Microsoft's code only by its shape", () => {
    expect(preflightSignInNotice("done", undefined)).toMatchObject({ tone: "success" });
    expect(preflightSignInNotice("no-policy-scope", undefined)?.text).toContain("Policy.Read.All");
    expect(preflightSignInNotice("refused", "access_denied")?.text).toContain("(access_denied)");
    expect(preflightSignInNotice("refused", "<b>Your token is ready</b>")?.text).toContain("(no code)");
    expect(preflightSignInNotice("anything else", undefined)).toBeUndefined();
    expect(preflightSignInNotice(undefined, undefined)).toBeUndefined();
  });
});

describe.each(testEngines())("consent pre-flight through the setup app sign-in on $name", (engine) => {
  const database = openDatabaseForSuite(engine);
  const admin = createUserForSuite(database, "preflight-admin@example.com", "Preflight admin", "admin");
  const other = createUserForSuite(database, "other-admin@example.com", "Other admin", "admin");
  saveSignInAppForSuite(database, ring, admin);
  const start = () => startConsentPreflightSignIn(database.prisma, ring, { userId: admin.id });

  it("without a setup app, says so and starts nothing", async () => {
    const attempt = start();
    await expect(attempt).rejects.toThrow(UserFacingError);
    await expect(attempt).rejects.toThrow(/Settings → Setup app/);
    expect(await database.prisma.setupSignIn.count()).toBe(0);
  });

  it("a Global Administrator signs in, the pre-flight predicts, and the token is kept only for them and this app", async () => {
    const saved = await saveSetupApp(
      database.prisma,
      ring,
      { cloud: "custom", clientId: setupApp.clientId, homeTenant: demo.contoso.id, audience: "organization", credentialKind: "secret", clientSecret: setupApp.secret, certificatePem: undefined, secretExpiresAt: undefined, expectedVersion: 0 },
      { actor: admin },
    );
    expect(saved.saved, JSON.stringify(saved.checks)).toBe(true);

    const { url } = await start();
    expect(new URL(url).searchParams.get("scope")).toContain("Policy.Read.All");
    const location = await signInThroughForm(url, { login: provisioningUsers.globalAdmin.upn, password: demo.password, action: "signin" });
    expect(`${location.origin}${location.pathname}`).toBe(SETUP_SIGN_IN_CALLBACK);
    // Another console user cannot complete it.
    expect(await completeSetupSignIn(database.prisma, ring, { userId: other.id, params: location.searchParams })).toEqual({ kind: "bad-state" });
    const outcome = await completeSetupSignIn(database.prisma, ring, { userId: admin.id, params: location.searchParams });
    if (outcome.kind !== "token") throw new Error(`expected a token, got ${JSON.stringify(outcome)}`);
    expect(outcome.purpose).toBe("consent-preflight");
    expect(outcome.payload).toEqual({ clientId: demo.apps.healthy.clientId });

    expect(await preflightFromSetupSignIn(database.prisma, ring, { payload: outcome.payload, token: outcome.token, cloud: outcome.cloud, actor: admin, ip: "203.0.113.7" })).toBe("done");
    const [stored] = await listConsentPredictions(database.prisma, demo.apps.healthy.clientId);
    expect(stored).toMatchObject({ tenantId: demo.contoso.id, outcome: "approval" });
    expect(stored?.grantPossibleUntil).not.toBeNull();

    // Kept sealed for the grant, for this administrator and this app only; never in the audit or the sign-in rows.
    const kept = { tenantId: demo.contoso.id, clientId: demo.apps.healthy.clientId };
    expect(await openConsentToken(database.prisma, ring, { ...kept, userId: other.id })).toBeUndefined();
    expect(await openConsentToken(database.prisma, ring, { ...kept, userId: admin.id })).toBe(outcome.token);
    const signature = outcome.token.split(".")[2]!;
    const audit = await database.prisma.auditEvent.findMany({ select: { summary: true, action: true } });
    expect(audit.map((entry) => entry.action)).toContain("consent.preflight");
    expect(JSON.stringify(audit)).not.toContain(signature);
    expect(JSON.stringify(await database.sql.query("SELECT * FROM setup_sign_ins"))).not.toContain(signature);
    expect(JSON.stringify(await database.sql.query("SELECT * FROM consent_predictions"))).not.toContain(signature);
  });

  it("refuses a sign-in started for a sign-in app that has since been replaced, storing nothing", async () => {
    await database.prisma.consentPrediction.deleteMany();
    const result = await preflightFromSetupSignIn(database.prisma, ring, {
      payload: { clientId: "00000000-0000-4000-8000-00000000beef" },
      token: "not-used",
      cloud: resolveCloud("custom")!,
      actor: admin,
    });
    expect(result).toBe("app-changed");
    expect(await database.prisma.consentPrediction.count()).toBe(0);
  });
});
