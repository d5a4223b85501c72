import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { KeyRing } from "@/lib/crypto/seal";
import { UserFacingError } from "@/lib/errors";
import { decodeAccessTokenClaims } from "@/lib/graph/access-token";
import { runProvisioning, startProvisioning } from "@/lib/provisioning/provision";
import { getSetupApp, getSetupAppView, saveSetupApp } from "@/lib/provisioning/setup-app";
import type { SetupAppForm } from "@/lib/provisioning/setup-app-schema";
import { completeSetupSignIn, provisionPayloadSchema, startSetupSignIn } from "@/lib/provisioning/setup-sign-in";
import { setupAppScopes } from "@/lib/provisioning/setup-token";
import { signInThroughForm } from "@/simulator/browser-sign-in";
import { demo } from "@/simulator/demo-ids";
import { saveSignInApp, signInAppInput } from "@/test-support/connect-mailbox";
import { saveDelegatedApp } from "@/lib/delegated/delegated-app";
import { createUserForSuite } from "@/test-support/console-users";
import { testEngines } from "@/test-support/databases";
import { openDatabaseForSuite } from "@/test-support/engine-database";
import { provisioningScenario, provisioningUsers, setupApp, withSetupApp } from "@/test-support/provisioning-scenario";
import { SETUP_SIGN_IN_CALLBACK, simulatorCloudForFile } from "@/test-support/simulator-cloud";
import { signInScenario } from "@/test-support/simulator-scenario";
import { startDemoSimulatorForFile } from "@/test-support/simulator-trust";

/**
 * The setup app end to end: saved (verified at the simulator, refused when it is the mailbox or console
 * sign-in app), then an administrator signs in through it at the simulator's real /authorize pages,
 * msal-node redeems the code, and the token provisions a connection.
 */

const { sim, pristine } = startDemoSimulatorForFile();
simulatorCloudForFile(sim);
const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);
const backoff = { baseMs: 5, capMs: 40, boundMs: 3_000 };

beforeEach(() => {
  sim.setScenario(withSetupApp(provisioningScenario(signInScenario(pristine())), [SETUP_SIGN_IN_CALLBACK]));
});

const form = (patch: Partial<SetupAppForm> = {}): SetupAppForm => ({
  cloud: "custom",
  clientId: setupApp.clientId,
  homeTenant: demo.contoso.id,
  audience: "organization",
  credentialKind: "secret",
  clientSecret: setupApp.secret,
  certificatePem: undefined,
  secretExpiresAt: undefined,
  expectedVersion: 0,
  ...patch,
});

/** Plays the administrator at Microsoft and returns the callback's query. */
async function signInAt(url: string, login: string, action: "signin" | "cancel" = "signin"): Promise<URLSearchParams> {
  const location = await signInThroughForm(url, { login, password: demo.password, action });
  expect(`${location.origin}${location.pathname}`).toBe(SETUP_SIGN_IN_CALLBACK);
  return location.searchParams;
}

describe.each(testEngines())("setup app sign-in on $name", (engine) => {
  const database = openDatabaseForSuite(engine);
  const admin = createUserForSuite(database, "owner@example.com", "Owner", "admin");
  const other = createUserForSuite(database, "other@example.com", "Other", "admin");

  it("refuses the mailbox sign-in app's client ID with the reason, and the console sign-in app's; saves nothing", async () => {
    await saveSignInApp(database.prisma, ring, admin);
    const refused = saveSetupApp(database.prisma, ring, form({ clientId: demo.apps.healthy.clientId, clientSecret: demo.apps.healthy.secret }), { actor: admin });
    await expect(refused).rejects.toThrow(UserFacingError);
    await expect(refused).rejects.toThrow(/mailbox sign-in app.*Entra puts every consented permission of an app into each of its tokens/s);
    await database.prisma.consoleSignIn.create({ data: { id: 1, clientId: demo.apps.identityTools.clientId, tenants: [], adminGroups: [], helpdeskGroups: [], memberGroups: [], memberTenants: [] } });
    await expect(saveSetupApp(database.prisma, ring, form({ clientId: demo.apps.identityTools.clientId.toUpperCase() }), { actor: admin })).rejects.toThrow(/console sign-in app/);
    expect(await getSetupAppView(database.prisma)).toBeNull();
    await database.prisma.consoleSignIn.deleteMany();
  });

  it("verifies before saving: a wrong secret saves nothing; the right one is saved sealed and audited without the secret", async () => {
    const wrong = await saveSetupApp(database.prisma, ring, form({ clientSecret: "wrong~secret~value~000000000000000000" }), { actor: admin });
    expect(wrong.saved).toBe(false);
    expect(wrong.checks.find((check) => check.status === "fail")?.code).toMatch(/AADSTS7000215/);
    expect(await getSetupAppView(database.prisma)).toBeNull();
    const saved = await saveSetupApp(database.prisma, ring, form(), { actor: admin });
    expect(saved.saved, JSON.stringify(saved.checks)).toBe(true);
    const rows = await database.sql.query<Record<string, unknown>>("SELECT * FROM setup_apps");
    expect(JSON.stringify(rows)).not.toContain(setupApp.secret);
    expect((await getSetupApp(database.prisma, ring))?.credential).toEqual({ kind: "secret", secret: setupApp.secret });
    const audit = await database.prisma.auditEvent.findMany({ where: { action: "setup-app.save" }, select: { summary: true } });
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(setupApp.secret);

    // The other way round too: the mailbox sign-in app may not become the setup app, whose directory-write scopes would reach the sync engine.
    const before = await database.prisma.delegatedApp.findUnique({ where: { id: 1 }, select: { clientId: true, version: true } });
    const mailbox = saveDelegatedApp(database.prisma, ring, { ...signInAppInput, clientId: setupApp.clientId.toUpperCase(), clientSecret: setupApp.secret, expectedVersion: before?.version ?? 0 }, { actor: admin });
    await expect(mailbox).rejects.toThrow(/setup app's/);
    expect(await database.prisma.delegatedApp.findUnique({ where: { id: 1 }, select: { clientId: true, version: true } })).toEqual(before);
  });

  it("signs a Global Administrator in with the setup scopes, once, for the user who started it, and provisions a verified connection with the token", async () => {
    const payload = { displayName: `Calsync signed in ${engine.name}`, secretMonths: 6 };
    const { url } = await startSetupSignIn(database.prisma, ring, { userId: admin.id, purpose: "provision", payload });
    const authorize = new URL(url);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("client_id")).toBe(setupApp.clientId);
    for (const scope of setupAppScopes) expect(authorize.searchParams.get("scope")).toContain(scope);
    const params = await signInAt(url, provisioningUsers.globalAdmin.upn);

    // The callback for another console user, or with a changed state, finds no attempt and uses none up.
    expect(await completeSetupSignIn(database.prisma, ring, { userId: other.id, params })).toEqual({ kind: "bad-state" });
    const forged = new URLSearchParams(params);
    forged.set("state", "forged-state");
    expect(await completeSetupSignIn(database.prisma, ring, { userId: admin.id, params: forged })).toEqual({ kind: "bad-state" });

    const outcome = await completeSetupSignIn(database.prisma, ring, { userId: admin.id, params });
    if (outcome.kind !== "token") throw new Error(`expected a token, got ${JSON.stringify(outcome)}`);
    expect(provisionPayloadSchema.parse(outcome.payload)).toEqual(payload);
    const claims = decodeAccessTokenClaims(outcome.token);
    expect(claims?.scp?.split(" ")).toEqual(expect.arrayContaining([...setupAppScopes]));
    expect(claims?.oid).toBe(provisioningUsers.globalAdmin.id);
    // A replayed callback finds the attempt used.
    expect(await completeSetupSignIn(database.prisma, ring, { userId: admin.id, params })).toEqual({ kind: "bad-state" });
    // Nothing of the token is kept by the sign-in.
    const attempts = await database.sql.query<Record<string, unknown>>("SELECT * FROM setup_sign_ins");
    expect(JSON.stringify(attempts)).not.toContain(outcome.token.split(".")[2]);

    const id = await startProvisioning(database.prisma, ring, { cloud: outcome.cloud, token: outcome.token, ...payload }, admin);
    const run = await runProvisioning(database.prisma, ring, outcome.cloud, id, { actor: admin, backoff });
    expect(run.status, run.message).toBe("done");
    // The setup app's token reads the tenant's policies, which a pasted Azure CLI token cannot.
    expect(run.items.find((item) => item.id === "policy")?.status).toBe("pass");
    expect(await database.prisma.connection.count({ where: { id: run.connectionId! } })).toBe(1);
    const sealed = await database.prisma.provisioning.findUniqueOrThrow({ where: { id }, select: { tokenSealed: true } });
    expect(sealed.tokenSealed).toBeNull();
  });

  it("keeps Microsoft's refusal as a code when the administrator cancels", async () => {
    const { url } = await startSetupSignIn(database.prisma, ring, { userId: admin.id, purpose: "provision", payload: { displayName: "x", secretMonths: 6 } });
    const params = await signInAt(url, provisioningUsers.globalAdmin.upn, "cancel");
    const outcome = await completeSetupSignIn(database.prisma, ring, { userId: admin.id, params });
    expect(outcome).toMatchObject({ kind: "refused", outcome: { code: "access_denied" } });
  });
});
