import { randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { CheckReport } from "@/lib/checks/schema";
import { createConnection } from "@/lib/connections/connections";
import { KeyRing } from "@/lib/crypto/seal";
import { UserFacingError } from "@/lib/errors";
import { connectionScopeContext, scopeScriptFor, type ScopeAssistantContext, type ScopeAssistantForm } from "@/lib/scoping/scope-assistant";
import { createUserForSuite } from "@/test-support/console-users";
import { testEngines } from "@/test-support/databases";
import { openDatabaseForSuite } from "@/test-support/engine-database";

const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);
const tenantId = "7a1c2e3f-4b5d-4c6e-8f70-819a2b3c4d5e";
const clientId = "11111111-1111-4111-8111-111111111111";
const servicePrincipalId = "5c5c5c5c-1111-4222-8333-444455556666";
const applicationObjectId = "a0a0a0a0-1111-4222-8333-444455556666";
const report: CheckReport = {
  ok: true,
  cancelled: false,
  tenantId,
  cloud: "global",
  startedAt: new Date().toISOString(),
  durationMs: 10,
  checks: [{ id: "token", status: "pass", title: "App signed in", detail: "ok", durationMs: 5 }],
};

const context: ScopeAssistantContext = {
  cloud: "global",
  clientId,
  tenantId,
  displayName: "Contoso calendars",
  applicationObjectId,
  servicePrincipalObjectId: servicePrincipalId,
  testMailbox: "adele@contoso.com",
  outOfScopeMailbox: "ceo@contoso.com",
};
const form: ScopeAssistantForm = {
  scopeKind: "group",
  scopeIdentity: "Calendar sync",
  servicePrincipalObjectId: servicePrincipalId,
  inScopeMailbox: "adele@contoso.com",
  outOfScopeMailbox: "ceo@contoso.com",
};

function fieldErrorsOf(run: () => unknown): Record<string, string> {
  try {
    run();
  } catch (error) {
    if (error instanceof UserFacingError) return error.fieldErrors;
    throw error;
  }
  throw new Error("expected a UserFacingError");
}

describe("scopeScriptFor", () => {
  it("writes the script with the connection's client ID and the entered values", () => {
    const script = scopeScriptFor(context, form);
    expect(script).toContain(`$AppId = '${clientId}'`);
    expect(script).toContain(`$ServicePrincipalObjectId = '${servicePrincipalId}'`);
    expect(script).toContain("$DisplayName = 'Contoso calendars'");
    expect(script).toContain("-CustomResourceScope $ScopeName");
  });

  it("refuses the app registration's Object ID with a message that tells the two apart", () => {
    const errors = fieldErrorsOf(() => scopeScriptFor(context, { ...form, servicePrincipalObjectId: applicationObjectId }));
    expect(errors.servicePrincipalObjectId).toContain("app registration's Object ID");
    expect(errors.servicePrincipalObjectId).toContain("Enterprise applications");
  });

  it("names every field that needs another look at once", () => {
    const errors = fieldErrorsOf(() => scopeScriptFor(context, { ...form, servicePrincipalObjectId: "abc", scopeIdentity: " ", inScopeMailbox: "adele", outOfScopeMailbox: "" }));
    expect(Object.keys(errors).sort()).toEqual(["inScopeMailbox", "outOfScopeMailbox", "scopeIdentity", "servicePrincipalObjectId"]);
    expect(errors.servicePrincipalObjectId).toContain("is a GUID");
  });
});

describe.each(testEngines())("scope assistant context on $name", (engine) => {
  const database = openDatabaseForSuite(engine);
  const actor = createUserForSuite(database, "a@example.com", "A", "admin");

  const connection = (overrides: { clientId: string; testMailbox?: string }) =>
    createConnection(
      database.prisma,
      ring,
      {
        name: "Contoso",
        cloud: "global",
        tenant: "contoso.com",
        clientId: overrides.clientId,
        clientSecret: "first~secret~value~0000000001",
        secretExpiresAt: new Date("2027-01-01T00:00:00Z"),
        mailboxScope: { kind: "all" },
        testMailbox: overrides.testMailbox ?? null,
        outOfScopeMailbox: null,
        writeTest: false,
        report,
      },
      { actor },
    );

  it("knows the enterprise application's Object ID from the one-click registration", async () => {
    const created = await connection({ clientId, testMailbox: "adele@contoso.com" });
    await database.prisma.provisioning.create({
      data: { id: randomUUID(), cloud: "global", tenantId, displayName: "Contoso", status: "done", secretMonths: 12, appId: clientId, applicationObjectId, servicePrincipalId, connectionId: created.id },
      select: { id: true },
    });
    const found = await connectionScopeContext(database.prisma, created.id);
    expect(found).toMatchObject({ clientId, tenantId, servicePrincipalObjectId: servicePrincipalId, applicationObjectId, testMailbox: "adele@contoso.com", displayName: "Contoso" });
  });

  it("leaves the Object ID to the admin for an app registered by hand", async () => {
    const created = await connection({ clientId: "22222222-2222-4222-8222-222222222222" });
    const found = await connectionScopeContext(database.prisma, created.id);
    expect(found?.servicePrincipalObjectId).toBeNull();
    expect(await connectionScopeContext(database.prisma, randomUUID())).toBeNull();
  });
});
