import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyRing } from "@/lib/crypto/seal";
import type { Database } from "@/lib/db/client";
import { UserFacingError } from "@/lib/errors";
import { generateDraftCertificate } from "@/lib/wizard/draft-certificate";
import { startDraft } from "@/lib/wizard/drafts";
import { fixtureKeys } from "@/test-support/certificate-fixtures";
import { parseScriptForm } from "@/lib/wizard/script-path";
import { testEngines } from "@/test-support/databases";

const tenant = "7a1c2e3f-4b5d-4c6e-8f70-819a2b3c4d5e";
const clientId = "3f2b8c1e-9d4a-4e6b-8f7c-1a2b3c4d5e6f";
const secret = "abc8Q~script~secret~value~00000000001";
const now = new Date("2026-12-01T12:00:00Z");
const output = [
  "Done. Paste these four lines into Calsync:",
  `  Directory (tenant) ID:    ${tenant}`,
  `  Application (client) ID:  ${clientId}`,
  `  Client secret (Value):    ${secret}`,
  "  Client secret expires:    2027-12-01T12:00:00.000000+00:00",
].join("\n");

describe.each(testEngines())("the script path's paste box on $name", (engine) => {
  let database: Database;
  let userId: string;
  beforeAll(async () => {
    database = await engine.open();
    ({ id: userId } = await database.prisma.user.create({ data: { email: "script@example.com", displayName: "S", role: "admin" }, select: { id: true } }));
  });
  afterAll(async () => {
    await database.close();
  });

  it("reads the four values from the pasted output, checked by the manual steps' rules", async () => {
    const draft = await startDraft(database.prisma, userId, "global");
    expect(await parseScriptForm(database.prisma, draft, { secretOutput: output, name: "Contoso calendars" }, now)).toEqual({
      fields: { name: "Contoso calendars", tenant, clientId, secretExpiresAt: "2027-12-01", mailboxScopeKind: "all" },
      clientSecret: secret,
      credentialKind: "secret",
    });
  });

  it("lets a typed field correct the pasted one", async () => {
    const draft = await startDraft(database.prisma, userId, "global");
    const parsed = await parseScriptForm(database.prisma, draft, { secretOutput: output, name: "Contoso", tenant: "contoso.onmicrosoft.com", secretExpiresAt: "2027-06-30" }, now);
    expect(parsed.fields).toMatchObject({ tenant: "contoso.onmicrosoft.com", clientId, secretExpiresAt: "2027-06-30" });
  });

  it("names a paste without the script's lines, and each missing value, instead of saving anything", async () => {
    const draft = await startDraft(database.prisma, userId, "global");
    const refused = await parseScriptForm(database.prisma, draft, { secretOutput: "az: command not found", name: "Contoso" }, now).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UserFacingError);
    expect((refused as UserFacingError).message).toMatch(/none of the lines the script prints/);
    expect(Object.keys((refused as UserFacingError).fieldErrors).sort()).toEqual(["clientId", "clientSecret", "secretExpiresAt", "secretOutput", "tenant"]);
  });

  it("refuses the Secret ID pasted where the secret belongs, as the manual step does", async () => {
    const draft = await startDraft(database.prisma, userId, "global");
    const swapped = output.replace(secret, "0f4e6d7c-1b2a-4c3d-8e9f-0a1b2c3d4e5f");
    const refused = await parseScriptForm(database.prisma, draft, { secretOutput: swapped, name: "Contoso" }, now).catch((error: unknown) => error);
    expect((refused as UserFacingError).fieldErrors.clientSecret).toMatch(/Secret ID/);
  });

  describe("with the certificate script", () => {
    const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);
    const objectId = "aae51288-adf1-490e-a469-8ef6662d5173";
    const keyId = "0f4e6d7c-1b2a-4c3d-8e9f-0a1b2c3d4e5f";
    const certificateOutput = [
      "Done. Paste these four lines into Calsync:",
      `  Directory (tenant) ID:    ${tenant}`,
      `  Application (client) ID:  ${clientId}`,
      `  Object ID:                ${objectId}`,
      `  Certificate ID:           ${keyId}`,
    ].join("\n");

    it("reads the ids, the Object ID and the Certificate ID, and keeps the draft's certificate as the credential", async () => {
      const started = await startDraft(database.prisma, userId, "global");
      const draft = await generateDraftCertificate(database.prisma, ring, userId, started, 12, { privateKeyPem: fixtureKeys.a });
      expect(await parseScriptForm(database.prisma, draft, { secretOutput: certificateOutput, name: "Contoso", credentialKind: "certificate" }, now)).toEqual({
        fields: { name: "Contoso", tenant, clientId, applicationObjectId: objectId, certificateKeyId: keyId, mailboxScopeKind: "all" },
        credentialKind: "certificate",
      });
    });

    it("asks for the certificate first, and names the client ID pasted as the Object ID", async () => {
      const withoutCertificate = await startDraft(database.prisma, userId, "global");
      const refused = await parseScriptForm(database.prisma, withoutCertificate, { secretOutput: certificateOutput, name: "Contoso", credentialKind: "certificate" }, now).catch((error: unknown) => error);
      expect((refused as UserFacingError).fieldErrors.secretOutput).toMatch(/Generate or upload a certificate first/);

      const draft = await generateDraftCertificate(database.prisma, ring, userId, withoutCertificate, 12, { privateKeyPem: fixtureKeys.a });
      const swapped = certificateOutput.replace(objectId, clientId);
      const mixedUp = await parseScriptForm(database.prisma, draft, { secretOutput: swapped, name: "Contoso", credentialKind: "certificate" }, now).catch((error: unknown) => error);
      expect((mixedUp as UserFacingError).fieldErrors.applicationObjectId).toMatch(/Application \(client\) ID/);
    });
  });
});
