import { createServer as createNetServer } from "node:net";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type FaultInput, type Simulator } from "@/simulator/server";
import { runChecks, type RunChecksOptions } from "@/lib/checks/run-checks";
import { checkReportSchema, type Check, type CheckId, type CheckInput } from "@/lib/checks/schema";
import { appIds, assertSimulatorCaTrusted, contosoId, fabrikamGovId, secret, testScenario } from "@/test-support/check-scenario";
import { customCloud, type Cloud } from "@/lib/entra/clouds";
import { testSimulatorStateDir } from "@/test-support/simulator-ca";
import { createPrivateKey } from "node:crypto";
import { generateCertificateCredential, selfSignedCertificate } from "@/lib/crypto/certificates";
import { fixtureKeys, pemBody } from "@/test-support/certificate-fixtures";

/**
 * End to end through the simulator with the real msal-node and graph-client (nothing mocked).
 * Needs NODE_EXTRA_CA_CERTS pointing at the simulator CA (Node reads it only at process start).
 */

assertSimulatorCaTrusted();

let sim: Simulator;
let cloud: Cloud;

beforeAll(async () => {
  sim = await startSimulator({ scenario: testScenario(), stateDir: testSimulatorStateDir });
  cloud = customCloud({ authorityHost: sim.origin, graphHost: sim.origin });
});
afterAll(async () => {
  await sim?.close();
});
afterEach(() => {
  sim.setFaults([]);
  sim.setScenario(testScenario());
  sim.clearRequests();
});

const input = (patch: Partial<CheckInput> = {}): CheckInput => ({
  cloud: "custom",
  tenant: contosoId,
  clientId: appIds.healthy,
  clientSecret: secret,
  mailboxScope: { kind: "all" },
  ...patch,
});

async function run(patch: Partial<CheckInput> = {}, options: Partial<RunChecksOptions> = {}) {
  const progress: Check[] = [];
  const report = await runChecks(input(patch), { cloud, timeoutMs: 5_000, onProgress: (check) => progress.push(check), ...options });
  expect(checkReportSchema.parse(report)).toEqual(report);
  expect(JSON.stringify(report)).not.toContain(secret);
  const byId = (id: CheckId) => {
    const check = report.checks.find((candidate) => candidate.id === id);
    if (!check) throw new Error(`no ${id} check in ${JSON.stringify(report.checks.map((c) => c.id))}`);
    return check;
  };
  return { report, progress, byId };
}

function faults(list: FaultInput[]) {
  sim.setFaults(list);
}

describe("runChecks against the simulator", () => {
  it("passes a healthy app, resolves nothing extra and streams every check", async () => {
    const { report, progress, byId } = await run({ testMailbox: "adele@contoso.com", writeTest: true });
    expect(report.ok).toBe(true);
    expect(report.tenantId).toBe(contosoId);
    expect(report.checks.map((check) => [check.id, check.status])).toEqual([
      ["format", "pass"],
      ["tenant", "pass"],
      ["token", "pass"],
      ["permissions", "pass"],
      ["directory", "pass"],
      ["calendar", "pass"],
      ["calendar-write", "pass"],
    ]);
    expect(progress.map((check) => check.id).sort()).toEqual(report.checks.map((check) => check.id).sort());
    expect(byId("directory").detail).toMatch(/Listed 4 users/);
    // The write test cleaned up after itself.
    const adele = sim.scenario.tenants[0]!.users.find((user) => user.upn === "adele@contoso.com")!;
    expect(adele.events.some((event) => event.subject.startsWith("Calsync Console write test"))).toBe(false);
  });

  it("runs tenant metadata and the token request concurrently, with no msal discovery request", async () => {
    faults([{ kind: "latency", ms: 150 }]);
    const { report } = await run({ testMailbox: "adele@contoso.com" });
    expect(report.ok).toBe(true);
    const oidc = sim.requests.filter((request) => request.path.endsWith("/.well-known/openid-configuration"));
    const tokens = sim.requests.filter((request) => request.method === "POST" && request.path.endsWith("/oauth2/v2.0/token"));
    expect(oidc).toHaveLength(1);
    expect(tokens).toHaveLength(1);
    expect(sim.requests.some((request) => request.path.includes("discovery/instance"))).toBe(false);
    // Overlap: each arrived well before the other could have been answered (150 ms latency each).
    // (Arrival times, not durations: the server records a duration only after the client already has the answer.)
    expect(Math.abs(Date.parse(tokens[0]!.time) - Date.parse(oidc[0]!.time))).toBeLessThan(100);
    // Directory and calendar ran in parallel too.
    const users = sim.requests.find((request) => request.path === "/v1.0/users")!;
    const calendar = sim.requests.find((request) => request.path.endsWith("/calendar"))!;
    expect(Math.abs(Date.parse(calendar.time) - Date.parse(users.time))).toBeLessThan(100);
    // Two sequential stages of ~150 ms plus overhead; a sequential pipeline would need four.
    expect(report.durationMs).toBeLessThan(4 * 150);
  });

  it("resolves a domain tenant to its GUID", async () => {
    const { report, byId } = await run({ tenant: "Contoso.com " });
    expect(byId("format").detail).toMatch(/Cleaned/);
    expect(byId("tenant")).toMatchObject({ status: "pass" });
    expect(byId("tenant").detail).toContain(contosoId);
    expect(report.tenantId).toBe(contosoId);
  });

  it("names the cloud of a tenant from another cloud", async () => {
    const { report, byId } = await run({ tenant: fabrikamGovId, clientId: appIds.gov });
    expect(byId("tenant")).toMatchObject({ status: "fail", code: "another-cloud", fix: { step: "copy-ids" } });
    expect(byId("tenant").detail).toContain("This tenant is in US Government (GCC High); choose that cloud");
    expect(byId("token").status).toBe("skip");
    expect(report.ok).toBe(false);
  });

  it.each([
    ["AADSTS90002 unknown tenant", { tenant: "0f0f0f0f-0000-4000-8000-000000000000" }, "tenant", "AADSTS90002", "copy-ids"],
    ["AADSTS90002 unknown domain", { tenant: "nowhere.example.com" }, "tenant", "AADSTS90002", "copy-ids"],
    ["AADSTS700016 unknown app", { clientId: "0e0e0e0e-0000-4000-8000-000000000000" }, "token", "AADSTS700016", "copy-ids"],
    ["AADSTS7000215 wrong secret", { clientSecret: "wrong~secret~value~000000000000000000000" }, "token", "AADSTS7000215", "client-secret"],
    ["AADSTS7000222 expired secret", { clientId: appIds.expired }, "token", "AADSTS7000222", "client-secret"],
    ["AADSTS7000112 disabled app", { clientId: appIds.disabled }, "token", "AADSTS7000112", "register-app"],
    ["AADSTS53003 conditional access", { clientId: appIds.caBlocked }, "token", "AADSTS53003", "register-app"],
  ] as const)("%s", async (_label, patch, id, code, step) => {
    const { report, byId } = await run(patch);
    const check = byId(id);
    expect(check).toMatchObject({ status: "fail", code, fix: { step } });
    expect(check.detail).toMatch(/Microsoft said: "/);
    expect(check.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(check.timestamp).toBeTruthy();
    expect(check.helpUrl).toBe(`${sim.origin}/error?code=${code.slice(6)}`);
    expect(byId("permissions").status).toBe("skip");
    expect(report.ok).toBe(false);
  });

  it.each([
    ["all users", { kind: "all" }],
    ["a mailbox list", { kind: "list", mailboxes: ["adele@contoso.com"] }],
  ] satisfies [string, CheckInput["mailboxScope"]][])("no roles at all (%s): one failure, admin consent, and the probes are blocked by it", async (_label, mailboxScope) => {
    const { report, byId } = await run({ clientId: appIds.noRoles, testMailbox: "adele@contoso.com", outOfScopeMailbox: "megan@contoso.com", writeTest: true, mailboxScope });
    expect(byId("permissions")).toMatchObject({ status: "fail", code: "no-roles", fix: { step: "admin-consent" }, who: "consent-admin" });
    for (const id of ["directory", "calendar", "calendar-write", "mailbox-scope"] as const) {
      expect(byId(id)).toMatchObject({ status: "skip" });
      expect(byId(id).detail).toMatch(/^Blocked by: admin consent/);
      expect(byId(id).fix).toBeUndefined();
    }
    expect(report.checks.filter((check) => check.status === "fail")).toHaveLength(1);
    // Nothing was asked of Graph: the probes would only have been refused for the same reason.
    expect(sim.requests.filter((request) => request.path.startsWith("/v1.0/"))).toEqual([]);
  });

  it("extra permissions: least-privilege warning naming them", async () => {
    const { report, byId } = await run({ clientId: appIds.extra });
    expect(byId("permissions")).toMatchObject({ status: "warn", code: "extra-permissions", fix: { step: "api-permissions" } });
    expect(byId("permissions").detail).toContain("Mail.ReadWrite, Files.Read.All");
    expect(report.ok).toBe(true);
  });

  it("User.Read.All: required for all users, a warning for a mailbox list", async () => {
    const all = await run({ clientId: appIds.noUserRead });
    expect(all.byId("permissions")).toMatchObject({ status: "fail", code: "missing-permission", fix: { step: "api-permissions" } });
    expect(all.byId("directory")).toMatchObject({ status: "fail", code: "Authorization_RequestDenied" });
    const list = await run({ clientId: appIds.noUserRead, mailboxScope: { kind: "list", mailboxes: ["adele@contoso.com"] } });
    expect(list.byId("permissions")).toMatchObject({ status: "warn", code: "missing-permission" });
    expect(list.byId("directory").status).toBe("skip");
    expect(list.byId("calendar")).toMatchObject({ status: "pass" });
    expect(list.report.ok).toBe(true);
  });

  it("Calendars.Read only is not enough", async () => {
    const { byId } = await run({ clientId: appIds.calendarsOnly, writeTest: true, testMailbox: "adele@contoso.com" });
    expect(byId("permissions")).toMatchObject({ status: "fail", code: "missing-permission" });
    expect(byId("permissions").detail).toMatch(/Calendars\.Read is not enough/);
    expect(byId("calendar").status).toBe("pass");
    expect(byId("calendar-write")).toMatchObject({ status: "fail", code: "ErrorAccessDenied" });
  });

  it("picks the first user with a mailbox, skipping one without", async () => {
    const { byId } = await run();
    expect(byId("calendar")).toMatchObject({ status: "pass" });
    expect(byId("calendar").detail).toContain("adele@contoso.com");
  });

  it("reads a likely mailbox beside the directory list instead of after it, and falls back to the list when it has none", async () => {
    const alex = { id: "0a000000-0000-4000-8000-000000000003", label: "alex@contoso.com" };
    // A slow user list: the calendar read must not wait for it.
    faults([{ kind: "latency", path: "/v1.0/users", method: "GET", ms: 300 }]);
    const { byId } = await run({}, { likelyMailbox: alex });
    expect(byId("calendar")).toMatchObject({ status: "pass", detail: "Read the calendar of alex@contoso.com (the signed-in administrator's mailbox)." });
    const users = sim.requests.find((request) => request.path === "/v1.0/users");
    const calendar = sim.requests.find((request) => request.path === `/v1.0/users/${alex.id}/calendar`);
    // Sent before the user list had answered: the two share a round trip.
    expect(Date.parse(calendar!.time)).toBeLessThan(Date.parse(users!.time) + users!.durationMs);
    faults([]);

    const fallback = await run({}, { likelyMailbox: { id: "0a000000-0000-4000-8000-000000000001", label: "nomail@contoso.com" } });
    expect(fallback.byId("calendar")).toMatchObject({ status: "pass", detail: "Read the calendar of adele@contoso.com (first user with a mailbox)." });
    expect(fallback.report.ok).toBe(true);
  });

  it("ErrorInvalidUser and MailboxNotEnabledForRESTAPI for a named mailbox", async () => {
    const missing = await run({ testMailbox: "ghost@contoso.com" });
    expect(missing.byId("calendar")).toMatchObject({ status: "fail", code: "ErrorInvalidUser", fix: { step: "mailbox-scope" }, who: "user" });
    const noMailbox = await run({ testMailbox: "nomail@contoso.com" });
    expect(noMailbox.byId("calendar")).toMatchObject({ status: "fail", code: "MailboxNotEnabledForRESTAPI", fix: { step: "mailbox-scope" }, who: "exchange-admin" });
  });

  it("application access policy: 'Access to OData is disabled' → Exchange admin, mailbox-scope", async () => {
    const { byId } = await run({ clientId: appIds.accessPolicy, testMailbox: "alex@contoso.com" });
    expect(byId("calendar")).toMatchObject({ status: "fail", code: "ErrorAccessDenied", who: "exchange-admin", fix: { step: "mailbox-scope" } });
    expect(byId("calendar").detail).toContain('Microsoft said: "Access to OData is disabled.');
  });

  it("mailbox-scope: denied as intended passes; granted warns that scoping is ineffective", async () => {
    const scoped = await run({ clientId: appIds.rbacScoped, scopeMode: "rbac", testMailbox: "adele@contoso.com", outOfScopeMailbox: "alex@contoso.com" });
    expect(scoped.byId("calendar").status).toBe("pass");
    expect(scoped.byId("mailbox-scope")).toMatchObject({ status: "pass" });
    const open = await run({ testMailbox: "adele@contoso.com", outOfScopeMailbox: "alex@contoso.com" });
    expect(open.byId("mailbox-scope")).toMatchObject({ status: "warn", code: "mailbox-not-restricted", who: "exchange-admin", fix: { step: "mailbox-scope" } });
    expect(open.byId("mailbox-scope").detail).toMatch(/tenant-wide Calendars\.ReadWrite consent/);
  });

  it("InvalidAuthenticationToken when Graph refuses the token's audience", async () => {
    const scenario = testScenario();
    sim.setScenario({ ...scenario, settings: { accessTokenLifetimeSeconds: 3599, graphAudiences: ["https://graph.microsoft.us"] } });
    const { byId } = await run({ testMailbox: "adele@contoso.com" });
    expect(byId("directory")).toMatchObject({ status: "fail", code: "InvalidAuthenticationToken", fix: { step: "copy-ids" } });
  });

  it("calendar-write names the event when the delete fails", async () => {
    faults([{ kind: "unavailable", method: "DELETE", path: "/v1.0/users/*/events/*" }]);
    const { byId } = await run({ testMailbox: "adele@contoso.com", writeTest: true }, { retryBudgetMs: 0 });
    const write = byId("calendar-write");
    expect(write).toMatchObject({ status: "fail", code: "delete-failed" });
    const adele = sim.scenario.tenants[0]!.users.find((user) => user.upn === "adele@contoso.com")!;
    const leftover = adele.events.find((event) => event.subject.startsWith("Calsync Console write test"));
    expect(leftover).toBeDefined();
    expect(write.detail).toContain(leftover!.subject);
    expect(write.detail).toContain(leftover!.id!);
  });
});

describe("runChecks with a certificate credential", () => {
  const certificateFor = async (key: string, dates?: { notBefore: Date; notAfter: Date }) => {
    if (dates) {
      const certificate = selfSignedCertificate(createPrivateKey(key), { commonName: "Calsync Console: test", organisation: "Calsync Console", ...dates });
      return { privateKeyPem: key, certificatePem: certificate.toString(), thumbprintSha256: certificate.fingerprint256.replaceAll(":", "") };
    }
    const generated = await generateCertificateCredential({ commonName: "Calsync Console: test", privateKeyPem: key });
    return { privateKeyPem: generated.privateKeyPem, certificatePem: generated.certificatePem, thumbprintSha256: generated.thumbprintSha256 };
  };
  const registerOnHealthyApp = (certificatePem: string) => {
    const scenario = testScenario();
    const app = scenario.tenants.flatMap((tenant) => tenant.apps ?? []).find((candidate) => candidate.clientId === appIds.healthy)!;
    (app.certificates ??= []).push({ pem: certificatePem });
    sim.setScenario(scenario);
  };

  it("signs in with a certificate registered on the app, sending its SHA-256 thumbprint and no secret", async () => {
    const certificate = await certificateFor(fixtureKeys.a);
    registerOnHealthyApp(certificate.certificatePem);
    const { report, byId } = await run({ clientSecret: "", certificate });
    expect(report.ok).toBe(true);
    expect(byId("format").detail).toContain("certificate");
    expect(byId("token").detail).toContain("certificate");
    const tokenRequest = sim.requests.find((request) => request.path.endsWith("/oauth2/v2.0/token"));
    expect(tokenRequest?.form).toMatchObject({ client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" });
    expect(tokenRequest?.form).not.toHaveProperty("client_secret");
    expect(JSON.stringify(report)).not.toContain(pemBody(certificate.privateKeyPem).slice(0, 40));
  });

  it("names a certificate that is not on the app (AADSTS700027) with the credential step as the fix", async () => {
    registerOnHealthyApp((await certificateFor(fixtureKeys.b)).certificatePem);
    const { byId } = await run({ clientSecret: "", certificate: await certificateFor(fixtureKeys.a) });
    expect(byId("token")).toMatchObject({ status: "fail", code: "AADSTS700027", title: "Certificate not registered on this app", fix: { step: "client-secret" } });
  });

  it("refuses an expired certificate before asking Microsoft", async () => {
    const certificate = await certificateFor(fixtureKeys.a, { notBefore: new Date(Date.now() - 60 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
    registerOnHealthyApp(certificate.certificatePem);
    const { byId } = await run({ clientSecret: "", certificate });
    expect(byId("token")).toMatchObject({ status: "fail", code: "certificate-expired", fix: { step: "client-secret" } });
    expect(sim.requests.some((request) => request.path.endsWith("/oauth2/v2.0/token"))).toBe(false);
  });
});

describe("throttling, timeouts, cancellation and transport failures", () => {
  it("retries a throttled token request and Graph call within the budget (fractional Retry-After)", async () => {
    faults([
      { kind: "throttle", path: "*/oauth2/v2.0/token", count: 1, retryAfterSeconds: 0.05 },
      { kind: "throttle", path: "/v1.0/users", count: 2, retryAfterSeconds: 0.02, code: "ApplicationThrottled" },
    ]);
    const { report } = await run({ testMailbox: "adele@contoso.com" });
    expect(report.ok).toBe(true);
    expect(sim.requests.filter((request) => request.path.endsWith("/token"))).toHaveLength(2);
    expect(sim.requests.filter((request) => request.path === "/v1.0/users")).toHaveLength(3);
  });

  it("reports persistent throttling (TooManyRequests / ApplicationThrottled) without waiting past the budget", async () => {
    faults([
      { kind: "throttle", path: "/v1.0/users", retryAfterSeconds: 30 },
      { kind: "throttle", path: "/v1.0/users/*/calendar", retryAfterSeconds: 30, code: "ApplicationThrottled" },
    ]);
    const started = Date.now();
    const { byId } = await run({ testMailbox: "adele@contoso.com" });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(byId("directory")).toMatchObject({ status: "fail", code: "TooManyRequests", who: "us" });
    expect(byId("calendar")).toMatchObject({ status: "fail", code: "ApplicationThrottled" });
  });

  it("ServiceUnavailable from Graph and a throttled token endpoint (AADSTS50196)", async () => {
    faults([
      { kind: "unavailable", path: "/v1.0/users", status: 503 },
      { kind: "throttle", path: "*/oauth2/v2.0/token", retryAfterSeconds: 60 },
    ]);
    const token = await run();
    expect(token.byId("token")).toMatchObject({ status: "fail", code: "AADSTS50196" });
    sim.setFaults([{ kind: "unavailable", path: "/v1.0/users", status: 503 }]);
    const graph = await run({ testMailbox: "adele@contoso.com" }, { retryBudgetMs: 0 });
    expect(graph.byId("directory")).toMatchObject({ status: "fail", code: "ServiceUnavailable" });
  });

  it("a hung token endpoint fails with code timeout instead of hanging", async () => {
    faults([{ kind: "hang", path: "*/oauth2/v2.0/token" }]);
    const { report, byId } = await run({}, { timeoutMs: 300 });
    expect(byId("tenant").status).toBe("pass");
    expect(byId("token")).toMatchObject({ status: "fail", code: "timeout", who: "us" });
    expect(byId("token").durationMs).toBeLessThan(2_000);
    expect(byId("token").detail).toContain("No answer within 0.3 s.");
    expect(report.ok).toBe(false);
  });

  it("a hung Graph endpoint fails only that check", async () => {
    faults([{ kind: "hang", path: "/v1.0/users/*/calendar" }]);
    const { byId } = await run({ testMailbox: "adele@contoso.com" }, { timeoutMs: 300 });
    expect(byId("directory").status).toBe("pass");
    expect(byId("calendar")).toMatchObject({ status: "fail", code: "timeout" });
  });

  it("cancellation resolves a report marked cancelled, with unfinished checks skipped", async () => {
    faults([{ kind: "hang", path: "*/oauth2/v2.0/token" }]);
    const controller = new AbortController();
    const { report, byId } = await run({}, {
      timeoutMs: 10_000,
      signal: controller.signal,
      onProgress: (check) => {
        if (check.id === "tenant") controller.abort();
      },
    });
    expect(report.cancelled).toBe(true);
    expect(report.ok).toBe(false);
    expect(byId("token")).toMatchObject({ status: "skip", code: "cancelled" });
    expect(byId("calendar")).toMatchObject({ status: "skip", code: "cancelled" });
  });

  it("network failure (closed port) → code network", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createNetServer().listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address ? address.port : 1));
      });
    });
    const closed = customCloud({ authorityHost: `https://localhost:${port}`, graphHost: `https://localhost:${port}` });
    const { byId } = await run({}, { cloud: closed });
    expect(byId("tenant")).toMatchObject({ status: "fail", code: "network" });
    expect(byId("token")).toMatchObject({ status: "fail", code: "network" });
  });

  it("TLS failure (certificate from an untrusted CA) → code tls", async () => {
    const untrustedDir = await mkdtemp(path.join(tmpdir(), "calsync-untrusted-ca-"));
    const untrusted = await startSimulator({ scenario: testScenario(), stateDir: untrustedDir });
    try {
      const other = customCloud({ authorityHost: untrusted.origin, graphHost: untrusted.origin });
      const { byId } = await run({}, { cloud: other });
      expect(byId("tenant")).toMatchObject({ status: "fail", code: "tls", who: "us" });
      expect(byId("token")).toMatchObject({ status: "fail", code: "tls" });
    } finally {
      await untrusted.close();
    }
  });

  it("format failures stop the pipeline before anything reaches Microsoft", async () => {
    const { report, byId } = await run({ clientSecret: "9f1c2b3a-1111-4222-8333-444455556666" });
    expect(byId("format")).toMatchObject({ status: "fail", code: "secret-is-secret-id", fix: { step: "client-secret" } });
    expect(report.checks.filter((check) => check.id !== "format").every((check) => check.status === "skip")).toBe(true);
    expect(sim.requests).toHaveLength(0);
  });
});

/** Rewrites one app of the test scenario (the simulator's view of what admins did in Entra and Exchange). */
function withApp(clientId: string, patch: Record<string, unknown>) {
  const scenario = testScenario();
  const tenant = scenario.tenants[0]!;
  tenant.apps = tenant.apps!.map((app) => (app.clientId === clientId ? { ...app, ...patch } : app));
  sim.setScenario(scenario);
}

const minutesAgo = (minutes: number, from = new Date()) => new Date(from.getTime() - minutes * 60_000).toISOString();

describe("scope modes: ErrorAccessDenied explained from the token, the mode and Microsoft's body", () => {
  const noGrantYet = { exchangeScoping: { entraGrantSeen: false } };
  const calendarsMissing = { grantedRoles: ["User.Read.All"] };

  it.each(["all", "access-policy"] as const)("%s, token without Calendars.ReadWrite, plain body → add the permission or consent", async (scopeMode) => {
    withApp(appIds.healthy, calendarsMissing);
    const { byId } = await run({ scopeMode, testMailbox: "adele@contoso.com" });
    expect(byId("permissions")).toMatchObject({ status: "fail", code: "missing-permission" });
    expect(byId("calendar")).toMatchObject({ status: "fail", code: "ErrorAccessDenied", title: "Calendars.ReadWrite is not in the token", fix: { step: "api-permissions" } });
    expect(byId("calendar").detail).toContain("app-only token's roles lack Calendars.ReadWrite");
  });

  it.each(["all", "access-policy"] as const)("%s, token with Calendars.ReadWrite, 'OData is disabled' → the access policy excludes the mailbox", async (scopeMode) => {
    const { byId } = await run({ clientId: appIds.accessPolicy, scopeMode, testMailbox: "alex@contoso.com" });
    expect(byId("calendar")).toMatchObject({ status: "fail", code: "ErrorAccessDenied", title: "Mailbox excluded by an Exchange application access policy", who: "exchange-admin", fix: { step: "mailbox-scope" } });
    expect(byId("calendar").detail).toContain("so the permission is not the problem");
    expect(byId("calendar").fix?.step).not.toBe("api-permissions");
  });

  it.each(["all", "access-policy"] as const)("%s, token with Calendars.ReadWrite, plain body → policy or propagation, both said, never 'add the permission'", async (scopeMode) => {
    withApp(appIds.healthy, noGrantYet);
    const consentGrantedAt = minutesAgo(20);
    const { byId } = await run({ scopeMode, testMailbox: "adele@contoso.com", consentGrantedAt });
    const calendar = byId("calendar");
    expect(calendar).toMatchObject({ status: "fail", code: "ErrorAccessDenied", title: "Mailbox refused although the permission is granted", who: "exchange-admin", fix: { step: "mailbox-scope" } });
    expect(calendar.detail).toMatch(/application access policy excludes this mailbox, or the grant has not reached Exchange yet/);
    expect(calendar.detail).toMatch(/try again after \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    expect(byId("permissions").status).toBe("pass");
  });

  it("rbac, token without Calendars.ReadWrite: expected; the RBAC scope reaches the test mailbox and not the other one (proven)", async () => {
    const { report, byId } = await run({ clientId: appIds.rbacScoped, scopeMode: "rbac", mailboxScope: { kind: "list", mailboxes: ["adele@contoso.com"] }, testMailbox: "adele@contoso.com", outOfScopeMailbox: "alex@contoso.com", writeTest: true });
    expect(byId("permissions")).toMatchObject({ status: "pass" });
    expect(byId("permissions").detail).toContain("not granted tenant-wide, as RBAC for Applications needs");
    expect(byId("calendar").status).toBe("pass");
    expect(byId("calendar-write").status).toBe("pass");
    expect(byId("mailbox-scope").status).toBe("pass");
    expect(report.ok).toBe(true);
  });

  it("rbac, no application permissions at all: not blocked by admin consent, the probes run", async () => {
    withApp(appIds.rbacScoped, { grantedRoles: [] });
    const { byId } = await run({ clientId: appIds.rbacScoped, scopeMode: "rbac", mailboxScope: { kind: "list", mailboxes: ["adele@contoso.com"] }, testMailbox: "adele@contoso.com" });
    expect(byId("permissions").code).not.toBe("no-roles");
    expect(byId("calendar").status).toBe("pass");
  });

  it("rbac, token without Calendars.ReadWrite, plain body on the test mailbox → the RBAC scope does not reach it", async () => {
    const { byId } = await run({ clientId: appIds.rbacScoped, scopeMode: "rbac", testMailbox: "alex@contoso.com" });
    expect(byId("calendar")).toMatchObject({ status: "fail", code: "ErrorAccessDenied", title: "RBAC for Applications does not reach this mailbox", who: "exchange-admin", fix: { step: "mailbox-scope" } });
  });

  it("rbac, token with Calendars.ReadWrite: the union trap, on the permissions check and on the out-of-scope probe", async () => {
    const { report, byId } = await run({ clientId: appIds.rbacUnion, scopeMode: "rbac", testMailbox: "adele@contoso.com", outOfScopeMailbox: "alex@contoso.com" });
    expect(byId("permissions")).toMatchObject({ status: "fail", code: "scope-union-trap", who: "consent-admin", fix: { step: "admin-consent" } });
    expect(byId("permissions").detail).toMatch(/adds access on top of Entra grants/);
    expect(byId("mailbox-scope")).toMatchObject({ status: "fail", code: "scope-union-trap" });
    expect(report.ok).toBe(false);
  });

  it("rbac, token with Calendars.ReadWrite, 'OData is disabled' → a legacy access policy still restricts the app", async () => {
    withApp(appIds.rbacUnion, { exchangeScoping: { accessPolicies: [{ accessRight: "RestrictAccess", mailboxes: ["adele@contoso.com"] }] } });
    const { byId } = await run({ clientId: appIds.rbacUnion, scopeMode: "rbac", testMailbox: "alex@contoso.com" });
    expect(byId("calendar")).toMatchObject({ status: "fail", code: "ErrorAccessDenied", title: "Mailbox excluded by an Exchange application access policy" });
    expect(byId("calendar").fix?.text).toContain("Remove-ApplicationAccessPolicy");
  });

  it("access-policy, a mailbox that should be out of scope answers → the policy does not narrow", async () => {
    const { byId } = await run({ clientId: appIds.healthy, scopeMode: "access-policy", testMailbox: "adele@contoso.com", outOfScopeMailbox: "alex@contoso.com" });
    expect(byId("mailbox-scope")).toMatchObject({ status: "fail", code: "mailbox-not-restricted", fix: { step: "mailbox-scope" } });
  });
});

describe("paired probes inside the propagation window", () => {
  const pending = {
    grantedRoles: ["User.Read.All"],
    exchangeScoping: { rbacAssignments: [] },
    pendingExchangeScoping: { scoping: { rbacAssignments: [{ role: "Application Calendars.ReadWrite", mailboxes: ["adele@contoso.com"] }] }, afterRequests: 1 },
  };
  const probes = { scopeMode: "rbac" as const, mailboxScope: { kind: "list" as const, mailboxes: ["adele@contoso.com"] }, testMailbox: "adele@contoso.com", outOfScopeMailbox: "alex@contoso.com" };

  it("a failing probe within 2 hours of the change is propagating, not failing; once Exchange applies it the scope is proven", async () => {
    withApp(appIds.rbacScoped, pending);
    const now = new Date();
    const first = await run({ clientId: appIds.rbacScoped, ...probes, scopeChangedAt: minutesAgo(10, now) }, { now: () => now });
    expect(first.byId("calendar")).toMatchObject({ status: "warn", code: "scope-propagating", title: "Propagating: Exchange applies scope changes within 2 hours", who: "exchange-admin" });
    expect(first.byId("calendar").detail).toMatch(/Calsync checks again at .* UTC, .* UTC, .* UTC\./);
    expect(first.report.ok).toBe(true);
    const second = await run({ clientId: appIds.rbacScoped, ...probes, scopeChangedAt: minutesAgo(40, now) }, { now: () => now });
    expect(second.byId("calendar").status).toBe("pass");
    expect(second.byId("mailbox-scope").status).toBe("pass");
  });

  it("after 2 hours the same probe is a real failure", async () => {
    withApp(appIds.rbacScoped, { ...pending, pendingExchangeScoping: { ...pending.pendingExchangeScoping, afterRequests: 100 } });
    const now = new Date();
    const { byId, report } = await run({ clientId: appIds.rbacScoped, ...probes, scopeChangedAt: minutesAgo(121, now) }, { now: () => now });
    expect(byId("calendar")).toMatchObject({ status: "fail", code: "ErrorAccessDenied", title: "RBAC for Applications does not reach this mailbox" });
    expect(report.ok).toBe(false);
  });

  it("an out-of-scope mailbox still readable inside the window is propagating too", async () => {
    withApp(appIds.rbacScoped, { exchangeScoping: { rbacAssignments: [{ role: "Application Calendars.ReadWrite", mailboxes: ["adele@contoso.com", "alex@contoso.com"] }] } });
    const { byId } = await run({ clientId: appIds.rbacScoped, ...probes, scopeChangedAt: minutesAgo(5) });
    expect(byId("mailbox-scope")).toMatchObject({ status: "warn", code: "scope-propagating" });
    expect(byId("mailbox-scope").detail).toContain("its management scope includes it");
  });
});
