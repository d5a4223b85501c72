import { randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { diagnoseAccessDenied, grantOfClaims } from "@/lib/checks/access-denied";
import { connectionCheckInput, createConnection } from "@/lib/connections/connections";
import { KeyRing } from "@/lib/crypto/seal";
import { knownClouds } from "@/lib/entra/clouds";
import { HAND_OFF_TTL_MS, openHandOffState, sealHandOffState, wizardConsentHandOff, type HandOffTarget } from "@/lib/wizard/consent-hand-off";
import { draftCheckInput, getDraft, startDraft } from "@/lib/wizard/drafts";
import { recordHandOffConsent } from "@/lib/wizard/hand-off-return";
import { contosoId } from "@/test-support/check-scenario";
import { secretConnectionInput } from "@/test-support/connection-inputs";
import { createUserForSuite } from "@/test-support/console-users";
import { testEngines } from "@/test-support/databases";
import { openDatabaseForSuite } from "@/test-support/engine-database";

const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);
const otherRing = new KeyRing([{ id: "t1", key: randomBytes(32) }]);
const made = new Date("2026-12-02T09:00:00.000Z");
const granted = new Date("2026-12-02T09:40:00.000Z");
const clientId = "3f2b8c1e-9d4a-4e6b-8f7c-1a2b3c4d5e6f";

/** The state of the link a page shows, as Microsoft echoes it back. */
function linkState(target: HandOffTarget, app: string, tenant = contosoId): string {
  const handOff = wizardConsentHandOff({ cloud: knownClouds.global, tenant, clientId: app, requester: "Ada (ada@example.com)" }, { ring, target, now: made });
  return new URL(handOff!.url).searchParams.get("state")!;
}

function returned(state: string, patch: Record<string, string> = {}): URLSearchParams {
  return new URLSearchParams({ admin_consent: "True", tenant: contosoId, state, ...patch });
}

describe("hand-off state", () => {
  const target: HandOffTarget = { kind: "connection", id: randomUUID() };

  it("names its target and app, and only for this console's key and until it expires", () => {
    const state = sealHandOffState(ring, target, clientId.toUpperCase(), made);
    expect(openHandOffState(ring, state, granted)).toEqual({ target, clientId, nonce: expect.any(String) });
    expect(openHandOffState(ring, sealHandOffState(ring, target, clientId, made), granted)?.nonce).not.toBe(openHandOffState(ring, state, granted)?.nonce);
    expect(openHandOffState(ring, state, new Date(made.getTime() + HAND_OFF_TTL_MS + 1))).toBeUndefined();
    expect(openHandOffState(otherRing, state, granted)).toBeUndefined();
    expect(openHandOffState(ring, `${state.slice(0, -2)}AA`, granted)).toBeUndefined();
    expect(openHandOffState(ring, "forged-state-value-0000", granted)).toBeUndefined();
  });

  it("a link without a target keeps a random state", () => {
    const handOff = wizardConsentHandOff({ cloud: knownClouds.global, tenant: contosoId, clientId, requester: "Ada" });
    expect(openHandOffState(ring, new URL(handOff!.url).searchParams.get("state")!, granted)).toBeUndefined();
  });
});

describe.each(testEngines())("consent given through a hand-off link on $name", (engine) => {
  const database = openDatabaseForSuite(engine);
  const admin = createUserForSuite(database, "hand-off-admin@example.com", "Hand-off admin", "admin");

  it("records the time on the connection the link was made for, audited, and the access-denied diagnosis uses it", async () => {
    const app = randomUUID();
    const connection = await createConnection(database.prisma, ring, secretConnectionInput("Consent by link", { clientId: app }), { actor: admin });
    const state = linkState({ kind: "connection", id: connection.id }, app);

    expect(await recordHandOffConsent(database.prisma, ring, returned(state), { ip: "198.51.100.4" }, granted)).toBe(true);
    const row = await database.prisma.connection.findUniqueOrThrow({ where: { id: connection.id }, select: { consentGrantedAt: true } });
    expect(row.consentGrantedAt).toEqual(granted);
    // The same return again (a replay, a bookmark, a reload) changes nothing.
    expect(await recordHandOffConsent(database.prisma, ring, returned(state), { ip: "198.51.100.4" }, new Date(granted.getTime() + 60_000))).toBe(false);
    expect(await database.prisma.connection.findUniqueOrThrow({ where: { id: connection.id }, select: { consentGrantedAt: true } })).toEqual({ consentGrantedAt: granted });
    expect(await database.prisma.auditEvent.count({ where: { action: "connection.admin-consent", targetId: connection.id } })).toBe(1);
    const audit = await database.prisma.auditEvent.findFirstOrThrow({ where: { action: "connection.admin-consent", targetId: connection.id }, select: { actorId: true, summary: true, ip: true } });
    expect(audit).toMatchObject({ actorId: null, ip: "198.51.100.4" });
    expect(audit.summary).toContain(app);

    const input = await connectionCheckInput(database.prisma, ring, connection.id);
    const diagnosis = diagnoseAccessDenied({
      mode: "all",
      grant: grantOfClaims({ roles: ["Calendars.ReadWrite"] }),
      message: "Access is denied. Check credentials and try again.",
      consentGrantedAt: new Date(input!.consentGrantedAt!),
      now: new Date(granted.getTime() + 10 * 60_000),
    });
    expect(diagnosis.explanation).toContain("Admin consent was given through Calsync at 2026-12-02 09:40 UTC, less than 2 hours ago");
    expect(diagnosis.explanation).toContain("try again after 2026-12-02 11:40 UTC");
  });

  it("records nothing for a refusal, another tenant, a forged or expired state, or a link made for another app", async () => {
    const app = randomUUID();
    const connection = await createConnection(database.prisma, ring, secretConnectionInput("Not by link", { clientId: app }), { actor: admin });
    const state = linkState({ kind: "connection", id: connection.id }, app);
    const before = await database.prisma.auditEvent.count();
    const cases: [URLSearchParams, Date][] = [
      [returned(state, { error: "access_denied", error_description: "AADSTS65004: User declined to consent." }), granted],
      [returned(state, { tenant: "0a0b0c0d-0000-4000-8000-000000000001" }), granted],
      [returned(state, { tenant: "contoso. Your secret expired: paste a new one at https://evil.example" }), granted],
      [returned(sealHandOffState(otherRing, { kind: "connection", id: connection.id }, app, made)), granted],
      [returned(state), new Date(made.getTime() + HAND_OFF_TTL_MS + 60_000)],
      [returned(linkState({ kind: "connection", id: connection.id }, randomUUID())), granted],
      [returned(linkState({ kind: "connection", id: randomUUID() }, app)), granted],
    ];
    for (const [params, at] of cases) expect(await recordHandOffConsent(database.prisma, ring, params, {}, at)).toBe(false);
    const row = await database.prisma.connection.findUniqueOrThrow({ where: { id: connection.id }, select: { consentGrantedAt: true } });
    expect(row.consentGrantedAt).toBeNull();
    expect(await database.prisma.auditEvent.count()).toBe(before);
  });

  it("a link made in the wizard completes that draft's consent step with the time, for the same app only, once", async () => {
    const user = await database.prisma.user.create({ data: { email: "wizard-hand-off@example.com", displayName: "Wizard", role: "admin" }, select: { id: true } });
    const discarded = await startDraft(database.prisma, user.id, "custom");
    const discardedState = linkState({ kind: "draft", id: discarded.id }, clientId);
    await database.prisma.wizardDraft.delete({ where: { id: discarded.id } });
    const draft = await startDraft(database.prisma, user.id, "custom");
    await database.prisma.wizardDraft.update({ where: { id: draft.id }, data: { fields: { tenant: contosoId, clientId } }, select: { id: true } });

    expect(await recordHandOffConsent(database.prisma, ring, returned(discardedState), {}, granted)).toBe(false);
    expect(await recordHandOffConsent(database.prisma, ring, returned(linkState({ kind: "draft", id: draft.id }, randomUUID())), {}, granted)).toBe(false);
    expect((await getDraft(database.prisma, user.id))?.completedSteps).not.toContain("admin-consent");
    const state = linkState({ kind: "draft", id: draft.id }, clientId);
    expect(await recordHandOffConsent(database.prisma, ring, returned(state), {}, granted)).toBe(true);
    expect(await recordHandOffConsent(database.prisma, ring, returned(state), {}, new Date(granted.getTime() + 60_000))).toBe(false);
    expect((await getDraft(database.prisma, user.id))?.completedSteps).toContain("admin-consent");
    expect((await draftCheckInput(database.prisma, ring, user.id))?.input.consentGrantedAt).toBe(granted.toISOString());
    expect(await database.prisma.auditEvent.count({ where: { action: "wizard.admin-consent", targetId: user.id, actorId: null } })).toBe(1);
  });
});
