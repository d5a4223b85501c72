import { ActionForm, Field } from "@/components/action-form";
import { saveConnectionAction } from "@/app/connections/new/actions";
import type { DraftView } from "@/lib/wizard/drafts";

/** Saving a verified draft; offered only once a verification of exactly the current settings passed. */
export function SaveConnectionForm({ draft }: { draft: DraftView }) {
  const report = draft.lastReport;
  if (!report || !draft.reportIsCurrent) {
    return <p className="text-sm text-fg-muted">Save becomes available once a verification of the current settings has no failed check.</p>;
  }
  if (!report.ok) return <p className="text-sm text-fg-muted">Fix the failed checks, then verify again to save.</p>;
  const warnings = report.checks.filter((check) => check.status === "warn").length;
  return (
    <ActionForm action={saveConnectionAction} submitLabel={warnings ? "Save with warnings" : "Save the connection"}>
      {warnings > 0 && (
        <Field name="confirmWarnings" label={`There ${warnings === 1 ? "is 1 warning" : `are ${warnings} warnings`}. Type “save with warnings” to save anyway.`} autoComplete="off" />
      )}
    </ActionForm>
  );
}
