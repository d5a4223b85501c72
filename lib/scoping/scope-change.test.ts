import { randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { propagationRecheck } from "@/lib/checks/access-denied";
import { connectionCheckInput, createConnection } from "@/lib/connections/connections";
import { KeyRing } from "@/lib/crypto/seal";
import { UserFacingError } from "@/lib/errors";
import { recordScopeChange, scopeChangeMessage } from "@/lib/scoping/scope-change";
import { getDraft, startDraft } from "@/lib/wizard/drafts";
import { secretConnectionInput } from "@/test-support/connection-inputs";
import { createUserForSuite } from "@/test-support/console-users";
import { testEngines } from "@/test-support/databases";
import { openDatabaseForSuite } from "@/test-support/engine-database";

const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);
const now = new Date("2026-12-02T10:00:00.000Z");
const minutes = (count: number) => new Date(now.getTime() + count * 60_000);

describe("scopeChangeMessage", () => {
  it("says when the change was recorded and each re-check", () => {
    expect(scopeChangeMessage({ at: now, rechecks: [minutes(30), minutes(60), minutes(120)] })).toBe(
      "Scope change recorded at 2026-12-02 10:00 UTC. Exchange applies it within 2 hours: until then a failing probe shows as propagating, and Calsync checks again at 2026-12-02 10:30 UTC, 2026-12-02 11:00 UTC, 2026-12-02 12:00 UTC.",
    );
  });
});

describe.each(testEngines())("recordScopeChange on $name", (engine) => {
  const database = openDatabaseForSuite(engine);
  const admin = createUserForSuite(database, "scope-admin@example.com", "Scope admin", "admin");
  const context = () => ({ actor: admin, ip: "203.0.113.9" });

  it("records the change on the connection, moves it to RBAC, brings its next check to +30 min and audits it", async () => {
    const created = await createConnection(database.prisma, ring, secretConnectionInput("Scoped by script", { clientId: randomUUID() }), context());
    const recorded = await recordScopeChange(database.prisma, { connectionId: created.id, userId: admin.id, applied: "script" }, context(), now);
    expect(recorded).toEqual({ at: now, rechecks: [minutes(30), minutes(60), minutes(120)] });

    const row = await database.prisma.connection.findUniqueOrThrow({ where: { id: created.id }, select: { scopeMode: true, scopeChangedAt: true, nextCheckAt: true, version: true } });
    expect(row).toEqual({ scopeMode: "rbac", scopeChangedAt: now, nextCheckAt: minutes(30), version: created.version + 1 });
    // The checks read the recorded time, so a failing probe in the window is shown as propagating.
    const input = await connectionCheckInput(database.prisma, ring, created.id);
    expect(input?.scopeChangedAt).toBe(now.toISOString());
    expect(propagationRecheck({ checks: [{ code: "scope-propagating" }], scopeChangedAt: row.scopeChangedAt, now: minutes(1) })).toEqual(minutes(30));

    const audit = await database.prisma.auditEvent.findFirstOrThrow({ where: { action: "connection.scope-change", targetId: created.id }, select: { actorId: true, summary: true, ip: true } });
    expect(audit.actorId).toBe(admin.id);
    expect(audit.ip).toBe("203.0.113.9");
    expect(audit.summary).toContain("ran the scope assistant's RBAC for Applications script");
    expect(audit.summary).toContain("(scope mode all → rbac)");
    expect(audit.summary).not.toContain(secretConnectionInput("x").clientSecret);
  });

  it("keeps a check that is already due sooner, and names the step the admin ran", async () => {
    const created = await createConnection(database.prisma, ring, secretConnectionInput("Due soon", { clientId: randomUUID() }), context());
    await database.prisma.connection.update({ where: { id: created.id }, data: { nextCheckAt: minutes(5) }, select: { id: true } });
    await recordScopeChange(database.prisma, { connectionId: created.id, userId: admin.id, applied: "union-trap" }, context(), now);
    const row = await database.prisma.connection.findUniqueOrThrow({ where: { id: created.id }, select: { nextCheckAt: true } });
    expect(row.nextCheckAt).toEqual(minutes(5));
    const audit = await database.prisma.auditEvent.findFirstOrThrow({ where: { action: "connection.scope-change", targetId: created.id }, select: { summary: true } });
    expect(audit.summary).toContain("removed the tenant-wide Calendars.ReadWrite grant");
  });

  it("records it on the admin's draft when there is no connection yet", async () => {
    const user = await database.prisma.user.create({ data: { email: "drafting-admin@example.com", displayName: "Drafting", role: "admin" }, select: { id: true, email: true } });
    await expect(recordScopeChange(database.prisma, { userId: user.id, applied: "conversion" }, { actor: user }, now)).rejects.toThrow(UserFacingError);
    await startDraft(database.prisma, user.id, "global");
    await recordScopeChange(database.prisma, { userId: user.id, applied: "conversion" }, { actor: user }, now);
    const draft = await getDraft(database.prisma, user.id);
    expect(draft?.fields).toMatchObject({ scopeMode: "rbac", scopeChangedAt: now.toISOString() });
    const audit = await database.prisma.auditEvent.findFirstOrThrow({ where: { action: "wizard.scope-change", targetId: user.id }, select: { summary: true } });
    expect(audit.summary).toContain("converted the application access policy");
  });

  it("refuses an unknown connection and changes nothing", async () => {
    const before = await database.prisma.auditEvent.count();
    await expect(recordScopeChange(database.prisma, { connectionId: randomUUID(), userId: admin.id, applied: "script" }, context(), now)).rejects.toThrow(/no longer exists/);
    expect(await database.prisma.auditEvent.count()).toBe(before);
  });
});
