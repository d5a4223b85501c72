import type { StoredPrediction } from "@/lib/consent/store";

/**
 * What the last consent pre-flight predicts for the person about to connect, before they meet
 * Microsoft's page: whom to ask when their organisation requires approval.
 */
export function ConsentNotice({ prediction }: { prediction: StoredPrediction }) {
  if (prediction.outcome === "connect") return null;
  const { reviewers, workflow } = prediction.evidence;
  return (
    <section aria-labelledby="consent-notice-heading" className="max-w-xl space-y-2 rounded border border-amber-400 bg-amber-50 p-4 text-sm dark:border-amber-700 dark:bg-amber-950/60">
      <h2 id="consent-notice-heading" className="text-base font-semibold">
        {prediction.outcome === "approval" ? "Your organisation requires approval: here is who to ask" : "Your organisation lets only assigned people connect"}
      </h2>
      {prediction.outcome === "approval" ? (
        <p>
          Microsoft will show “Need admin approval” when you connect, because your organisation does not let people approve Calsync by themselves.{" "}
          {workflow === "on"
            ? `In Microsoft's window, choose Request approval and say why you need it${reviewers.length > 0 ? `: ${reviewers.join(", ")} review${reviewers.length === 1 ? "s" : ""} the requests` : ""}. Connect again once it is approved.`
            : "Microsoft's window has no way to ask, so ask an administrator of this console to grant Calsync for everyone, then connect again."}
        </p>
      ) : (
        <p>Microsoft refuses people who are not assigned to the sign-in app. Ask an administrator to assign you to it (Enterprise applications → Users and groups), then connect.</p>
      )}
    </section>
  );
}
