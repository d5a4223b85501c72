import Link from "next/link";
import { ConsentOutcomeBadge } from "@/components/consent-prediction";
import { Card, CardDescription, CardTitle } from "@/components/ui/card";
import { RelativeTime } from "@/components/ui/relative-time";
import { listConsentPredictions } from "@/lib/consent/store";
import { getPrisma } from "@/lib/db/client";
import { getDelegatedAppView } from "@/lib/delegated/delegated-app";

/**
 * The status board's note on members connecting their own mailbox: the stored consent pre-flight
 * answers, so the helpdesk knows before the first call whether people will need an administrator.
 * The page that renders it has already checked the caller.
 */
export async function ConsentStatusPanel() {
  const db = await getPrisma();
  const app = await getDelegatedAppView(db);
  if (!app) return null;
  const predictions = await listConsentPredictions(db, app.clientId);
  return (
    <Card aria-labelledby="consent-panel-heading" role="region">
      <CardTitle id="consent-panel-heading">Members connecting their own mailbox</CardTitle>
      {predictions.length === 0 ? (
        <CardDescription>
          Not checked yet. An administrator can run the consent pre-flight on <Link href="/settings/mailbox-sign-in">Mailbox sign-in</Link>.
        </CardDescription>
      ) : (
        <ul className="mt-2 space-y-2 text-sm">
          {predictions.map((prediction) => (
            <li key={prediction.tenantId} className="space-y-1">
              <ConsentOutcomeBadge outcome={prediction.outcome} />
              {prediction.reason && prediction.outcome !== "connect" && <p>Because {prediction.reason}.</p>}
              {prediction.evidence.workflow === "on" && prediction.evidence.reviewers.length > 0 && <p>Approval requests go to {prediction.evidence.reviewers.join(", ")}.</p>}
              <p className="text-fg-muted">
                Tenant <code className="break-all">{prediction.tenantId}</code>, checked <RelativeTime date={prediction.checkedAt} />
              </p>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
