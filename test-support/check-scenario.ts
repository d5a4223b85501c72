import path from "node:path";
import type { ScenarioInput } from "@/simulator/scenario";
import { testSimulatorStateDir } from "@/test-support/simulator-ca";

/**
 * Simulator scenario for the validation tests and the benchmark: one global tenant with an app per
 * failure mode, and a tenant in US Government (GCC High).
 */

export const contosoId = "7a1c2e3f-4b5d-4c6e-8f70-819a2b3c4d5e";
export const fabrikamGovId = "5b2d3e4f-6a7b-4c8d-9e0f-1a2b3c4d5e6f";
export const secret = "good~secret~value~0000000000000000000001";
const future = "2099-12-31T00:00:00Z";

const appIds = {
  healthy: "11111111-1111-4111-8111-111111111111",
  noRoles: "22222222-2222-4222-8222-222222222222",
  extra: "33333333-3333-4333-8333-333333333333",
  calendarsOnly: "44444444-4444-4444-8444-444444444444",
  expired: "55555555-5555-4555-8555-555555555555",
  disabled: "66666666-6666-4666-8666-666666666666",
  caBlocked: "77777777-7777-4777-8777-777777777777",
  accessPolicy: "88888888-8888-4888-8888-888888888888",
  rbacScoped: "99999999-9999-4999-8999-999999999999",
  rbacUnion: "99999999-9999-4999-8999-aaaaaaaaaaaa",
  noUserRead: "aaaaaaaa-1111-4111-8111-111111111111",
  gov: "bbbbbbbb-1111-4111-8111-111111111111",
} as const;
export { appIds };

/** Extra healthy apps for concurrent validations in the benchmark. */
export function benchAppId(index: number): string {
  return `cccccccc-0000-4000-8000-${String(index).padStart(12, "0")}`;
}

const app = (clientId: string, displayName: string, patch: Record<string, unknown> = {}) => ({
  clientId,
  displayName,
  secrets: [{ id: clientId.replace(/^.{8}/, "5ec2e7aa"), value: secret, expiresAt: future }],
  grantedRoles: ["Calendars.ReadWrite", "User.Read.All"],
  ...patch,
});

export function testScenario(benchApps = 0): ScenarioInput {
  return {
    name: "calsync-checks",
    tenants: [
      {
        id: contosoId,
        displayName: "Contoso",
        domains: ["contoso.onmicrosoft.com", "contoso.com"],
        cloud: "global",
        apps: [
          app(appIds.healthy, "Healthy"),
          app(appIds.noRoles, "No consent", { grantedRoles: [] }),
          app(appIds.extra, "Too much", { grantedRoles: ["Calendars.ReadWrite", "User.Read.All", "Mail.ReadWrite", "Files.Read.All"] }),
          app(appIds.calendarsOnly, "Calendars only", { grantedRoles: ["Calendars.Read"] }),
          app(appIds.expired, "Expired secret", { secrets: [{ id: "5ec2e7aa-5555-4555-8555-555555555555", value: secret, expiresAt: "2020-01-01T00:00:00Z" }] }),
          app(appIds.disabled, "Disabled", { disabled: true }),
          app(appIds.caBlocked, "CA blocked", { conditionalAccessBlocked: true }),
          app(appIds.accessPolicy, "Access policy", { exchangeScoping: { accessPolicies: [{ accessRight: "RestrictAccess", mailboxes: ["adele@contoso.com"] }] } }),
          // Scoped as Microsoft recommends: no tenant-wide Calendars.ReadWrite, an RBAC assignment for Adele only.
          app(appIds.rbacScoped, "RBAC scoped", {
            grantedRoles: ["User.Read.All"],
            exchangeScoping: { rbacAssignments: [{ role: "Application Calendars.ReadWrite", mailboxes: ["adele@contoso.com"] }] },
          }),
          // The union trap: the same assignment, but the tenant-wide grant is still there.
          app(appIds.rbacUnion, "RBAC with tenant-wide grant", {
            exchangeScoping: { rbacAssignments: [{ role: "Application Calendars.ReadWrite", mailboxes: ["adele@contoso.com"] }] },
          }),
          app(appIds.noUserRead, "No User.Read.All", { grantedRoles: ["Calendars.ReadWrite"] }),
          ...Array.from({ length: benchApps }, (_, index) => app(benchAppId(index), `Bench ${index}`)),
        ],
        users: [
          { id: "0a000000-0000-4000-8000-000000000001", upn: "nomail@contoso.com", displayName: "No Mailbox", mail: "nomail@contoso.com", password: "x", hasMailbox: false },
          { id: "0a000000-0000-4000-8000-000000000002", upn: "adele@contoso.com", displayName: "Adele Vance", mail: "adele@contoso.com", password: "x" },
          { id: "0a000000-0000-4000-8000-000000000003", upn: "alex@contoso.com", displayName: "Alex Wilber", mail: "alex@contoso.com", password: "x" },
          { id: "0a000000-0000-4000-8000-000000000004", upn: "svc@contoso.com", displayName: "Service account", mail: null, password: "x" },
        ],
      },
      {
        id: fabrikamGovId,
        displayName: "Fabrikam Gov",
        domains: ["fabrikamgov.onmicrosoft.us"],
        cloud: "usgov",
        apps: [app(appIds.gov, "Gov app")],
        users: [{ id: "0b000000-0000-4000-8000-000000000001", upn: "pat@fabrikamgov.onmicrosoft.us", displayName: "Pat", mail: "pat@fabrikamgov.onmicrosoft.us", password: "x" }],
      },
    ],
  };
}

/**
 * Node reads NODE_EXTRA_CA_CERTS once at start-up, so suites that talk to the simulator cannot fix
 * trust themselves; fail fast with the remedy instead of a wall of `tls` failures. (The variable is
 * often preset to the system bundle, so being set is not enough.)
 */
export function assertSimulatorCaTrusted(): void {
  const expected = path.join(testSimulatorStateDir, "ca.pem");
  if (process.env.NODE_EXTRA_CA_CERTS !== expected) {
    throw new Error(`Run these tests with NODE_EXTRA_CA_CERTS=${expected} (the simulator CA); it is ${process.env.NODE_EXTRA_CA_CERTS ?? "unset"}.`);
  }
}
