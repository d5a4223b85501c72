import { Field } from "@/components/action-form";
import type { ScopeMode } from "@/lib/checks/schema";
import { scopeChangeOptions, scopeModeOptions } from "@/lib/connections/scope-mode";

/** The scope mode and "I changed the scope at …", shared by the wizard's mailbox-scope step and a connection's settings. */
export function ScopeModeFields({ mode, highlight }: { mode: ScopeMode; highlight?: string | undefined }) {
  return (
    <>
      <Field name="scopeMode" label="How is the app limited in Exchange Online?" type="radio" defaultValue={mode} highlight={highlight === "scopeMode"} options={scopeModeOptions} />
      <Field name="scopeChange" label="Scope changes" type="radio" defaultValue="none" options={scopeChangeOptions} hint="Exchange applies scope changes within 2 hours; until then a failing probe shows as propagating" />
      <Field name="scopeChangedAt" label="Scope changed at (UTC)" type="datetime-local" required={false} highlight={highlight === "scopeChangedAt"} />
    </>
  );
}
