import { applicationObjectIdProblem } from "@/lib/wizard/step-forms";
import { describe, expect, it } from "vitest";
import type { FormatField } from "@/lib/checks/format";
import { fixStepIds, fixStepSchema } from "@/lib/checks/schema";
import { customCloud, knownClouds, type Cloud } from "@/lib/entra/clouds";
import { graphPermissions } from "@/lib/entra/permissions";
import { signInAudienceSchema } from "@/lib/entra/setup-scripts";
import {
  accountTypeOptions,
  confirmedByTick,
  currentStepId,
  fieldStep,
  nextStep,
  previousStep,
  stepContent,
  stepIndex,
  stepTitles,
  wizardFieldSchema,
  wizardStepForFix,
  wizardStepIdSchema,
  wizardSteps,
  type StepContext,
  type WizardField,
} from "@/lib/wizard/steps";

const clientId = "3f2b8c1e-9d4a-4e6b-8f7c-1a2b3c4d5e6f";
const redirectUri = "https://calsync.example.com/connections/new/admin-consent/callback";
const custom = customCloud({ authorityHost: "https://login.sim.test:8443", graphHost: "https://graph.sim.test:8443" });
const knownList = Object.values(knownClouds) as Cloud[];
const allClouds = [...knownList, custom];

const context = (cloud: Cloud, extra: Partial<StepContext> = {}): StepContext => ({ cloud, redirectUri, ...extra });

/** Every text of a step, for searching. */
function allText(stepId: (typeof wizardSteps)[number], ctx: StepContext): string {
  const content = stepContent(stepId, ctx);
  return [
    content.title,
    content.summary,
    content.why,
    ...content.pitfalls,
    ...content.instructions.flatMap((instruction) => [instruction.text, instruction.link?.label ?? "", instruction.link?.href ?? ""]),
  ].join("\n");
}

describe("step order", () => {
  it("follows the Entra portal's own order, from registering the app to verifying and saving", () => {
    expect(wizardSteps).toEqual(["register-app", "copy-ids", "client-secret", "api-permissions", "admin-consent", "mailbox-scope", "verify"]);
    expect(stepIndex("register-app")).toBe(0);
    expect(stepIndex("verify")).toBe(6);
    expect(nextStep("register-app")).toBe("copy-ids");
    expect(nextStep("mailbox-scope")).toBe("verify");
    expect(nextStep("verify")).toBeUndefined();
    expect(previousStep("register-app")).toBeUndefined();
    expect(previousStep("copy-ids")).toBe("register-app");
    for (const step of wizardSteps.slice(1)) expect(nextStep(previousStep(step)!)).toBe(step);
  });

  it("maps the steps merged into registering the app, from old drafts, links and stored reports", () => {
    expect(currentStepId("account-types")).toBe("register-app");
    expect(currentStepId("redirect-uri")).toBe("register-app");
    expect(currentStepId("client-secret")).toBe("client-secret");
    expect(currentStepId("new")).toBeUndefined();
    expect(currentStepId(undefined)).toBeUndefined();
    expect(fixStepSchema.parse("redirect-uri")).toBe("register-app");
    expect(fixStepSchema.safeParse("verify").success).toBe(false);
  });

  it("completes the portal-only steps by their tick and the others by their form", () => {
    expect(wizardSteps.filter(confirmedByTick)).toEqual(["api-permissions", "admin-consent"]);
    for (const step of wizardSteps.filter(confirmedByTick)) expect(stepContent(step, context(knownClouds.global)).fields ?? []).toEqual([]);
  });

  it("names each step as the issue does, in people's words rather than route slugs", () => {
    expect(wizardSteps.map((step) => stepTitles[step])).toEqual([
      "Register the app",
      "Copy the IDs",
      "Add a credential",
      "Add the API permissions",
      "Grant admin consent",
      "Choose the mailbox scope",
      "Verify and save",
    ]);
    for (const step of wizardSteps) expect(stepContent(step, context(knownClouds.global)).title).toBe(stepTitles[step]);
  });

  it("parses route segments and nothing else", () => {
    expect(wizardStepIdSchema.safeParse("client-secret").success).toBe(true);
    expect(wizardStepIdSchema.safeParse("new").success).toBe(false);
  });
});

describe("fixes and fields", () => {
  it("maps every fix step a check can name to a wizard step", () => {
    for (const step of fixStepIds) {
      expect(wizardSteps).toContain(step);
      expect(wizardStepForFix(step)).toBe(step);
    }
  });

  it("maps each field to the one step that shows it", () => {
    expect(fieldStep).toEqual({
      accountType: "register-app",
      tenant: "copy-ids",
      clientId: "copy-ids",
      applicationObjectId: "copy-ids",
      name: "copy-ids",
      clientSecret: "client-secret",
      secretExpiresAt: "client-secret",
      mailboxScope: "mailbox-scope",
      mailboxes: "mailbox-scope",
      testMailbox: "mailbox-scope",
      outOfScopeMailbox: "mailbox-scope",
      scopeMode: "mailbox-scope",
      writeTest: "verify",
    });
    const shown = new Map<WizardField, string>();
    for (const step of wizardSteps) {
      for (const field of stepContent(step, context(knownClouds.global)).fields ?? []) {
        expect(shown.has(field), `${field} appears on two steps`).toBe(false);
        shown.set(field, step);
      }
    }
    for (const field of wizardFieldSchema.options) expect(shown.get(field)).toBe(fieldStep[field]);
  });

  it("covers every field the format check can complain about", () => {
    const formatFields: Record<FormatField, true> = {
      tenant: true,
      clientId: true,
      clientSecret: true,
      testMailbox: true,
      outOfScopeMailbox: true,
      mailboxes: true,
    };
    for (const field of Object.keys(formatFields)) expect(wizardFieldSchema.safeParse(field).success).toBe(true);
  });
});

describe.each(allClouds)("step content for $id", (cloud) => {
  it.each(wizardSteps)("%s has a title, instructions, why and what can go wrong", (step) => {
    const content = stepContent(step, context(cloud, { clientId }));
    expect(content.id).toBe(step);
    expect(content.title).not.toBe("");
    expect(content.summary).not.toBe("");
    expect(content.instructions.length).toBeGreaterThan(0);
    for (const instruction of content.instructions) expect(instruction.text.trim()).not.toBe("");
    expect(content.why.length).toBeGreaterThan(40);
    expect(content.pitfalls.length).toBeGreaterThan(0);
    for (const pitfall of content.pitfalls) expect(pitfall.trim()).not.toBe("");
  });

  it("links only into this cloud's portal, and names no Microsoft host of its own", () => {
    for (const step of wizardSteps) {
      const ctx = context(cloud, { clientId });
      for (const instruction of stepContent(step, ctx).instructions) {
        if (!instruction.link) continue;
        expect(cloud.portalOrigin).toBeDefined();
        expect(instruction.link.href.startsWith(`${cloud.portalOrigin}/#view/`)).toBe(true);
      }
      const urls = allText(step, ctx).match(/https?:\/\/[^\s)"']+/g) ?? [];
      for (const url of urls) {
        const allowed = [cloud.portalOrigin, redirectUri].filter(Boolean).some((prefix) => url.startsWith(prefix!));
        expect(allowed, `${step}: ${url}`).toBe(true);
      }
    }
  });
});

describe("deep links", () => {
  it.each(knownList)("point at the app's blades on $id once the client ID is known", (cloud) => {
    const ctx = context(cloud, { clientId });
    const apiLink = stepContent("api-permissions", ctx).instructions.find((instruction) => instruction.link)?.link;
    expect(apiLink?.href).toBe(`${cloud.portalOrigin}/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/CallAnAPI/appId/${clientId}/isMSAApp~/false`);
    const secretLink = stepContent("client-secret", ctx).instructions.find((instruction) => instruction.link)?.link;
    expect(secretLink?.href).toContain(`/~/Credentials/appId/${clientId}/`);
    const overviewLink = stepContent("copy-ids", ctx).instructions.find((instruction) => instruction.link)?.link;
    expect(overviewLink?.href).toContain(`/~/Overview/appId/${clientId}/`);
    const registerLinks = stepContent("register-app", ctx).instructions.flatMap((instruction) => (instruction.link ? [instruction.link.href] : []));
    expect(registerLinks).toContain(`${cloud.portalOrigin}/#view/Microsoft_AAD_RegisteredApps/CreateApplicationBlade/quickStartType~/null/isMSAApp~/false`);
  });

  it("fall back to the app list with directions when the client ID is not known yet", () => {
    const content = stepContent("api-permissions", context(knownClouds.global));
    const first = content.instructions[0]!;
    expect(first.link?.href).toBe(`${knownClouds.global.portalOrigin}/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade`);
    expect(first.text).toMatch(/open App registrations, select your app/);
  });

  it("are absent for custom endpoints, which still get written directions", () => {
    for (const step of wizardSteps) {
      const content = stepContent(step, context(custom, { clientId }));
      expect(content.instructions.every((instruction) => instruction.link === undefined)).toBe(true);
      expect(content.instructions.length).toBeGreaterThan(0);
    }
    expect(allText("register-app", context(custom))).toMatch(/App registrations/);
  });

  it("say Azure portal for the 21Vianet cloud", () => {
    expect(allText("register-app", context(knownClouds.china))).toContain("Azure portal");
  });
});

describe("what each step teaches", () => {
  const global = context(knownClouds.global, { clientId, organisationName: "Contoso Ltd" });

  it("register-app: New registration and an example name", () => {
    const text = allText("register-app", global);
    expect(text).toMatch(/New registration/);
    expect(text).toContain("CalendarSync");
    expect(text).toMatch(/formerly the Azure portal's Azure Active Directory/);
  });

  it("register-app: the four account types as data, single tenant recommended", () => {
    expect(accountTypeOptions.map((option) => option.id).sort()).toEqual([...signInAudienceSchema.options].sort());
    expect(accountTypeOptions.filter((option) => option.recommended).map((option) => option.id)).toEqual(["AzureADMyOrg"]);
    expect(accountTypeOptions.find((option) => option.id === "PersonalMicrosoftAccount")?.worksForCalsync).toBe(false);
    for (const option of accountTypeOptions) {
      expect(option.label).not.toBe("");
      expect(option.when).not.toBe("");
    }
    expect(allText("register-app", global)).toMatch(/single tenant/);
    expect(stepContent("register-app", global).fields).toEqual(["accountType"]);
  });

  it("register-app: name, account types and the exact consent redirect URI are one step, then Register", () => {
    const content = stepContent("register-app", global);
    const texts = content.instructions.map((instruction) => instruction.text);
    const at = (pattern: RegExp) => texts.findIndex((text) => pattern.test(text));
    expect(at(/^Under Name/)).toBeLessThan(at(/^Under Supported account types/));
    expect(at(/^Under Supported account types/)).toBeLessThan(at(/^Under Redirect URI/));
    expect(at(/^Under Redirect URI/)).toBeLessThan(at(/^Select Register/));
    expect(texts[at(/^Under Redirect URI/)]).toContain(`enter exactly: ${redirectUri} `);
    expect(texts[at(/^Under Redirect URI/)]).toContain('"Web"');
    expect(allText("register-app", global)).not.toContain("/connect/callback");
    expect(allText("register-app", global)).toContain("AADSTS50011");
  });

  it("api-permissions: both application permissions with the portal's words, and the default User.Read", () => {
    const text = allText("api-permissions", global);
    expect(text).toMatch(/Add a permission, then Microsoft Graph, then Application permissions/);
    for (const permission of [graphPermissions.calendarsReadWriteApp, graphPermissions.userReadAllApp, graphPermissions.userReadDelegated]) {
      expect(text).toContain(permission.value);
      expect(text).toContain(permission.displayText);
    }
  });

  it("admin-consent: the button and status with the organisation's name, and who may press it", () => {
    const text = allText("admin-consent", global);
    expect(text).toContain('"Grant admin consent for Contoso Ltd"');
    expect(text).toContain('"Granted for Contoso Ltd" with a green check mark');
    expect(text).toMatch(/Only a Privileged Role Administrator or Global Administrator can/);
    expect(text).toMatch(/few minutes/);
    expect(allText("admin-consent", context(knownClouds.global))).toContain("Grant admin consent for your organisation");
  });

  it("client-secret: lifetime advice, one-time Value, Secret ID is not the secret", () => {
    const content = stepContent("client-secret", global);
    const text = allText("client-secret", global);
    expect(text).toMatch(/12 months or less/);
    expect(text).toMatch(/at most 24 months/);
    expect(text).toMatch(/"Never" option no longer exists/);
    expect(text).toMatch(/shown only once/);
    expect(text).toMatch(/Secret ID is not the secret/);
    expect(content.fields).toEqual(["clientSecret", "secretExpiresAt"]);
  });

  it("admin-consent: without a deep link, the directions and the button are one sentence", () => {
    const first = stepContent("admin-consent", context(custom, { clientId })).instructions[0]!;
    expect(first.text).not.toMatch(/:$/);
    expect(first.text).toMatch(/Grant admin consent for your organisation/);
  });

  it("copy-ids: client and tenant IDs, and the Object ID warning", () => {
    const content = stepContent("copy-ids", global);
    const text = allText("copy-ids", global);
    expect(text).toContain("Application (client) ID");
    expect(text).toContain("Directory (tenant) ID");
    expect(text).toMatch(/Object ID .* is a different value/);
    expect(content.fields).toEqual(["name", "tenant", "clientId", "applicationObjectId"]);
    expect(text).toMatch(/Object ID from the same page too. It is not the client ID/);
  });

  it("mailbox-scope: Exchange restrictions with the client ID filled in, and who does them", () => {
    const text = allText("mailbox-scope", global);
    expect(text).toContain(`New-ManagementRoleAssignment -App ${clientId}`);
    expect(text).toContain(`New-ApplicationAccessPolicy -AppId ${clientId}`);
    expect(text).toContain("Microsoft no longer recommends new application access policies");
    expect(text).toMatch(/Exchange administrator/);
    expect(allText("mailbox-scope", context(knownClouds.global))).toContain("-AppId <Application (client) ID>");
    expect(stepContent("mailbox-scope", global).fields).toEqual(["mailboxScope", "mailboxes", "testMailbox", "outOfScopeMailbox", "scopeMode"]);
  });

  it("verify: the optional write test creates and deletes one event", () => {
    const text = allText("verify", global);
    expect(text).toMatch(/creates one event in the test mailbox and deletes it/);
    expect(stepContent("verify", global).fields).toEqual(["writeTest"]);
  });

  it("does not embed a client ID that is not a GUID", () => {
    const text = allText("mailbox-scope", context(knownClouds.global, { clientId: "x; Remove-Mailbox" }));
    expect(text).not.toContain("Remove-Mailbox");
  });
});

describe("the application's Object ID", () => {
  const ids = { tenant: "7a1c2e3f-4b5d-4c6e-8f70-819a2b3c4d5e", clientId: "11111111-1111-4111-8111-111111111111" };
  it("is optional, a GUID, and neither the client ID nor the tenant ID", () => {
    expect(applicationObjectIdProblem("", ids)).toBeUndefined();
    expect(applicationObjectIdProblem("0f0e0d0c-0b0a-4908-8706-050403020100", ids)).toBeUndefined();
    expect(applicationObjectIdProblem("not-a-guid", ids)).toMatch(/GUID/);
    expect(applicationObjectIdProblem(ids.clientId, ids)).toMatch(/That is the Application \(client\) ID/);
    expect(applicationObjectIdProblem(ids.tenant, ids)).toMatch(/That is the Directory \(tenant\) ID/);
  });
});
