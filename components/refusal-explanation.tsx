import { whoLabels } from "@/components/check-list";
import { CopyButton } from "@/components/copy-button";
import type { RefusalView } from "@/lib/delegated/refusal-view";

/** Why a "connect my calendar" sign-in ended without a connection, and what to do next. */
export function RefusalExplanation({ refusal }: { refusal: RefusalView }) {
  const outcome = refusal.outcome;
  const reference = outcome?.correlationId ? `Microsoft correlation ID ${outcome.correlationId}${outcome.timestamp ? `, timestamp ${outcome.timestamp}` : ""}` : null;
  return (
    <section aria-labelledby="refusal-heading" className="space-y-3 rounded border border-amber-400 dark:border-amber-700 bg-amber-50 dark:bg-amber-950/60 p-4">
      <h2 id="refusal-heading" className="text-lg font-semibold">
        {refusal.title}
      </h2>
      <p>{refusal.explanation}</p>
      {outcome?.account && (
        <p className="text-sm">
          Signed in as <strong>{outcome.account}</strong>.
        </p>
      )}
      <p>
        <strong>What to do next:</strong> {refusal.nextStep}
      </p>
      <p className="text-sm">
        <strong>Who can fix it:</strong> {whoLabels[refusal.who]}.
      </p>
      {refusal.adminApproval && (
        <div className="space-y-2">
          <h3 className="font-semibold">Message for your administrator</h3>
          <pre className="whitespace-pre-wrap break-all rounded bg-surface p-3 text-sm" tabIndex={0} aria-label="Message for your administrator">
            {refusal.adminApproval.message}
          </pre>
          <p className="flex flex-wrap items-center gap-3">
            <CopyButton text={refusal.adminApproval.message} label="Copy the message" />
            <CopyButton text={refusal.adminApproval.url} label="Copy the approval link" />
          </p>
          <p className="text-sm">
            Administrators of {refusal.adminApproval.tenant} can approve directly: <a className="underline" href={refusal.adminApproval.url}>approve Calsync for the organisation</a>.
          </p>
        </div>
      )}
      {(refusal.code || reference) && (
        <p className="flex flex-wrap items-center gap-3 text-sm">
          <span>
            Code: <code>{refusal.code}</code>
            {outcome?.correlationId && (
              <>
                {" "}
                · correlation ID <code>{outcome.correlationId}</code>
              </>
            )}
            {outcome?.timestamp && (
              <>
                {" "}
                · <code>{outcome.timestamp}</code>
              </>
            )}
          </span>
          {reference && <CopyButton text={reference} label="Copy correlation ID and timestamp" />}
        </p>
      )}
      {outcome?.description && (
        <p className="text-sm text-fg-muted">
          Microsoft said: &ldquo;{outcome.description}&rdquo;
        </p>
      )}
    </section>
  );
}
