import Link from "next/link";
import { ScopeAssistant } from "@/components/scope-assistant";
import { recordScopeChangeAction, scopeScriptAction } from "@/app/connections/scope-assistant-actions";
import { getPrisma } from "@/lib/db/client";
import { connectionScopeContext, draftScopeContext, type ScopeAssistantContext } from "@/lib/scoping/scope-assistant";
import type { DraftView } from "@/lib/wizard/drafts";

// Only what the form prefills goes to the browser.
function assistantDefaults(context: ScopeAssistantContext) {
  return { servicePrincipalObjectId: context.servicePrincipalObjectId, testMailbox: context.testMailbox, outOfScopeMailbox: context.outOfScopeMailbox };
}

/** The scope assistant on a connection's Settings tab; the page has already authorized an admin. */
export async function ConnectionScopeAssistant({ connectionId }: { connectionId: string }) {
  const context = await connectionScopeContext(await getPrisma(), connectionId);
  if (!context) return null;
  return (
    <div id="mailbox-scope" className="max-w-3xl">
      <ScopeAssistant action={scopeScriptAction} recordAction={recordScopeChangeAction} defaults={{ connectionId, ...assistantDefaults(context) }} />
    </div>
  );
}

/** The scope assistant on the wizard's mailbox-scope step, for the admin's own draft. */
export async function WizardScopeAssistant({ draft }: { draft: DraftView }) {
  const context = await draftScopeContext(await getPrisma(), draft);
  if (!context) {
    return (
      <p className="rounded border border-line bg-surface p-4 text-sm">
        To limit the app in Exchange Online, the scope assistant needs the tenant and client ID: fill in{" "}
        <Link href="/connections/new/copy-ids">Copy the IDs</Link> first.
      </p>
    );
  }
  return <ScopeAssistant action={scopeScriptAction} recordAction={recordScopeChangeAction} defaults={assistantDefaults(context)} />;
}
