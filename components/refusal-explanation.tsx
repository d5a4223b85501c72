import { ConsentHandOff } from "@/components/consent-hand-off";
import { CopyButton } from "@/components/copy-button";
import { whoLabel } from "@/lib/checks/fix-roles";
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
        <strong>Who can fix it:</strong> {whoLabel(refusal.who)}.
      </p>
      {refusal.adminApproval && <ConsentHandOff handOff={refusal.adminApproval} heading="Message for your administrator" linkText="approve Calsync for the organisation" />}
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
