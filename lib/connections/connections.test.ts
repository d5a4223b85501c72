import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckReport } from "@/lib/checks/schema";
import { createConnection, connectionCheckInput, deleteConnection, getConnection, rotateConnectionSecret, STALE_VERSION_MESSAGE, updateConnectionSettings } from "@/lib/connections/connections";
import { KeyRing, SealError } from "@/lib/crypto/seal";
import type { Database } from "@/lib/db/client";
import { testEngines } from "@/test-support/databases";
import { generateCertificateCredential } from "@/lib/crypto/certificates";
import { fixtureKeys, pemBody } from "@/test-support/certificate-fixtures";

const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);
const tenantId = "7a1c2e3f-4b5d-4c6e-8f70-819a2b3c4d5e";
const report = (ok: boolean, warn = false): CheckReport => ({
  ok,
  cancelled: false,
  tenantId,
  cloud: "global",
  startedAt: new Date().toISOString(),
  durationMs: 10,
  checks: [{ id: "token", status: ok ? (warn ? "warn" : "pass") : "fail", title: "App signed in", detail: "ok", durationMs: 5 }],
});

describe.each(testEngines())("connections on $name", (engine) => {
  let database: Database;
  let actor: { id: string; email: string };
  beforeAll(async () => {
    database = await engine.open();
    actor = await database.prisma.user.create({ data: { email: "a@example.com", displayName: "A", role: "admin" }, select: { id: true, email: true } });
  });
  afterAll(async () => {
    await database.close();
  });

  const base = {
    name: "Contoso",
    cloud: "global" as const,
    tenant: "contoso.com",
    clientId: "11111111-1111-4111-8111-111111111111",
    clientSecret: "first~secret~value~0000000001",
    secretExpiresAt: new Date("2027-01-01T00:00:00Z"),
    mailboxScope: { kind: "all" as const },
    testMailbox: null,
    outOfScopeMailbox: null,
    writeTest: false,
  };

  it("seals the secret, never selects it by default, and refuses the same app twice", async () => {
    const created = await createConnection(database.prisma, ring, { ...base, report: report(true) }, { actor });
    expect(created).toMatchObject({ state: "healthy", secretHint: "0001", tenantId, version: 1 });
    const raw = await database.prisma.connection.findUniqueOrThrow({ where: { id: created.id } });
    expect(raw).not.toHaveProperty("clientSecretSealed");
    const sealed = await database.prisma.connection.findUniqueOrThrow({ where: { id: created.id }, select: { clientSecretSealed: true } });
    expect(sealed.clientSecretSealed).not.toContain("first~secret");
    expect((await connectionCheckInput(database.prisma, ring, created.id))?.clientSecret).toBe(base.clientSecret);

    // A sealed secret pasted into another row does not open there.
    const other = await createConnection(database.prisma, ring, { ...base, clientId: "22222222-2222-4222-8222-222222222222", report: report(true) }, { actor });
    await database.prisma.connection.update({ where: { id: other.id }, data: { clientSecretSealed: sealed.clientSecretSealed } });
    await expect(connectionCheckInput(database.prisma, ring, other.id)).rejects.toBeInstanceOf(SealError);

    await expect(createConnection(database.prisma, ring, { ...base, tenant: tenantId, report: report(true) }, { actor })).rejects.toThrow(
      /already connected as “Contoso”/,
    );
  });

  it("stores a certificate credential with its key sealed to the row, and hands it to checks", async () => {
    const certificate = await generateCertificateCredential({ commonName: "Calsync Console: Fabrikam", privateKeyPem: fixtureKeys.a });
    const created = await createConnection(
      database.prisma,
      ring,
      {
        ...base,
        name: "Fabrikam",
        clientId: "33333333-3333-4333-8333-333333333333",
        clientSecret: "",
        secretExpiresAt: null,
        certificate: { ...certificate, generated: true, applicationObjectId: "44444444-4444-4444-8444-444444444444" },
        report: report(true),
      },
      { actor },
    );
    expect(created).toMatchObject({
      credentialKind: "certificate",
      certificateThumbprint: certificate.thumbprintSha256,
      certificateExpiresAt: certificate.expiresAt,
      certificateGenerated: true,
      applicationObjectId: "44444444-4444-4444-8444-444444444444",
      secretHint: null,
      secretExpiresAt: null,
    });
    const stored = await database.prisma.connection.findUniqueOrThrow({ where: { id: created.id }, select: { certificateKeySealed: true, clientSecretSealed: true } });
    expect(stored.clientSecretSealed).toBeNull();
    expect(stored.certificateKeySealed).not.toContain(pemBody(certificate.privateKeyPem).slice(0, 40));
    const input = await connectionCheckInput(database.prisma, ring, created.id);
    expect(input?.certificate).toEqual({ privateKeyPem: certificate.privateKeyPem, certificatePem: certificate.certificatePem, thumbprintSha256: certificate.thumbprintSha256 });
    const audit = await database.prisma.auditEvent.findMany({ where: { targetId: created.id }, select: { summary: true } });
    expect(audit[0]?.summary).toContain(`certificate ${certificate.thumbprintSha256.slice(0, 16)}`);
    expect(JSON.stringify(audit)).not.toContain(pemBody(certificate.privateKeyPem).slice(0, 40));
    // The sealed key is bound to its column: moved into the secret column it does not open.
    await database.prisma.connection.update({ where: { id: created.id }, data: { clientSecretSealed: stored.certificateKeySealed, credentialKind: "secret" } });
    await expect(connectionCheckInput(database.prisma, ring, created.id)).rejects.toBeInstanceOf(SealError);
    await database.prisma.connection.delete({ where: { id: created.id } });
  });

  it("refuses a stale edit with a clear message and keeps the newer one", async () => {
    const [connection] = await database.prisma.connection.findMany({ where: { name: "Contoso" }, select: { id: true, version: true } });
    const change = { name: "Contoso (edited)", mailboxScope: { kind: "all" as const }, testMailbox: null, outOfScopeMailbox: null, writeTest: true, secretExpiresAt: null };
    await updateConnectionSettings(database.prisma, connection!.id, connection!.version, change, report(true, true), { actor });
    await expect(updateConnectionSettings(database.prisma, connection!.id, connection!.version, { ...change, name: "Lost update" }, report(true), { actor })).rejects.toThrow(
      STALE_VERSION_MESSAGE,
    );
    expect(await getConnection(database.prisma, connection!.id)).toMatchObject({ name: "Contoso (edited)", state: "warning", version: 2 });
  });

  it("stores the scope mode and its change time, names the switch in the audit log, and re-checks a propagating scope sooner", async () => {
    const [connection] = await database.prisma.connection.findMany({ where: { name: "Contoso (edited)" }, select: { id: true, version: true } });
    const changedAt = new Date(Date.now() - 10 * 60_000);
    const propagating: CheckReport = {
      ...report(true, true),
      checks: [{ id: "calendar", status: "warn", title: "Propagating: Exchange applies scope changes within 2 hours", detail: "d", code: "scope-propagating", durationMs: 5 }],
    };
    const change = { name: "Contoso (edited)", mailboxScope: { kind: "all" as const }, testMailbox: null, outOfScopeMailbox: null, writeTest: true, secretExpiresAt: null };
    await updateConnectionSettings(database.prisma, connection!.id, connection!.version, { ...change, scopeMode: "rbac", scopeChangedAt: changedAt }, propagating, { actor });
    const stored = await getConnection(database.prisma, connection!.id);
    expect(stored).toMatchObject({ scopeMode: "rbac", scopeChangedAt: changedAt });
    const row = await database.prisma.connection.findUniqueOrThrow({ where: { id: connection!.id }, select: { nextCheckAt: true } });
    expect(row.nextCheckAt.toISOString()).toBe(new Date(changedAt.getTime() + 30 * 60_000).toISOString());
    expect((await connectionCheckInput(database.prisma, ring, connection!.id))?.scopeChangedAt).toBe(changedAt.toISOString());
    const audit = await database.prisma.auditEvent.findFirst({ where: { targetId: connection!.id, action: "connection.update" }, orderBy: { id: "desc" }, select: { summary: true } });
    expect(audit?.summary).toContain("scope mode all → rbac");
  });

  it("rotates only with a passing verification and records it", async () => {
    const [connection] = await database.prisma.connection.findMany({ where: { name: "Contoso (edited)" }, select: { id: true, version: true } });
    await expect(
      rotateConnectionSecret(database.prisma, ring, connection!.id, connection!.version, { clientSecret: "x", secretExpiresAt: null, report: report(false) }, { actor }),
    ).rejects.toThrow();
    await rotateConnectionSecret(
      database.prisma,
      ring,
      connection!.id,
      connection!.version,
      { clientSecret: "second~secret~value~0000000002", secretExpiresAt: new Date("2028-01-01T00:00:00Z"), report: report(true) },
      { actor },
    );
    expect((await connectionCheckInput(database.prisma, ring, connection!.id))?.clientSecret).toBe("second~secret~value~0000000002");
    expect(await getConnection(database.prisma, connection!.id)).toMatchObject({ secretHint: "0002", state: "healthy" });
    const audit = await database.prisma.auditEvent.findMany({ where: { targetId: connection!.id }, select: { action: true, summary: true } });
    expect(audit.map((event) => event.action)).toEqual(expect.arrayContaining(["connection.create", "connection.update", "connection.rotate-secret"]));
    expect(JSON.stringify(audit)).not.toMatch(/first~secret|second~secret/);
  });

  it("deletes only when the name is typed exactly", async () => {
    const [connection] = await database.prisma.connection.findMany({ where: { name: "Contoso (edited)" }, select: { id: true } });
    await expect(deleteConnection(database.prisma, connection!.id, "Contoso", { actor })).rejects.toThrow(/Type the connection's name/);
    await deleteConnection(database.prisma, connection!.id, "Contoso (edited)", { actor });
    expect(await getConnection(database.prisma, connection!.id)).toBeNull();
  });
});
