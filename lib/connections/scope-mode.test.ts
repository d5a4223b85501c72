import { describe, expect, it } from "vitest";
import { consentPermissions, nextScopeChangedAt, scopeChangedAtOfForm, scopeModeOptions } from "@/lib/connections/scope-mode";

const now = new Date("2026-12-02T12:00:00Z");

describe("scope mode forms", () => {
  it("offers the three modes, each with a one-line explanation", () => {
    expect(scopeModeOptions.map((option) => option.value)).toEqual(["all", "rbac", "access-policy"]);
    for (const option of scopeModeOptions) expect(option.description).not.toContain("\n");
  });

  it("reads 'I changed the scope' as now, a UTC minute, or nothing", () => {
    expect(scopeChangedAtOfForm({ scopeChange: "now" }, now)).toEqual({ at: now });
    expect(scopeChangedAtOfForm({ scopeChange: "at", scopeChangedAt: "2026-12-02T10:30" }, now)).toEqual({ at: new Date("2026-12-02T10:30:00Z") });
    expect(scopeChangedAtOfForm({ scopeChange: "none", scopeChangedAt: "2026-12-02T10:30" }, now)).toEqual({});
    expect(scopeChangedAtOfForm({}, now)).toEqual({});
  });

  it("names a bad time on its field: unreadable, in the future, or too old to matter", () => {
    expect(scopeChangedAtOfForm({ scopeChange: "at", scopeChangedAt: "yesterday" }, now).error?.scopeChangedAt).toMatch(/in UTC/);
    expect(scopeChangedAtOfForm({ scopeChange: "at", scopeChangedAt: "2026-12-02T13:00" }, now).error?.scopeChangedAt).toMatch(/future/);
    expect(scopeChangedAtOfForm({ scopeChange: "at", scopeChangedAt: "2026-10-01T13:00" }, now).error?.scopeChangedAt).toMatch(/30 days/);
  });

  it("records a change when the admin states one or the mode switches, and keeps the previous time otherwise", () => {
    const previous = new Date("2026-12-01T08:00:00Z");
    const stated = new Date("2026-12-02T11:00:00Z");
    expect(nextScopeChangedAt({ previousMode: "rbac", mode: "rbac", previous, stated, now })).toEqual(stated);
    expect(nextScopeChangedAt({ previousMode: "all", mode: "rbac", previous, now })).toEqual(now);
    expect(nextScopeChangedAt({ previousMode: "rbac", mode: "rbac", previous, now })).toEqual(previous);
    expect(nextScopeChangedAt({ previousMode: "all", mode: "all", previous: null, now })).toBeNull();
  });

  it("does not ask an RBAC connection for the tenant-wide Calendars.ReadWrite", () => {
    expect(consentPermissions("rbac").map((permission) => permission.value)).toEqual(["User.Read.All"]);
    expect(consentPermissions("all").map((permission) => permission.value)).toEqual(["Calendars.ReadWrite", "User.Read.All"]);
    expect(consentPermissions("access-policy").map((permission) => permission.value)).toContain("Calendars.ReadWrite");
  });
});
