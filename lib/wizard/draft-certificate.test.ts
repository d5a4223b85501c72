import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getConnection } from "@/lib/connections/connections";
import { KeyRing } from "@/lib/crypto/seal";
import type { Database } from "@/lib/db/client";
import { UserFacingError } from "@/lib/errors";
import { CERTIFICATE_FIELD, generateDraftCertificate, uploadDraftCertificate, uploadFromForm } from "@/lib/wizard/draft-certificate";
import { draftCheckInput, getDraft, recordDraftReport, saveDraftStep, startDraft } from "@/lib/wizard/drafts";
import { saveDraftAsConnection } from "@/lib/wizard/save-draft";
import { FIXTURE_PFX_PASSWORD, fixtureBytes, fixtureKeys, fixtureText, pemBody } from "@/test-support/certificate-fixtures";
import { testEngines } from "@/test-support/databases";
import { cannedReport } from "@/test-support/jobs";

const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);
const tenantId = "7a1c2e3f-4b5d-4c6e-8f70-819a2b3c4d5e";

describe.each(testEngines())("the wizard's certificate on $name", (engine) => {
  let database: Database;
  let actor: { id: string; email: string };
  beforeAll(async () => {
    database = await engine.open();
    actor = await database.prisma.user.create({ data: { email: "cert@example.com", displayName: "C", role: "admin" }, select: { id: true, email: true } });
  });
  afterAll(async () => {
    await database.close();
  });

  async function draftWithIds() {
    await startDraft(database.prisma, actor.id, "global");
    return saveDraftStep(database.prisma, ring, {
      userId: actor.id,
      step: "copy-ids",
      done: true,
      nextStep: "client-secret",
      fields: { name: "Contoso", tenant: tenantId, clientId: "11111111-1111-4111-8111-111111111111" },
    });
  }

  it("generates a certificate named after the connection, verifies with it and saves it into the connection", async () => {
    const draft = await draftWithIds();
    const withCertificate = await generateDraftCertificate(database.prisma, ring, actor.id, draft, 6, { privateKeyPem: fixtureKeys.a });
    expect(withCertificate.credentialKind).toBe("certificate");
    expect(withCertificate.certificate).toMatchObject({ generated: true, subject: expect.stringContaining("CN=Calsync Console: Contoso") });
    expect(JSON.stringify(withCertificate)).not.toContain(pemBody(fixtureKeys.a).slice(0, 40));

    const prepared = await draftCheckInput(database.prisma, ring, actor.id);
    expect(prepared?.input.certificate?.thumbprintSha256).toBe(withCertificate.certificate?.thumbprintSha256);
    expect(prepared?.input.clientSecret).toBe("");
    await recordDraftReport(database.prisma, prepared!.draftId, cannedReport("pass"), prepared!.fingerprint);
    expect((await getDraft(database.prisma, actor.id))?.reportIsCurrent).toBe(true);

    const connection = await saveDraftAsConnection(database.prisma, ring, actor.id, { confirmWarnings: false }, { actor });
    expect(connection).toMatchObject({
      credentialKind: "certificate",
      certificateGenerated: true,
      certificateThumbprint: withCertificate.certificate?.thumbprintSha256,
      secretHint: null,
    });
    const audit = await database.prisma.auditEvent.findMany({ where: { targetId: connection.id }, select: { summary: true } });
    expect(JSON.stringify(audit)).not.toContain(pemBody(fixtureKeys.a).slice(0, 40));
    expect(await getConnection(database.prisma, connection.id)).toMatchObject({ certificateExpiresAt: withCertificate.certificate?.expiresAt });
    await database.prisma.connection.delete({ where: { id: connection.id } });
  });

  it("a new certificate after verification asks for verification again", async () => {
    const draft = await draftWithIds();
    await generateDraftCertificate(database.prisma, ring, actor.id, draft, 12, { privateKeyPem: fixtureKeys.a });
    const prepared = await draftCheckInput(database.prisma, ring, actor.id);
    await recordDraftReport(database.prisma, prepared!.draftId, cannedReport("pass"), prepared!.fingerprint);
    await generateDraftCertificate(database.prisma, ring, actor.id, draft, 12, { privateKeyPem: fixtureKeys.b });
    expect((await getDraft(database.prisma, actor.id))?.reportIsCurrent).toBe(false);
    await expect(saveDraftAsConnection(database.prisma, ring, actor.id, { confirmWarnings: false }, { actor })).rejects.toThrow(/changed since the last verification/);
  });

  it("a new certificate forgets the previous certificate's Certificate ID and keeps the Object ID", async () => {
    await draftWithIds();
    const objectId = "22222222-2222-4222-8222-222222222222";
    const first = await saveDraftStep(database.prisma, ring, {
      userId: actor.id,
      step: "client-secret",
      done: true,
      nextStep: "admin-consent",
      fields: { applicationObjectId: objectId, certificateKeyId: "33333333-3333-4333-8333-333333333333" },
    });
    const renewed = await generateDraftCertificate(database.prisma, ring, actor.id, first, 12, { privateKeyPem: fixtureKeys.b });
    expect(renewed.fields.certificateKeyId).toBeUndefined();
    expect(renewed.fields.applicationObjectId).toBe(objectId);
  });

  it("takes a PFX with its password, and a bad upload changes nothing", async () => {
    await draftWithIds();
    const file = new File([new Uint8Array(fixtureBytes("bundle-a.pfx"))], "app.pfx");
    const uploaded = await uploadDraftCertificate(database.prisma, ring, actor.id, await uploadFromForm(file, undefined, FIXTURE_PFX_PASSWORD));
    expect(uploaded.certificate).toMatchObject({ generated: false, subject: "CN=Fixture leaf" });

    const before = await database.prisma.wizardDraft.findUniqueOrThrow({ where: { userId: actor.id }, select: { certificateKeySealed: true, version: true } });
    const wrong = uploadDraftCertificate(database.prisma, ring, actor.id, await uploadFromForm(file, undefined, "wrong"));
    await expect(wrong).rejects.toBeInstanceOf(UserFacingError);
    await expect(wrong).rejects.toMatchObject({ fieldErrors: { [CERTIFICATE_FIELD]: expect.stringContaining("password does not open") } });
    const noKey = await uploadFromForm(null, fixtureText("cert-a.pem"), undefined);
    await expect(uploadDraftCertificate(database.prisma, ring, actor.id, noKey)).rejects.toThrow(/no private key/);
    await expect(uploadFromForm(new File([new Uint8Array(70 * 1024)], "big.pfx"), undefined, "")).rejects.toThrow(/larger than 64 kB/);
    await expect(uploadFromForm(null, "  ", undefined)).rejects.toThrow(/Choose a PFX or PEM file/);
    expect(await database.prisma.wizardDraft.findUniqueOrThrow({ where: { userId: actor.id }, select: { certificateKeySealed: true, version: true } })).toEqual(before);
  });
});
