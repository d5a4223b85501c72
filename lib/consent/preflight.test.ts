import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { KeyRing } from "@/lib/crypto/seal";
import type { Cloud } from "@/lib/entra/clouds";
import { resolveCloud } from "@/lib/entra/cloud-config";
import { startMailboxSignIn } from "@/lib/delegated/sign-in";
import { ConsentTokenError, grantTenantWide, predictConsent, preflightScopes } from "@/lib/consent/preflight";
import type { ConsentOutcome } from "@/lib/consent/rules";
import { listConsentPredictions, openConsentToken } from "@/lib/consent/store";
import { demo } from "@/simulator/demo-ids";
import type { ConsentSettings, Scenario } from "@/simulator/scenario";
import { saveSignInAppForSuite } from "@/test-support/connect-mailbox";
import { memberSignIn, type MemberSignIn } from "@/test-support/consent-sign-in";
import { createUserForSuite } from "@/test-support/console-users";
import { testEngines } from "@/test-support/databases";
import { openDatabaseForSuite } from "@/test-support/engine-database";
import { adminToken, CLI_SCOPES } from "@/test-support/provisioning-scenario";
import { simulatorCloudForFile } from "@/test-support/simulator-cloud";
import { healthyApp, signInScenario, signInScenarioBeforeEach } from "@/test-support/simulator-scenario";
import { startDemoSimulatorForFile } from "@/test-support/simulator-trust";

/**
 * The prediction against what the simulator really does when a member connects. The simulator's
 * consent rules (simulator/consent-policy.ts) were written from Microsoft's documentation apart from
 * lib/consent, so agreement here is evidence, not an echo.
 */

const { sim, pristine } = startDemoSimulatorForFile();
simulatorCloudForFile(sim);
signInScenarioBeforeEach(sim, pristine);
const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);
const signInApp = { clientId: demo.apps.healthy.clientId, multiTenant: false };
const member = demo.users.adele;

type Setup = { name: string; consent: Partial<ConsentSettings>; assignmentRequired?: boolean; expected: ConsentOutcome; member: MemberSignIn["kind"][] };

const setups: Setup[] = [
  { name: "the legacy policy", consent: {}, expected: "connect", member: ["consent-screen"] },
  { name: "the Microsoft-managed policy", consent: { permissionGrantPoliciesAssigned: ["ManagePermissionGrantsForSelf.microsoft-user-default-recommended"] }, expected: "approval", member: ["refused"] },
  {
    name: "the Microsoft-managed policy with the admin consent workflow on",
    consent: { permissionGrantPoliciesAssigned: ["managePermissionGrantsForSelf.microsoft-user-default-recommended"], adminConsentWorkflow: { enabled: true, reviewerIds: [demo.users.lynne.id] } },
    expected: "approval",
    member: ["approval-request"],
  },
  { name: "the low-risk policy, nothing classified", consent: { permissionGrantPoliciesAssigned: ["ManagePermissionGrantsForSelf.microsoft-user-default-low"] }, expected: "approval", member: ["refused"] },
  {
    name: "the low-risk policy with the three permissions classified low",
    consent: { permissionGrantPoliciesAssigned: ["ManagePermissionGrantsForSelf.microsoft-user-default-low"], lowClassifiedPermissions: ["User.Read", "Calendars.ReadWrite", "offline_access"] },
    expected: "connect",
    member: ["consent-screen"],
  },
  { name: "no user consent policy", consent: { permissionGrantPoliciesAssigned: ["ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team"] }, expected: "approval", member: ["refused"] },
  { name: "assignment required", consent: {}, assignmentRequired: true, expected: "blocked", member: ["refused"] },
];

function scenarioFor(setup: Pick<Setup, "consent" | "assignmentRequired">): Scenario {
  return signInScenario(pristine(), (scenario) => {
    const app = healthyApp(scenario);
    app.grantedScopes = [];
    app.appRoleAssignmentRequired = setup.assignmentRequired ?? false;
    scenario.tenants[0]!.consent = { ...scenario.tenants[0]!.consent, ...setup.consent };
  });
}

describe.each(testEngines())("consent pre-flight on $name", (engine) => {
  const database = openDatabaseForSuite(engine);
  const admin = createUserForSuite(database, "admin@example.com", "Admin", "admin");
  const alice = createUserForSuite(database, "alice@example.com", "Alice", "member");
  saveSignInAppForSuite(database, ring, admin);
  const cloud = (): Cloud => resolveCloud("custom")!;
  const token = (scopes: readonly string[] = preflightScopes) => adminToken(sim, demo.users.admin.id, scopes);
  const predict = () => predictConsent(database.prisma, ring, { cloud: cloud(), token: token(), app: signInApp, actor: admin });
  const kept = (userId: string = admin.id, clientId: string = signInApp.clientId) => ({ tenantId: demo.contoso.id, userId, clientId });
  const connect = async () => memberSignIn((await startMailboxSignIn(database.prisma, ring, { userId: alice.id })).url, member.upn);

  it.each(setups)("predicts what a member meets with $name", async (setup) => {
    sim.setScenario(scenarioFor(setup));
    const prediction = await predict();
    const met = await connect();
    expect(prediction.outcome, prediction.reason).toBe(setup.expected);
    expect(setup.member, JSON.stringify(met)).toContain(met.kind);
    if (met.kind === "refused") expect(met.code).toBe(setup.expected === "blocked" ? "AADSTS50105" : "AADSTS90094");
  });

  it("names the reviewers of the admin consent workflow", async () => {
    sim.setScenario(scenarioFor(setups[2]!));
    const prediction = await predict();
    expect(prediction.evidence).toMatchObject({ workflow: "on", reviewers: [expect.stringContaining(demo.users.lynne.upn)] });
    expect(prediction.details.join(" ")).toContain(demo.users.lynne.upn);
  });

  it("the one-click tenant-wide grant: audited without the token, re-predicted, and the member connects without approval", async () => {
    sim.setScenario(scenarioFor(setups[1]!));
    const adminTokenValue = token();
    const before = await predictConsent(database.prisma, ring, { cloud: cloud(), token: adminTokenValue, app: signInApp, actor: admin });
    expect(before.outcome).toBe("approval");
    const granted = await grantTenantWide(database.prisma, ring, { cloud: cloud(), tenantId: demo.contoso.id, app: signInApp, actor: admin });
    expect(granted.ok && granted.prediction.outcome).toBe("connect");
    expect(sim.requests.some((request) => request.method === "POST" && request.path === "/v1.0/oauth2PermissionGrants" && request.status === 201)).toBe(true);
    expect(await connect()).toEqual({ kind: "code" });
    // The token is gone after the grant; the audit names the grant but never the token.
    expect(await openConsentToken(database.prisma, ring, kept())).toBeUndefined();
    const audit = await database.prisma.auditEvent.findMany({ where: { action: { startsWith: "consent." } }, select: { action: true, summary: true } });
    expect(audit.map((entry) => entry.action)).toContain("consent.grant");
    expect(JSON.stringify(audit)).not.toContain(adminTokenValue);
    const [stored] = await listConsentPredictions(database.prisma, signInApp.clientId);
    expect(stored).toMatchObject({ tenantId: demo.contoso.id, outcome: "connect" });
    // A second grant widens the existing one rather than adding another.
    await predict();
    expect(await grantTenantWide(database.prisma, ring, { cloud: cloud(), tenantId: demo.contoso.id, app: signInApp, actor: admin })).toMatchObject({ ok: true });
    expect(sim.requests.filter((request) => request.method === "POST" && request.path === "/v1.0/oauth2PermissionGrants")).toHaveLength(1);
  });

  it("refuses an Azure CLI token, naming the token that works, and stores nothing", async () => {
    await database.prisma.consentPrediction.deleteMany();
    const attempt = predictConsent(database.prisma, ring, { cloud: cloud(), token: token(CLI_SCOPES), app: signInApp, actor: admin });
    await expect(attempt).rejects.toThrow(ConsentTokenError);
    await expect(attempt).rejects.toThrow(/Policy\.Read\.All.*Connect-MgGraph -Scopes Policy\.Read\.All,DelegatedPermissionGrant\.ReadWrite\.All,Application\.Read\.All/);
    expect(await database.prisma.consentPrediction.count()).toBe(0);
  });

  it("keeps the token for the administrator who ran the pre-flight and the app it checked, nobody else", async () => {
    sim.setScenario(scenarioFor(setups[1]!));
    await predict();
    sim.clearRequests();
    const other = { id: alice.id, email: "other-admin@example.com" };
    const refused = await grantTenantWide(database.prisma, ring, { cloud: cloud(), tenantId: demo.contoso.id, app: signInApp, actor: other });
    expect(refused).toMatchObject({ ok: false, message: expect.stringContaining("administrator who ran the pre-flight") });
    expect(sim.requests.some((request) => request.method === "POST" && request.path === "/v1.0/oauth2PermissionGrants")).toBe(false);
    // Still there for its owner; a different sign-in app drops it.
    expect(await openConsentToken(database.prisma, ring, kept())).toBeDefined();
    expect(await openConsentToken(database.prisma, ring, kept(admin.id, "00000000-0000-4000-8000-00000000beef"))).toBeUndefined();
    expect(await openConsentToken(database.prisma, ring, kept())).toBeUndefined();
  });

  it("refuses, for a single-organisation app, a token from another organisation, whose prediction its members would never meet", async () => {
    sim.setScenario(scenarioFor(setups[1]!));
    await database.prisma.consentPrediction.deleteMany();
    const elsewhere = predictConsent(database.prisma, ring, { cloud: cloud(), token: token(), app: { ...signInApp, multiTenant: false, homeTenant: "0a0b0c0d-0000-4000-8000-000000000001" }, actor: admin });
    await expect(elsewhere).rejects.toThrow(/another organisation/);
    expect(await database.prisma.consentPrediction.count()).toBe(0);
    // Its own organisation, named by domain, is found through its metadata.
    const home = await predictConsent(database.prisma, ring, { cloud: cloud(), token: token(), app: { ...signInApp, multiTenant: false, homeTenant: demo.contoso.domain }, actor: admin });
    expect(home.tenantId).toBe(demo.contoso.id);
  });

  it("keeps the token for the grant window only", async () => {
    sim.setScenario(scenarioFor(setups[1]!));
    const now = new Date();
    await predictConsent(database.prisma, ring, { cloud: cloud(), token: token(), app: signInApp, actor: admin, now });
    expect(await openConsentToken(database.prisma, ring, kept(), now)).toBeDefined();
    expect(await openConsentToken(database.prisma, ring, kept(), new Date(now.getTime() + 16 * 60_000))).toBeUndefined();
    const raw = await database.sql.query<{ token_sealed: string | null }>("SELECT token_sealed FROM consent_predictions");
    expect(raw[0]?.token_sealed).toBeNull();
  });
});
