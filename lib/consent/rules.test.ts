import { describe, expect, it } from "vitest";
import { predictFromFacts, selfConsentPolicyIds } from "@/lib/consent/rules";
import { consentFacts, graphScopes, policies } from "@/test-support/consent-facts";

const lowClassified = graphScopes.map((scope) => ({ permissionId: scope.id, classification: "low" }));

describe("consent prediction rules", () => {
  it("legacy policy: people consent to the three permissions themselves", () => {
    const prediction = predictFromFacts(consentFacts([policies.legacy]));
    expect(prediction.outcome).toBe("connect");
    expect(prediction.reason).toContain("microsoft-user-default-legacy");
    expect(prediction.details.join(" ")).toContain("consent screen");
  });

  it("Microsoft-managed policy: Calendars.ReadWrite is excluded, so people need admin approval", () => {
    const prediction = predictFromFacts(consentFacts([policies.recommended]));
    expect(prediction.outcome).toBe("approval");
    expect(prediction.reason).toContain("does not cover Calendars.ReadWrite: it excludes it");
    expect(prediction.reason).not.toContain("User.Read:");
  });

  it("low-risk policy: only permissions classified low, for apps of this tenant or a verified publisher", () => {
    expect(predictFromFacts(consentFacts([policies.low])).outcome).toBe("approval");
    expect(predictFromFacts(consentFacts([policies.low])).reason).toContain("classified “low”");
    expect(predictFromFacts(consentFacts([policies.low], { classifications: lowClassified })).outcome).toBe("connect");
    const foreignApp = consentFacts([policies.low], { classifications: lowClassified, app: { appId: "x", servicePrincipalId: "y", ownerTenantId: "another-tenant", verifiedPublisherId: null, assignmentRequired: false } });
    expect(predictFromFacts(foreignApp).outcome).toBe("approval");
    expect(predictFromFacts({ ...foreignApp, app: { ...foreignApp.app!, verifiedPublisherId: "1234567" } }).outcome).toBe("connect");
  });

  it("one passing policy is enough, whatever the other excludes", () => {
    expect(predictFromFacts(consentFacts([policies.recommended, policies.legacy])).outcome).toBe("connect");
  });

  it("no user consent policy assigned: user consent is off", () => {
    const prediction = predictFromFacts(consentFacts([]));
    expect(prediction.outcome).toBe("approval");
    expect(prediction.reason).toContain("user consent is turned off");
    expect(prediction.evidence.userConsent).toBe("off");
  });

  it("policy ids compare without regard to case, and owner-resource policies are not user consent", () => {
    expect(selfConsentPolicyIds(["managePermissionGrantsForSelf.microsoft-user-default-legacy", "ManagePermissionGrantsForOwnedResource.x"])).toEqual(["microsoft-user-default-legacy"]);
    const facts = consentFacts([policies.legacy], { assigned: ["managepermissiongrantsforself.MICROSOFT-USER-DEFAULT-LEGACY"] });
    expect(predictFromFacts(facts).outcome).toBe("connect");
  });

  it("admin consent workflow on: people can ask, and the reviewers are named", () => {
    const on = predictFromFacts(consentFacts([policies.recommended], { workflow: { enabled: true, reviewers: ["Ada Admin (ada@contoso.com)"] } }));
    expect(on.outcome).toBe("approval");
    expect(on.details.join(" ")).toContain("ask for approval");
    expect(on.details.join(" ")).toContain("Ada Admin (ada@contoso.com) reviews");
    const off = predictFromFacts(consentFacts([policies.recommended]));
    expect(off.details.join(" ")).toContain("admin consent workflow is off");
  });

  it("assignment required: people not assigned are blocked, and even assigned ones need an administrator's consent", () => {
    const facts = consentFacts([policies.legacy], { app: { ...consentFacts([]).app!, assignmentRequired: true } });
    const prediction = predictFromFacts(facts);
    expect(prediction.outcome).toBe("blocked");
    expect(prediction.reason).toContain("AADSTS50105");
    expect(prediction.details.join(" ")).toContain("Even people you assign");
    const granted = predictFromFacts({ ...facts, tenantWideScopes: ["User.Read", "Calendars.ReadWrite", "offline_access"] });
    expect(granted.outcome).toBe("blocked");
    expect(granted.details.join(" ")).toContain("People you assign to the app can connect");
  });

  it("a tenant-wide grant of every permission lets people connect whatever the policy", () => {
    const prediction = predictFromFacts(consentFacts([], { tenantWideScopes: ["User.Read", "Calendars.ReadWrite", "offline_access"] }));
    expect(prediction.outcome).toBe("connect");
    expect(prediction.reason).toContain("for everyone in the organisation");
  });

  it("a partial grant leaves the rest to the policy", () => {
    const prediction = predictFromFacts(consentFacts([policies.recommended], { tenantWideScopes: ["Calendars.ReadWrite"] }));
    expect(prediction.outcome).toBe("connect");
  });

  it("a permission only an administrator may grant is never user-consentable", () => {
    const facts = consentFacts([policies.legacy], { graphScopes: graphScopes.map((scope) => (scope.value === "Calendars.ReadWrite" ? { ...scope, type: "Admin" } : scope)) });
    expect(predictFromFacts(facts).reason).toContain("Calendars.ReadWrite needs an administrator's consent");
  });

  it("a multi-tenant sign-in app: the answer says other organisations follow their own policy", () => {
    expect(predictFromFacts(consentFacts([policies.legacy], { multiTenant: true })).details[0]).toContain("their own organisation's consent policy");
  });
});
