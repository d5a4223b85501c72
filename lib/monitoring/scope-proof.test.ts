import { describe, expect, it } from "vitest";
import type { Check } from "@/lib/checks/schema";
import { scopeProof, scopeProofText } from "@/lib/monitoring/scope-proof";

const check = (id: Check["id"], status: Check["status"], title: string = id, code?: string): Check => ({ id, status, title, detail: "", durationMs: 1, ...(code ? { code } : {}) });

describe("scopeProof", () => {
  it("an all-mailboxes connection is not scoped, whatever its checks", () => {
    expect(scopeProof("all", { checks: [check("mailbox-scope", "warn")] })).toEqual({ scoped: false, label: "All mailboxes" });
  });

  it("is proven only when the in-scope mailbox answered and the out-of-scope one was refused", () => {
    expect(scopeProof("rbac", { checks: [check("calendar", "pass"), check("mailbox-scope", "pass")] })).toMatchObject({ status: "proven", label: "Scoped: proven" });
    expect(scopeProof("access-policy", { checks: [check("calendar", "pass")] })).toMatchObject({ status: "not-proven", reason: expect.stringContaining("no out-of-scope mailbox") });
    expect(scopeProof("rbac", { checks: [check("calendar", "fail", "RBAC for Applications does not reach this mailbox"), check("mailbox-scope", "pass")] })).toMatchObject({
      status: "not-proven",
      reason: "in-scope mailbox: RBAC for Applications does not reach this mailbox",
    });
    expect(scopeProof("rbac", null)).toMatchObject({ status: "not-proven", reason: "not checked yet" });
  });

  it("says propagating while a probe waits for Exchange, and names the union trap", () => {
    const waiting = scopeProof("rbac", { checks: [check("calendar", "warn", "Propagating", "scope-propagating"), check("mailbox-scope", "pass")] });
    expect(scopeProofText(waiting)).toBe("Scoped: propagating (Exchange applies scope changes within 2 hours)");
    const trap = scopeProof("rbac", { checks: [check("permissions", "fail", "Tenant-wide grant makes the RBAC scope do nothing", "scope-union-trap"), check("calendar", "pass"), check("mailbox-scope", "fail")] });
    expect(scopeProofText(trap)).toBe("Scoped: not proven (Tenant-wide grant makes the RBAC scope do nothing)");
  });
});
