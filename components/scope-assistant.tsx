"use client";

import { useActionState, useState } from "react";
import { CopyButton } from "@/components/copy-button";
import { ActionForm, Field, FormStateProvider, SubmitButton } from "@/components/action-form";
import { Callout } from "@/components/ui/badge";
import { idleState, type ActionState } from "@/lib/action-state";
import { LEGACY_POLICY_NOTE, SCOPE_PROPAGATION_NOTE, scopeChangeOptions, UNION_TRAP_WARNING } from "@/lib/scoping/scope-notes";

type ScopeScriptAction = (state: ActionState, formData: FormData) => Promise<ActionState>;

export type ScopeAssistantDefaults = {
  /** Absent on the wizard's step: the action then uses the admin's draft. */
  connectionId?: string;
  servicePrincipalObjectId: string | null;
  testMailbox: string | null;
  outOfScopeMailbox: string | null;
};

/**
 * Writes the Exchange Online PowerShell that limits the app to a group's or an administrative unit's
 * mailboxes, for an admin to read and run. Self-contained, so a page only mounts it.
 */
export function ScopeAssistant({ action, recordAction, defaults }: { action: ScopeScriptAction; recordAction: ScopeScriptAction; defaults: ScopeAssistantDefaults }) {
  const [state, formAction] = useActionState(action, idleState);
  const script = state.status === "success" ? state.payload : undefined;
  // React resets a form after its action; the typed values become the defaults first, so they stay.
  const [typed, setTyped] = useState<Record<string, string>>({});
  return (
    <section aria-labelledby="scope-assistant-heading" className="space-y-4 rounded-lg border border-line bg-surface p-4">
      <header className="space-y-1">
        <h2 id="scope-assistant-heading" className="text-lg font-semibold">
          Scope assistant: limit the app to some mailboxes
        </h2>
        <p className="text-sm text-fg-muted">
          Generates the Exchange Online PowerShell for RBAC for Applications. {LEGACY_POLICY_NOTE}
        </p>
      </header>
      <Callout tone="warning" role="note" aria-label="The union trap">
        <strong>The union trap.</strong> {UNION_TRAP_WARNING}
      </Callout>

      <FormStateProvider state={state}>
        <form
          action={formAction}
          onSubmit={(event) => setTyped(Object.fromEntries([...new FormData(event.currentTarget)].map(([key, value]) => [key, String(value)])))}
          className="space-y-4"
          noValidate
        >
          {defaults.connectionId && <input type="hidden" name="connectionId" value={defaults.connectionId} />}
          <Field
            name="scopeKind"
            label="Which mailboxes may the app reach?"
            type="radio"
            defaultValue={typed.scopeKind ?? "group"}
            options={[
              { value: "group", label: "Members of a group", description: "A mail-enabled security group or distribution group; the script builds a management scope from its members." },
              { value: "administrative-unit", label: "Members of an administrative unit", description: "Microsoft recommends scoping the role assignment to the unit directly (needs Microsoft Entra ID P1)." },
            ]}
          />
          <Field name="scopeIdentity" label="Group or administrative unit" defaultValue={typed.scopeIdentity ?? ""} hint="The group's email address or name, or the administrative unit's name or Object ID" />
          <Field
            name="servicePrincipalObjectId"
            label="Enterprise application Object ID"
            defaultValue={typed.servicePrincipalObjectId ?? defaults.servicePrincipalObjectId ?? ""}
            hint={
              defaults.servicePrincipalObjectId
                ? "Filled in from the one-click registration."
                : "Enterprise applications → the app → Overview → Object ID. Not the app registration's Object ID, and not the client ID."
            }
          />
          <Field name="inScopeMailbox" label="A mailbox inside the scope" type="email" defaultValue={typed.inScopeMailbox ?? defaults.testMailbox ?? ""} hint="The script proves the app may reach it" />
          <Field name="outOfScopeMailbox" label="A mailbox outside the scope" type="email" defaultValue={typed.outOfScopeMailbox ?? defaults.outOfScopeMailbox ?? ""} hint="The script proves the app is refused here" />
          <Field name="convertLegacyPolicy" label="Also convert an existing application access policy for this app (and remove it)" type="checkbox" required={false} defaultChecked={typed.convertLegacyPolicy === "on"} />
          <div aria-live="polite" role="status">
            {state.status === "error" && <Callout tone="danger">{state.message}</Callout>}
            {state.status === "success" && <Callout tone="success">{state.message}</Callout>}
          </div>
          <SubmitButton label="Generate the script" variant="primary" />
        </form>
      </FormStateProvider>

      {script && (
        <div className="space-y-2">
          <div className="flex flex-wrap items-center justify-between gap-2">
            <h3 className="font-semibold">Exchange Online PowerShell</h3>
            <CopyButton text={script} label="Copy the script" />
          </div>
          <pre className="max-h-96 overflow-auto rounded bg-slate-900 p-3 text-xs text-slate-100" tabIndex={0} aria-label="Exchange Online PowerShell">
            {script}
          </pre>
          <Callout tone="info">{SCOPE_PROPAGATION_NOTE}</Callout>
          <RecordScopeChange action={recordAction} connectionId={defaults.connectionId} />
        </div>
      )}
    </section>
  );
}

/** Once the admin has run the script, the console records the change, so the probes wait for Exchange. */
function RecordScopeChange({ action, connectionId }: { action: ScopeScriptAction; connectionId: string | undefined }) {
  return (
    <section aria-label="Record the scope change" className="border-t border-line pt-3">
      <ActionForm action={action} submitLabel="Record the scope change" submitVariant="secondary" className="space-y-3" {...(connectionId ? { hidden: { connectionId } } : {})}>
        <Field name="applied" label="Ran it? Tell Calsync what you ran" type="radio" defaultValue="script" options={[...scopeChangeOptions]} />
      </ActionForm>
    </section>
  );
}
