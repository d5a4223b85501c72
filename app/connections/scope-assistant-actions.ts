"use server";

import { revalidatePath } from "next/cache";
import type { ActionState } from "@/lib/action-state";
import { requestContext } from "@/lib/auth/current-user";
import { runAction } from "@/lib/auth/run-action";
import { getPrisma } from "@/lib/db/client";
import { UserFacingError } from "@/lib/errors";
import { connectionScopeContext, draftScopeContext, scopeAssistantFormSchema, scopeScriptFor, type ScopeAssistantContext } from "@/lib/scoping/scope-assistant";
import { recordScopeChange, recordScopeChangeSchema, scopeChangeMessage } from "@/lib/scoping/scope-change";
import { getDraft } from "@/lib/wizard/drafts";

/**
 * The scope assistant on a connection's page (with its id) and on the wizard's mailbox-scope step
 * (without one: the caller's own draft). It only writes text; nothing is stored or sent to Microsoft.
 */
export async function scopeScriptAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("scopeScriptAction", scopeAssistantFormSchema, formData, async (values, caller) => {
    const db = await getPrisma();
    let context: ScopeAssistantContext | null;
    if (values.connectionId) {
      context = await connectionScopeContext(db, values.connectionId);
      if (!context) throw new UserFacingError("This connection no longer exists, or it is a single mailbox, which needs no Exchange scope.");
    } else {
      const draft = await getDraft(db, caller.id);
      if (!draft) throw new UserFacingError("Start a new connection first: the script needs its client ID.");
      context = await draftScopeContext(db, draft);
      if (!context) throw new UserFacingError("Fill in the tenant and the Application (client) ID on Copy the IDs first: the script needs them.");
    }
    const script = scopeScriptFor(context, values);
    return { status: "success", message: "The script is ready below. Read it, then run it in PowerShell as an Exchange administrator.", payload: script };
  });
}

/** "I ran it": the console records the scope change itself, for the connection or the caller's draft. */
export async function recordScopeChangeAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("recordScopeChangeAction", recordScopeChangeSchema, formData, async (values, caller) => {
    const { ip } = await requestContext();
    const recorded = await recordScopeChange(await getPrisma(), { connectionId: values.connectionId || undefined, userId: caller.id, applied: values.applied }, { actor: { id: caller.id, email: caller.email }, ip });
    revalidatePath(values.connectionId ? `/connections/${values.connectionId}` : "/connections/new/mailbox-scope");
    return { status: "success", message: scopeChangeMessage(recorded) };
  });
}
