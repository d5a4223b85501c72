import { describe, expect, it } from "vitest";
import {
  calendarsGrantProblem,
  diagnoseAccessDenied,
  diagnoseOutOfScopeReadable,
  grantOfClaims,
  propagating,
  scopeRecheckTimes,
  withinPropagationWindow,
  type TokenGrant,
} from "@/lib/checks/access-denied";
import { fixStepSchema, whoCanFixSchema, type ScopeMode } from "@/lib/checks/schema";

const now = new Date("2026-12-02T12:00:00Z");
const plain = "Access is denied. Check credentials and try again.";
const odata = "Access to OData is disabled.";
const raop = "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.";

const grants: Record<string, TokenGrant> = {
  "app with Calendars.ReadWrite": grantOfClaims({ roles: ["Calendars.ReadWrite", "User.Read.All"] }),
  "app without roles": grantOfClaims({ roles: [] }),
  "app with Calendars.Read only": grantOfClaims({ roles: ["Calendars.Read"] }),
  "delegated with Calendars.ReadWrite": grantOfClaims({ scp: "User.Read Calendars.ReadWrite offline_access" }),
  "delegated without Calendars.ReadWrite": grantOfClaims({ scp: "User.Read" }),
};
const modes: ScopeMode[] = ["all", "access-policy", "rbac"];
const bodies = { plain, odata, raop } as const;

/** The expected cause for each combination, written out rather than derived, so the table is the spec. */
function expectedCode(mode: ScopeMode, grant: TokenGrant, body: keyof typeof bodies): string {
  const has = grant.permissions.includes("Calendars.ReadWrite");
  if (body !== "plain") return mode !== "rbac" && !has ? "calendars-permission-missing" : "access-policy-excludes-mailbox";
  if (mode === "rbac") return has ? "access-denied-policy-or-propagation" : "rbac-scope-excludes-mailbox";
  return has ? "access-denied-policy-or-propagation" : "calendars-permission-missing";
}

const combinations = modes.flatMap((mode) =>
  Object.entries(grants).flatMap(([grantName, grant]) => (Object.keys(bodies) as (keyof typeof bodies)[]).map((body) => ({ mode, grantName, grant, body }))),
);

describe("diagnoseAccessDenied", () => {
  it.each(combinations)("$mode, $grantName, $body body", ({ mode, grant, body }) => {
    const diagnosis = diagnoseAccessDenied({ mode, grant, message: bodies[body], now });
    expect(diagnosis.code).toBe(expectedCode(mode, grant, body));
    expect(whoCanFixSchema.safeParse(diagnosis.who).success).toBe(true);
    expect(fixStepSchema.safeParse(diagnosis.fix?.step).success).toBe(true);
    // Never send anyone to add a permission the token already carries.
    if (grant.permissions.includes("Calendars.ReadWrite")) {
      expect(diagnosis.fix?.step).not.toBe("api-permissions");
      expect(`${diagnosis.explanation} ${diagnosis.fix?.text}`).not.toMatch(/\badd Calendars\.ReadWrite/i);
    }
  });

  it("names the claim it read: roles for app-only tokens, scp for delegated ones", () => {
    expect(diagnoseAccessDenied({ mode: "all", grant: grants["app without roles"]!, message: plain, now }).explanation).toContain("app-only token's roles");
    const delegated = diagnoseAccessDenied({ mode: "all", grant: grants["delegated without Calendars.ReadWrite"]!, message: plain, now });
    expect(delegated.explanation).toContain("delegated token's scopes (scp)");
    expect(delegated.fix?.text).toContain("(Delegated)");
  });

  it("says both causes for the plain body, and that RBAC cannot be one of them", () => {
    const diagnosis = diagnoseAccessDenied({ mode: "all", grant: grants["app with Calendars.ReadWrite"]!, message: plain, now });
    expect(diagnosis.explanation).toMatch(/application access policy/);
    expect(diagnosis.explanation).toMatch(/not reached Exchange yet/);
    expect(diagnosis.explanation).toMatch(/RBAC for Applications scopes only add/);
    expect(diagnosis).toMatchObject({ who: "exchange-admin", fix: { step: "mailbox-scope" } });
  });

  it("says when to try again when consent was given through the console in the last two hours", () => {
    const consentedAt = (iso: string) =>
      diagnoseAccessDenied({ mode: "access-policy", grant: grants["app with Calendars.ReadWrite"]!, message: plain, consentGrantedAt: new Date(iso), now });
    const recent = consentedAt("2026-12-02T11:15:00Z");
    expect(recent.explanation).toContain("try again after 2026-12-02 13:15 UTC");
    expect(recent.fix?.text).toContain("Wait until 2026-12-02 13:15 UTC");
    const old = consentedAt("2026-12-02T09:00:00Z");
    expect(old.explanation).toContain("more than 2 hours ago");
    expect(old.explanation).not.toContain("try again after");
  });

  it("tells an all-mailboxes connection that an access policy is in force, and an RBAC one to retire it", () => {
    expect(diagnoseAccessDenied({ mode: "all", grant: grants["app with Calendars.ReadWrite"]!, message: odata, now }).explanation).toContain('set to "All mailboxes"');
    expect(diagnoseAccessDenied({ mode: "rbac", grant: grants["app without roles"]!, message: raop, now }).fix?.text).toContain("Remove-ApplicationAccessPolicy");
  });
});

describe("the token's Calendars.ReadWrite per mode", () => {
  it.each([
    ["all", "app with Calendars.ReadWrite", null],
    ["all", "app without roles", "calendars-permission-missing"],
    ["access-policy", "app with Calendars.ReadWrite", null],
    ["access-policy", "app with Calendars.Read only", "calendars-permission-missing"],
    ["rbac", "app without roles", null],
    ["rbac", "app with Calendars.Read only", null],
    ["rbac", "app with Calendars.ReadWrite", "scope-union-trap"],
    ["rbac", "delegated with Calendars.ReadWrite", "scope-union-trap"],
  ] as const)("%s mode, %s → %s", (mode, grantName, code) => {
    expect(calendarsGrantProblem(mode, grants[grantName]!)?.code ?? null).toBe(code);
  });

  it("explains the union trap with who removes the grant and on which step", () => {
    const trap = calendarsGrantProblem("rbac", grants["app with Calendars.ReadWrite"]!)!;
    expect(trap).toMatchObject({ who: "consent-admin", fix: { step: "admin-consent" } });
    expect(trap.explanation).toMatch(/adds access on top of Entra grants/);
    expect(trap.fix?.text).toMatch(/removes the Calendars\.ReadWrite application permission/);
  });
});

describe("an out-of-scope mailbox that answered", () => {
  it.each([
    ["rbac", "app with Calendars.ReadWrite", "scope-union-trap"],
    ["rbac", "app without roles", "rbac-scope-too-wide"],
    ["access-policy", "app with Calendars.ReadWrite", "mailbox-not-restricted"],
    ["all", "app with Calendars.ReadWrite", "mailbox-not-restricted"],
  ] as const)("%s mode, %s → %s", (mode, grantName, code) => {
    expect(diagnoseOutOfScopeReadable(mode, grants[grantName]!).code).toBe(code);
  });
});

describe("the propagation window", () => {
  const changed = new Date("2026-12-02T11:00:00Z");

  it("lasts two hours from the change", () => {
    expect(withinPropagationWindow(changed, new Date("2026-12-02T12:59:59Z"))).toBe(true);
    expect(withinPropagationWindow(changed, new Date("2026-12-02T13:00:00Z"))).toBe(false);
    expect(withinPropagationWindow(undefined, now)).toBe(false);
  });

  it("re-checks at +30 min, +1 h and +2 h, only those still ahead", () => {
    expect(scopeRecheckTimes(changed, new Date("2026-12-02T11:10:00Z")).map((at) => at.toISOString())).toEqual([
      "2026-12-02T11:30:00.000Z",
      "2026-12-02T12:00:00.000Z",
      "2026-12-02T13:00:00.000Z",
    ]);
    expect(scopeRecheckTimes(changed, now).map((at) => at.toISOString())).toEqual(["2026-12-02T13:00:00.000Z"]);
  });

  it("keeps the cause and says when it becomes a failure", () => {
    const cause = diagnoseAccessDenied({ mode: "rbac", grant: grants["app without roles"]!, message: plain, now });
    const waiting = propagating(cause, changed, now);
    expect(waiting).toMatchObject({ code: "scope-propagating", title: "Propagating: Exchange applies scope changes within 2 hours", who: cause.who, fix: cause.fix });
    expect(waiting.explanation).toContain("Calsync checks again at 2026-12-02 13:00 UTC");
    expect(waiting.explanation).toContain(cause.explanation);
  });
});
