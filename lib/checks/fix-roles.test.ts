import { describe, expect, it } from "vitest";
import { explainError } from "@/lib/checks/error-catalog";
import { checkWho, fixStepRoles, whoCanFix, whoLabel, whoShortLabel } from "@/lib/checks/fix-roles";
import { whoCanFixSchema } from "@/lib/checks/schema";
import { adminApprovalMessage, explainRefusal } from "@/lib/delegated/refusals";

describe("who must fix it: one table of least-privileged roles", () => {
  it("names the least-privileged Entra role for each admin fix", () => {
    expect(whoLabel(fixStepRoles["client-secret"]!)).toBe("the app's owner, or an Application Administrator or Cloud Application Administrator");
    expect(whoLabel(fixStepRoles["admin-consent"]!)).toBe("a Privileged Role Administrator or Global Administrator");
    expect(whoLabel(fixStepRoles["mailbox-scope"]!)).toBe("an Exchange Administrator");
    for (const who of whoCanFixSchema.options) {
      expect(whoLabel(who)).not.toBe("");
      expect(whoShortLabel(who)).not.toBe("");
    }
  });

  it("gives every catalog entry for the same fix the same role", () => {
    expect(explainError("AADSTS7000222").who).toBe("app-admin");
    // A mistyped secret is re-pasted by whoever is setting up; a new secret needs the app's owner or an admin.
    expect(explainError("AADSTS7000215").who).toBe("user");
    expect(explainError("no-roles").who).toBe("consent-admin");
    expect(explainError("AADSTS65001").who).toBe("consent-admin");
    expect(explainError("missing-permission").who).toBe("app-admin");
    expect(explainError("mailbox-not-restricted").who).toBe("exchange-admin");
  });

  it("leaves what the person setting up can do, or nobody can, as it is", () => {
    expect(whoCanFix("user", "mailbox-scope")).toBe("user");
    expect(whoCanFix("us", "admin-consent")).toBe("us");
    expect(whoCanFix("global-admin", undefined)).toBe("global-admin");
    expect(whoCanFix("global-admin", "register-app")).toBe("global-admin");
  });

  it("reads reports stored before the roles were told apart with today's roles", () => {
    expect(checkWho({ who: "global-admin", fix: { step: "admin-consent" } })).toBe("consent-admin");
    expect(checkWho({})).toBeUndefined();
  });

  it("asks a member's administrator for the role that can consent to delegated permissions, and an admin's for application ones", () => {
    expect(explainRefusal("AADSTS65001").who).toBe("delegated-consent-admin");
    const common = { appName: "Calsync", clientId: "c", consentUrl: "https://login.example/consent", requester: "Ann" };
    expect(adminApprovalMessage(common)).toContain(whoLabel("delegated-consent-admin"));
    expect(adminApprovalMessage({ ...common, kind: "application" })).toContain(whoLabel("consent-admin"));
    expect(adminApprovalMessage({ ...common, kind: "application" })).toContain("Calendars.ReadWrite, User.Read.All");
  });
});
