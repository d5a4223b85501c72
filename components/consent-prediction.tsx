import { Badge, type Tone } from "@/components/ui/badge";
import { outcomeHeadlines, type ConsentOutcome } from "@/lib/consent/rules";
import type { StoredPrediction } from "@/lib/consent/store";
import { formatDateTime } from "@/lib/format";

const tones: Record<ConsentOutcome, Tone> = { connect: "success", approval: "warning", blocked: "danger" };

/** The short label the status board shows for a prediction. */
export function ConsentOutcomeBadge({ outcome }: { outcome: ConsentOutcome }) {
  return <Badge tone={tones[outcome]}>{outcomeHeadlines[outcome]}</Badge>;
}

/** The answer with its reason, and (for administrators) the evidence it rests on. */
export function ConsentPredictionView({ prediction, showEvidence = false }: { prediction: StoredPrediction; showEvidence?: boolean }) {
  const { evidence } = prediction;
  return (
    <div className="space-y-3">
      <p className="text-base font-semibold" data-testid="consent-outcome">
        {outcomeHeadlines[prediction.outcome]}
        {prediction.reason && prediction.outcome !== "connect" ? `, because ${prediction.reason}.` : "."}
      </p>
      {prediction.outcome === "connect" && prediction.reason && <p className="text-sm">Because {prediction.reason}.</p>}
      {prediction.details.length > 0 && (
        <ul className="list-disc space-y-1 pl-6 text-sm">
          {prediction.details.map((detail) => (
            <li key={detail}>{detail}</li>
          ))}
        </ul>
      )}
      {showEvidence && (
        <dl className="grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
          <dt className="font-medium">User consent policies</dt>
          <dd className="break-words">{evidence.policies.length > 0 ? evidence.policies.join(", ") : "None assigned: user consent is off"}</dd>
          <dt className="font-medium">Admin consent workflow</dt>
          <dd>{evidence.workflow === "on" ? `On${evidence.reviewers.length > 0 ? `; reviewers: ${evidence.reviewers.join(", ")}` : ""}` : "Off"}</dd>
          <dt className="font-medium">Granted for everyone</dt>
          <dd>{evidence.tenantWideScopes.length > 0 ? evidence.tenantWideScopes.join(" ") : "Nothing yet"}</dd>
          <dt className="font-medium">Enterprise application</dt>
          <dd>{evidence.enterpriseApp ? (evidence.assignmentRequired ? "Exists; assignment required" : "Exists; no assignment required") : "Not in this tenant yet"}</dd>
          <dt className="font-medium">Checked</dt>
          <dd>
            {formatDateTime(prediction.checkedAt)} UTC, tenant <code className="break-all">{prediction.tenantId}</code>
          </dd>
        </dl>
      )}
    </div>
  );
}
