import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyRing } from "@/lib/crypto/seal";
import type { Database } from "@/lib/db/client";
import { beginAdminConsent, completeAdminConsent, getDraft, saveDraftStep, startDraft } from "@/lib/wizard/drafts";
import { testEngines } from "@/test-support/databases";

const ring = new KeyRing([{ id: "t1", key: randomBytes(32) }]);

describe.each(testEngines())("wizard drafts on $name", (engine) => {
  let database: Database;
  let userId: string;
  beforeAll(async () => {
    database = await engine.open();
    ({ id: userId } = await database.prisma.user.create({ data: { email: "wizard@example.com", displayName: "W", role: "admin" }, select: { id: true } }));
  });
  afterAll(async () => {
    await database.close();
  });

  it("records the step to resume at when a step is saved, and never when the draft is read", async () => {
    await startDraft(database.prisma, userId, "global");
    const saved = await saveDraftStep(database.prisma, ring, { userId, step: "register-app", done: true, nextStep: "copy-ids" });
    expect(saved.currentStep).toBe("copy-ids");
    expect(saved.completedSteps).toEqual(["register-app"]);

    // Saved without "I have done this step": the admin is still at that step.
    const later = await saveDraftStep(database.prisma, ring, { userId, step: "copy-ids", done: false, nextStep: "mailbox-scope", fields: { name: "Contoso" } });
    expect(later.currentStep).toBe("copy-ids");

    const before = await database.prisma.wizardDraft.findUniqueOrThrow({ where: { userId }, select: { currentStep: true, version: true, updatedAt: true } });
    await getDraft(database.prisma, userId);
    await getDraft(database.prisma, userId);
    expect(await database.prisma.wizardDraft.findUniqueOrThrow({ where: { userId }, select: { currentStep: true, version: true, updatedAt: true } })).toEqual(before);
  });

  it("opens drafts saved before steps were merged, at the step that replaced theirs", async () => {
    await startDraft(database.prisma, userId, "global");
    await database.prisma.wizardDraft.update({
      where: { userId },
      data: { currentStep: "redirect-uri", completedSteps: ["register-app", "account-types", "no-such-step"] },
      select: { id: true },
    });
    const draft = await getDraft(database.prisma, userId);
    expect(draft?.currentStep).toBe("register-app");
    expect(draft?.completedSteps).toEqual(["register-app"]);
  });

  it("a granted consent from the console's link completes the consent step, once", async () => {
    await startDraft(database.prisma, userId, "global");
    await beginAdminConsent(database.prisma, userId, "state-value-0000000000000001");
    const granted = { outcome: "granted" as const, message: "Granted", at: new Date().toISOString() };
    expect(await completeAdminConsent(database.prisma, userId, "state-value-0000000000000001", granted)).toBe(true);
    expect((await getDraft(database.prisma, userId))?.completedSteps).toEqual(["admin-consent"]);
    expect(await completeAdminConsent(database.prisma, userId, "state-value-0000000000000001", granted)).toBe(false);

    await beginAdminConsent(database.prisma, userId, "state-value-0000000000000002");
    await saveDraftStep(database.prisma, ring, { userId, step: "admin-consent", done: false, nextStep: "mailbox-scope" });
    const denied = { outcome: "denied" as const, message: "Declined", at: new Date().toISOString() };
    expect(await completeAdminConsent(database.prisma, userId, "state-value-0000000000000002", denied)).toBe(true);
    expect((await getDraft(database.prisma, userId))?.completedSteps).toEqual([]);
  });
});
