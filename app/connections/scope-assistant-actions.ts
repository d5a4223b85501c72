"use server";

import type { ActionState } from "@/lib/action-state";
import { runAction } from "@/lib/auth/run-action";
import { getPrisma } from "@/lib/db/client";
import { UserFacingError } from "@/lib/errors";
import { connectionScopeContext, draftScopeContext, scopeAssistantFormSchema, scopeScriptFor, type ScopeAssistantContext } from "@/lib/scoping/scope-assistant";
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
