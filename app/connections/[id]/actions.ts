"use server";

import { redirect } from "next/navigation";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { ActionState } from "@/lib/action-state";
import { requestContext } from "@/lib/auth/current-user";
import { runAction } from "@/lib/auth/run-action";
import { connectionCheckInput, deleteConnection, getConnection, rotateConnectionSecret, updateConnectionSettings } from "@/lib/connections/connections";
import { deleteConnectionSchema, updateConnectionSchema } from "@/lib/connections/form-schemas";
import { verifyConnectionChange } from "@/lib/connections/verify-change";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";
import { UserFacingError } from "@/lib/errors";
import { isoDateSchema, isPastDate, splitMailboxList } from "@/lib/wizard/draft-fields";

export async function updateConnectionAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("updateConnectionAction", updateConnectionSchema, formData, async (values, caller) => {
    const db = await getPrisma();
    const mailboxScope = values.mailboxScopeKind === "list" ? { kind: "list" as const, mailboxes: splitMailboxList(values.mailboxes ?? "") } : { kind: "all" as const };
    const change = {
      name: values.name,
      mailboxScope,
      testMailbox: values.testMailbox || null,
      outOfScopeMailbox: values.outOfScopeMailbox || null,
      writeTest: values.writeTest === "on",
      secretExpiresAt: values.secretExpiresAt ? new Date(`${values.secretExpiresAt}T00:00:00Z`) : null,
    };
    const input = await connectionCheckInput(db, getKeyRing(), values.id, {
      mailboxScope,
      testMailbox: change.testMailbox ?? undefined,
      outOfScopeMailbox: change.outOfScopeMailbox ?? undefined,
      writeTest: change.writeTest,
    });
    if (!input) throw new UserFacingError("This connection no longer exists.");
    const { report } = await verifyConnectionChange(input);
    const { ip } = await requestContext();
    await updateConnectionSettings(db, values.id, values.version, change, report, { actor: caller, ip });
    revalidatePath(`/connections/${values.id}`);
    return { status: "success", message: "Saved and verified." };
  });
}

const rotateSchema = z.object({
  id: z.uuid(),
  version: z.coerce.number().int().min(1),
  clientSecret: z.string().min(1, { message: "Paste the new secret's Value" }).max(1000),
  secretExpiresAt: isoDateSchema,
});

export async function rotateSecretAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("rotateSecretAction", rotateSchema, formData, async (values, caller) => {
    if (isPastDate(values.secretExpiresAt)) {
      throw new UserFacingError("Check the highlighted fields.", { secretExpiresAt: `This secret expired on ${values.secretExpiresAt}. Create a new one.` });
    }
    const db = await getPrisma();
    const ring = getKeyRing();
    const input = await connectionCheckInput(db, ring, values.id, { clientSecret: values.clientSecret, writeTest: false });
    if (!input) throw new UserFacingError("This connection no longer exists.");
    const { report, cleanedSecret } = await verifyConnectionChange(input);
    const { ip } = await requestContext();
    await rotateConnectionSecret(
      db,
      ring,
      values.id,
      values.version,
      { clientSecret: cleanedSecret, secretExpiresAt: new Date(`${values.secretExpiresAt}T00:00:00Z`), report },
      { actor: caller, ip },
    );
    revalidatePath(`/connections/${values.id}`);
    return { status: "success", message: "The new secret verified and replaced the old one." };
  });
}

export async function deleteConnectionAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("deleteConnectionAction", deleteConnectionSchema, formData, async (values, caller) => {
    const db = await getPrisma();
    if (!(await getConnection(db, values.id))) throw new UserFacingError("This connection no longer exists.");
    const { ip } = await requestContext();
    const { name } = await deleteConnection(db, values.id, values.confirmName, { actor: caller, ip });
    redirect(`/connections?deleted=${encodeURIComponent(name)}`);
  });
}
