import { describe, expect, it } from "vitest";
import { diagnoseAccessDenied, diagnoseOutOfScopeReadable, grantOfClaims, propagating, type Diagnosis } from "@/lib/checks/access-denied";
import type { Check, CheckId } from "@/lib/checks/schema";
import { fixHref } from "@/lib/wizard/fix-target";

const now = new Date("2026-12-02T12:00:00Z");
const withGrant = grantOfClaims({ roles: ["Calendars.ReadWrite", "User.Read.All"] });
const withoutGrant = grantOfClaims({ roles: ["User.Read.All"] });

function failed(id: CheckId, diagnosis: Diagnosis): Check {
  return { id, status: "fail", title: diagnosis.title, detail: diagnosis.explanation, code: diagnosis.code, who: diagnosis.who, ...(diagnosis.fix ? { fix: diagnosis.fix } : {}), durationMs: 1 };
}

describe("fixHref", () => {
  it.each([
    ["an access policy excluding the mailbox", diagnoseAccessDenied({ mode: "access-policy", grant: withGrant, message: "Access to OData is disabled.", now })],
    ["a policy or a grant on its way", diagnoseAccessDenied({ mode: "all", grant: withGrant, message: "Access is denied.", now })],
    ["an RBAC scope leaving the mailbox out", diagnoseAccessDenied({ mode: "rbac", grant: withoutGrant, message: "Access is denied.", now })],
    ["a scope change still propagating", propagating(diagnoseAccessDenied({ mode: "rbac", grant: withoutGrant, message: "Access is denied.", now }), now, now)],
  ])("sends a mailbox-scope cause (%s) to the scope mode, highlighted", (_name, diagnosis) => {
    expect(fixHref(failed("calendar", diagnosis))).toBe("/connections/new/mailbox-scope?highlight=scopeMode");
  });

  it("sends an unrestricted out-of-scope mailbox to the scope mode too", () => {
    expect(fixHref(failed("mailbox-scope", diagnoseOutOfScopeReadable("all", withGrant)))).toBe("/connections/new/mailbox-scope?highlight=scopeMode");
  });

  it("keeps other mailbox-scope fixes on the mailbox fields", () => {
    const fix = { step: "mailbox-scope" as const, text: "Enter a mailbox that exists." };
    expect(fixHref({ id: "calendar", status: "fail", title: "No mailbox", detail: "", code: "MailboxNotEnabledForRESTAPI", fix, durationMs: 1 })).toBe(
      "/connections/new/mailbox-scope?highlight=testMailbox",
    );
    expect(fixHref(failed("mailbox-scope", diagnoseOutOfScopeReadable("rbac", withoutGrant)))).toBe("/connections/new/mailbox-scope?highlight=outOfScopeMailbox");
  });

  it("leaves a missing permission on the permissions step", () => {
    expect(fixHref(failed("calendar", diagnoseAccessDenied({ mode: "all", grant: withoutGrant, message: "Access is denied.", now })))).toBe("/connections/new/api-permissions");
  });
});
