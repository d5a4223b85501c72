import { createPrivateKey, randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { issueConnectionToken, clearTokenCache } from "@/lib/api/token-broker";
import { RenewalCrash, runDueRenewals, type RenewalOptions, type RenewalStep } from "@/lib/credentials/renewal";
import { selfSignedCertificate, thumbprints } from "@/lib/crypto/certificates";
import { KeyRing } from "@/lib/crypto/seal";
import { getDelegatedApp, getDelegatedAppView, saveDelegatedApp, verifyDelegatedApp } from "@/lib/delegated/delegated-app";
import { generateMailboxAppCertificate, getMailboxCertificateDraftView, listMailboxCertificateHistory, MAILBOX_CERTIFICATE_COMMON_NAME, mailboxCertificateDraftPem } from "@/lib/delegated/delegated-app-certificate";
import { MAILBOX_APP_RENEWAL_KEY } from "@/lib/delegated/delegated-app-renewal";
import { UserFacingError } from "@/lib/errors";
import { demo } from "@/simulator/demo-ids";
import { applicationObjectId, uploadCertificate } from "@/simulator/application-keys";
import { fixtureKeys, pemBody } from "@/test-support/certificate-fixtures";
import { connectMailbox, signInAppInput } from "@/test-support/connect-mailbox";
import { createUserForSuite } from "@/test-support/console-users";
import { testEngines } from "@/test-support/databases";
import { openDatabaseForSuite } from "@/test-support/engine-database";
import { simulatorCloudForFile } from "@/test-support/simulator-cloud";
import { healthyApp, signInScenario } from "@/test-support/simulator-scenario";
import { startDemoSimulatorForFile } from "@/test-support/simulator-trust";

/**
 * The mailbox sign-in app's own certificate: generated on the settings page, saved after the usual
 * verification, and renewed by the same job and steps as a connection's, against the simulator.
 */

const { sim, pristine } = startDemoSimulatorForFile();
simulatorCloudForFile(sim);

const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);
const DAY = 86_400_000;
const liveApp = () => healthyApp(sim.scenario);
const objectId = () => applicationObjectId(sim.scenario.tenants.find((tenant) => tenant.id === demo.contoso.id)!, liveApp());
const addKeyCalls = () => sim.requests.filter((request) => request.path.endsWith("/addKey")).length;
/** Key material as it could leak: the PEM body, and the DER in base64 without line breaks. */
const keyMaterial = (key: string) => [pemBody(key).slice(0, 48), createPrivateKey(key).export({ type: "pkcs8", format: "der" }).toString("base64").slice(100, 148)];

describe.each(testEngines())("the mailbox sign-in app's certificate on $name", (engine) => {
  const database = openDatabaseForSuite(engine);
  const admin = createUserForSuite(database, "admin@example.com", "Admin", "admin");
  const member = createUserForSuite(database, "alice@example.com", "Alice", "member");
  let oldThumbprint: string;
  let auditFrom = 0n;

  beforeEach(async () => {
    await database.prisma.connection.deleteMany();
    await database.prisma.delegatedApp.deleteMany();
    await database.prisma.delegatedAppCertificateDraft.deleteMany();
    // The audit log is append-only: each test reads only what it added.
    auditFrom = (await database.prisma.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { id: true } }))?.id ?? 0n;
    // Tokens shorter than msal's five-minute margin: every broker request redeems the refresh token
    // with the app's current certificate.
    sim.setScenario(signInScenario(pristine(), (scenario) => (scenario.settings.accessTokenLifetimeSeconds = 120)));
    sim.clearRequests();
    clearTokenCache();
  });

  const save = (patch: Partial<typeof signInAppInput> = {}) =>
    saveDelegatedApp(database.prisma, ring, { ...signInAppInput, credentialKind: "certificate", clientSecret: undefined, ...patch }, { actor: admin }, { timeoutMs: 10_000 });

  /** A certificate Calsync made, 10 days left, uploaded on the app and saved as the sign-in app's. */
  async function installExpiringCertificate(options: { objectId?: boolean } = {}): Promise<void> {
    const now = Date.now();
    const certificate = selfSignedCertificate(createPrivateKey(fixtureKeys.a), {
      commonName: MAILBOX_CERTIFICATE_COMMON_NAME,
      organisation: "Calsync Console",
      notBefore: new Date(now - 355 * DAY),
      notAfter: new Date(now + 10 * DAY),
    });
    const { keyId } = uploadCertificate(liveApp(), certificate.toString());
    oldThumbprint = thumbprints(certificate).thumbprintSha256;
    const saved = await save({
      certificatePem: `${certificate.toString()}${fixtureKeys.a}`,
      ...(options.objectId === false ? {} : { applicationObjectId: objectId() }),
      certificateKeyId: keyId,
    });
    expect(saved.saved).toBe(true);
    await database.prisma.delegatedApp.update({ where: { id: 1 }, data: { certificateGenerated: true } });
  }

  const options = (patch: Partial<RenewalOptions> = {}): RenewalOptions => ({ instanceId: "instance-a", renewDays: 30, generateKey: async () => fixtureKeys.b, ...patch });
  const expireLeases = () => database.prisma.delegatedApp.updateMany({ data: { leaseExpiresAt: new Date(Date.now() - 1) } });
  const appSignsIn = async () => verifyDelegatedApp((await getDelegatedApp(database.prisma, ring))!, { timeoutMs: 10_000 });
  const mailboxToken = async (connectionId: string) => {
    clearTokenCache();
    return (await issueConnectionToken(database.prisma, ring, connectionId)).ok;
  };
  const auditText = async () => JSON.stringify(await database.prisma.auditEvent.findMany({ where: { id: { gt: auditFrom } }, select: { summary: true, targetLabel: true, action: true } }));

  it("generates a certificate that is saved only once Microsoft accepts it, then renewed by Calsync", async () => {
    const draft = await generateMailboxAppCertificate(database.prisma, ring, { validityMonths: 6 }, { actor: admin }, { privateKeyPem: fixtureKeys.b });
    expect(draft.subject).toContain("mailbox sign-in");
    expect(draft.expiresAt.getTime() - Date.now()).toBeGreaterThan(180 * DAY);
    expect(draft.expiresAt.getTime() - Date.now()).toBeLessThan(186 * DAY);
    expect(await getMailboxCertificateDraftView(database.prisma)).toMatchObject({ thumbprintSha256: draft.thumbprintSha256, validityMonths: 6 });

    // Not uploaded in Entra yet: the token check fails and nothing is saved.
    const refused = await save({ certificateSource: "generated", applicationObjectId: objectId() });
    expect(refused.saved).toBe(false);
    expect(refused.checks.find((check) => check.id === "token")?.code).toBe("AADSTS700027");
    expect(await database.prisma.delegatedApp.count()).toBe(0);

    uploadCertificate(liveApp(), (await mailboxCertificateDraftPem(database.prisma))!);
    const saved = await save({ certificateSource: "generated", applicationObjectId: objectId() });
    expect(saved.saved).toBe(true);
    const view = await getDelegatedAppView(database.prisma);
    expect(view).toMatchObject({ credentialKind: "certificate", credentialHint: draft.thumbprintSha256, certificateGenerated: true, applicationObjectId: objectId() });
    expect(view?.credentialExpiresAt?.getTime()).toBe(draft.expiresAt.getTime());
    expect(await database.prisma.delegatedAppCertificateDraft.count()).toBe(0);
    expect((await appSignsIn()).ok).toBe(true);
    for (const leak of keyMaterial(fixtureKeys.b)) expect(await auditText()).not.toContain(leak);
    expect((await listMailboxCertificateHistory(database.prisma))[0]?.summary).toContain(draft.thumbprintSha256);

    // Re-saving the other settings keeps the certificate, its exact end date and its renewal.
    expect((await save({ expectedVersion: view!.version, applicationObjectId: objectId() })).saved).toBe(true);
    expect(await getDelegatedAppView(database.prisma)).toMatchObject({ certificateGenerated: true, credentialExpiresAt: draft.expiresAt });
  });

  it("asks for a generated certificate before saving one", async () => {
    await expect(save({ certificateSource: "generated" })).rejects.toThrow(UserFacingError);
    expect(await database.prisma.delegatedApp.count()).toBe(0);
  });

  it("renews: adds the new certificate, proves it, switches, removes the old one, audited without key material", async () => {
    await installExpiringCertificate();
    const before = (await getDelegatedAppView(database.prisma))!;
    const outcomes = await runDueRenewals(database.prisma, ring, options());
    expect(outcomes.get(MAILBOX_APP_RENEWAL_KEY)).toMatchObject({ outcome: "renewed", oldThumbprint, oldKeyRemoved: true });
    expect(addKeyCalls()).toBe(1);
    const after = (await getDelegatedAppView(database.prisma))!;
    expect(after.credentialHint).not.toBe(oldThumbprint);
    expect(after.credentialExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 300 * DAY);
    expect(after.version).toBe(before.version + 1);
    expect(liveApp().certificates.map((certificate) => certificate.keyId)).toEqual([after.certificateKeyId]);
    expect((await appSignsIn()).ok).toBe(true);

    const audit = await database.prisma.auditEvent.findFirstOrThrow({ where: { action: "delegated-app.renew-certificate", id: { gt: auditFrom } }, select: { summary: true } });
    expect(audit.summary).toContain(oldThumbprint);
    expect(audit.summary).toContain(after.credentialHint);
    for (const leak of [...keyMaterial(fixtureKeys.a), ...keyMaterial(fixtureKeys.b)]) expect(await auditText()).not.toContain(leak);
    expect(await database.prisma.delegatedApp.findUniqueOrThrow({ where: { id: 1 }, select: { renewalStep: true, pendingCertificateKeySealed: true, leaseOwner: true } })).toEqual({
      renewalStep: null,
      pendingCertificateKeySealed: null,
      leaseOwner: null,
    });
  });

  it.each<RenewalStep | "add-called" | "removed">(["generated", "adding", "add-called", "added", "switched", "removing", "removed"])(
    "a crash after %s keeps people's mailbox tokens coming, and the next run resumes with exactly one new key",
    async (step) => {
      await installExpiringCertificate();
      const { connectionId } = await connectMailbox(database.prisma, ring, member, demo.users.adele.upn);
      await expect(runDueRenewals(database.prisma, ring, options({ crashAfter: step }))).rejects.toBeInstanceOf(RenewalCrash);
      expect(await mailboxToken(connectionId)).toBe(true);
      expect((await appSignsIn()).ok).toBe(true);
      await expireLeases();
      const outcomes = await runDueRenewals(database.prisma, ring, options({ instanceId: "instance-b" }));
      expect(outcomes.get(MAILBOX_APP_RENEWAL_KEY)).toMatchObject({ outcome: "renewed", oldKeyRemoved: true });
      expect(addKeyCalls()).toBe(1);
      expect(liveApp().certificates.map((certificate) => certificate.keyId)).toEqual([(await getDelegatedAppView(database.prisma))?.certificateKeyId]);
      expect(await mailboxToken(connectionId)).toBe(true);
    },
  );

  it("two instances racing renew once: exactly one addKey", async () => {
    await installExpiringCertificate();
    const [first, second] = await Promise.all([runDueRenewals(database.prisma, ring, options({ instanceId: "instance-a" })), runDueRenewals(database.prisma, ring, options({ instanceId: "instance-b" }))]);
    expect([...first.values(), ...second.values()].filter((outcome) => outcome.outcome === "renewed")).toHaveLength(1);
    expect(addKeyCalls()).toBe(1);
    expect(liveApp().certificates).toHaveLength(1);
  });

  it("without the Object ID it cannot renew: the settings warn with the days left, audited once", async () => {
    await installExpiringCertificate({ objectId: false });
    expect((await runDueRenewals(database.prisma, ring, options())).get(MAILBOX_APP_RENEWAL_KEY)).toMatchObject({ outcome: "blocked" });
    await expireLeases();
    await runDueRenewals(database.prisma, ring, options());
    expect((await getDelegatedAppView(database.prisma))?.renewalWarning).toMatch(/Object ID is unknown.*expires in (9|10) days.*mailbox sign-ins keep working/);
    expect(await database.prisma.auditEvent.count({ where: { action: "delegated-app.renewal-blocked", id: { gt: auditFrom } } })).toBe(1);
    expect(addKeyCalls()).toBe(0);
  });

  it("adding the Object ID clears the warning it caused", async () => {
    await installExpiringCertificate({ objectId: false });
    await runDueRenewals(database.prisma, ring, options());
    const warned = await getDelegatedAppView(database.prisma);
    expect(warned?.renewalWarning).toMatch(/Object ID is unknown/);
    expect((await save({ expectedVersion: warned!.version, applicationObjectId: objectId(), certificateKeyId: warned!.certificateKeyId! })).saved).toBe(true);
    expect(await getDelegatedAppView(database.prisma)).toMatchObject({ renewalWarning: null, applicationObjectId: objectId(), certificateKeyId: warned!.certificateKeyId });
  });

  it("switching to a generated certificate drops the previous certificate's ID left in the form, so a renewal never removes that one", async () => {
    await installExpiringCertificate();
    const before = await getDelegatedAppView(database.prisma);
    expect(before?.certificateKeyId).toBeTruthy();
    await generateMailboxAppCertificate(database.prisma, ring, { validityMonths: 6 }, { actor: admin }, { privateKeyPem: fixtureKeys.b });
    uploadCertificate(liveApp(), (await mailboxCertificateDraftPem(database.prisma))!);
    const saved = await save({ expectedVersion: before!.version, certificateSource: "generated", applicationObjectId: objectId(), certificateKeyId: before!.certificateKeyId!.toUpperCase() });
    expect(saved.saved).toBe(true);
    expect(await getDelegatedAppView(database.prisma)).toMatchObject({ certificateGenerated: true, certificateKeyId: null });
  });

  it("a certificate the admin brought is not renewed", async () => {
    await installExpiringCertificate();
    await database.prisma.delegatedApp.update({ where: { id: 1 }, data: { certificateGenerated: false } });
    expect((await runDueRenewals(database.prisma, ring, options())).has(MAILBOX_APP_RENEWAL_KEY)).toBe(false);
    expect(addKeyCalls()).toBe(0);
  });
});
