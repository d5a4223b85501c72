import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyRing } from "@/lib/crypto/seal";
import type { Database } from "@/lib/db/client";
import { getDraft, saveDraftStep, startDraft } from "@/lib/wizard/drafts";
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
    const saved = await saveDraftStep(database.prisma, ring, { userId, step: "register-app", done: true, nextStep: "account-types" });
    expect(saved.currentStep).toBe("account-types");
    expect(saved.completedSteps).toEqual(["register-app"]);

    // Saved without "I have done this step": the admin is still at that step.
    const later = await saveDraftStep(database.prisma, ring, { userId, step: "copy-ids", done: false, nextStep: "mailbox-scope", fields: { name: "Contoso" } });
    expect(later.currentStep).toBe("copy-ids");

    const before = await database.prisma.wizardDraft.findUniqueOrThrow({ where: { userId }, select: { currentStep: true, version: true, updatedAt: true } });
    await getDraft(database.prisma, userId);
    await getDraft(database.prisma, userId);
    expect(await database.prisma.wizardDraft.findUniqueOrThrow({ where: { userId }, select: { currentStep: true, version: true, updatedAt: true } })).toEqual(before);
  });
});
