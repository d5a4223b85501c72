import { describe, expect, it } from "vitest";
import { adminApprovalMessage, explainRefusal, type RefusalKind } from "@/lib/delegated/refusals";

describe("refusals of a mailbox sign-in", () => {
  it.each<[string, RefusalKind]>([
    ["AADSTS65001", "admin-approval"],
    ["AADSTS90094", "admin-approval"],
    ["AADSTS900941", "admin-approval"],
    ["AADSTS50020", "account-type"],
    ["AADSTS500200", "account-type"],
    ["AADSTS9002331", "account-type"],
    ["personal-account-not-allowed", "account-type"],
    ["MailboxNotEnabledForRESTAPI", "no-mailbox"],
    ["AADSTS53003", "blocked"],
    ["AADSTS50076", "blocked"],
    ["AADSTS500121", "blocked"],
    ["access_denied", "cancelled"],
    ["AADSTS65004", "cancelled"],
    ["bad-state", "forged"],
    ["nonce_mismatch", "forged"],
  ])("%s is explained as %s, with a next step", (code, kind) => {
    const refusal = explainRefusal(code);
    expect(refusal).toMatchObject({ kind, code });
    expect(refusal.title.length).toBeGreaterThan(10);
    expect(refusal.nextStep.length).toBeGreaterThan(10);
  });

  it("falls back to the error catalog, and to Microsoft's own words for unknown codes", () => {
    expect(explainRefusal("AADSTS700016")).toMatchObject({ kind: "other", title: "App not found in this tenant" });
    expect(explainRefusal("AADSTS999999", { message: "Something new" })).toMatchObject({ kind: "other", code: "AADSTS999999" });
    expect(explainRefusal("sign-in-failed")).toMatchObject({ who: "us", title: "Your calendar could not be connected" });
    expect(explainRefusal("connect-refused", { message: "You signed in as a, but this connection is for b." }).explanation).toContain("this connection is for b");
  });

  it("writes the administrator a message with the app, the permissions and the approval link", () => {
    const message = adminApprovalMessage({ appName: "Calsync", clientId: "c-1", consentUrl: "https://login.example/contoso.com/adminconsent?client_id=c-1", requester: "Ada (ada@contoso.com)" });
    expect(message).toContain("App (client) ID: c-1");
    expect(message).toContain("User.Read, Calendars.ReadWrite, offline_access");
    expect(message).toContain("https://login.example/contoso.com/adminconsent?client_id=c-1");
    expect(message.trim().endsWith("Ada (ada@contoso.com)")).toBe(true);
  });
});
