import Link from "next/link";
import { ActionForm, Field } from "@/components/action-form";
import { Callout } from "@/components/ui/badge";
import { ConsentPredictionView } from "@/components/consent-prediction";
import { CopyField } from "@/components/ui/copy-field";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { grantTenantWideAction, runConsentPreflightAction, startConsentPreflightSignInAction } from "@/app/settings/mailbox-sign-in/actions";
import { tokenInstructions } from "@/lib/consent/preflight";
import { signInAppScopeValues } from "@/lib/consent/rules";
import type { StoredPrediction } from "@/lib/consent/store";
import type { Cloud } from "@/lib/entra/clouds";

/**
 * "Will people be able to connect?": the consent pre-flight with an administrator's token (from the
 * setup app sign-in, or pasted), its stored answers, and the fixes (the tenant-wide grant, or the
 * admin-consent link to send).
 */
export function ConsentPreflightSection({
  cloud,
  predictions,
  adminConsentLinks,
  setupAppCloud,
  signInNotice,
}: {
  cloud: Cloud;
  predictions: StoredPrediction[];
  adminConsentLinks: Record<string, string>;
  /** The setup app's cloud, by name; null when no setup app is set up. */
  setupAppCloud: string | null;
  signInNotice: { tone: "success" | "danger"; text: string } | undefined;
}) {
  const { connect, print } = tokenInstructions(cloud);
  return (
    <section className="max-w-3xl space-y-4" aria-labelledby="consent-heading">
      <h2 id="consent-heading" className="text-lg font-semibold">
        Will people be able to connect?
      </h2>
      <p className="text-sm text-fg-muted">
        Microsoft decides whether each person may approve {signInAppScopeValues.join(", ")} for the sign-in app themselves, from your organisation&apos;s consent
        settings. The pre-flight reads those settings with an administrator&apos;s token and tells you what people will meet, before anyone tries. It needs a token
        with Policy.Read.All: tokens from Azure CLI and Cloud Shell do not carry it. Use the setup app sign-in, or Microsoft Graph PowerShell:
      </p>
      {signInNotice && (
        <Callout tone={signInNotice.tone} role={signInNotice.tone === "danger" ? "alert" : "status"}>
          {signInNotice.text}
        </Callout>
      )}
      <div className="space-y-2">
        <h3 className="font-semibold">Sign in with Microsoft (setup app)</h3>
        {setupAppCloud ? (
          <>
            <p className="text-sm">
              Sign in as an administrator of your organisation through the setup app ({setupAppCloud}): its token carries Policy.Read.All. It is used for this
              pre-flight and its grant only, bound to you and to this sign-in app.
            </p>
            <ActionForm action={startConsentPreflightSignInAction} submitLabel="Sign in with Microsoft (setup app)" />
          </>
        ) : (
          <p className="text-sm">
            Signing in needs the setup app, and none is set up on this console: an administrator adds it once under{" "}
            <Link href="/settings/setup-app">Settings → Setup app</Link>. Until then, paste a token from Microsoft Graph PowerShell.
          </p>
        )}
      </div>
      <h3 className="font-semibold">Or paste a token from Microsoft Graph PowerShell</h3>
      <div className="space-y-2">
        <CopyField label="1. Connect with the scopes the pre-flight and the grant need" value={connect} />
        <CopyField label="2. Print the token" value={print} />
      </div>
      <p className="text-sm text-fg-muted">The token is used for this pre-flight and, for 15 minutes, for the grant below; it is sealed meanwhile, then deleted. It is never shown, logged or audited.</p>
      <ActionForm action={runConsentPreflightAction} submitLabel="Run the pre-flight">
        <Field name="token" type="textarea" label="Administrator's Microsoft Graph token" autoComplete="off" hint="The printed token: one long line of three parts separated by dots" />
      </ActionForm>

      {predictions.map((prediction) => (
        <div key={prediction.tenantId} className="space-y-3 rounded border border-line bg-surface p-4" aria-label={`Pre-flight for tenant ${prediction.tenantId}`} role="group">
          <ConsentPredictionView prediction={prediction} showEvidence />
          {prediction.outcome !== "connect" && (
            <div className="space-y-2 border-t border-line pt-3">
              <h3 className="font-semibold">Fix it</h3>
              {prediction.grantPossibleUntil ? (
                <ConfirmDialog
                  trigger="Grant for everyone in the organisation"
                  triggerVariant="primary"
                  title="Grant the sign-in app's permissions for everyone?"
                  description={`Every person in tenant ${prediction.tenantId} will be able to connect their own calendar through this sign-in app without being asked: Microsoft records a tenant-wide grant of ${signInAppScopeValues.join(", ")} to this app, for this app only. Each person's connection still reaches only their own mailbox. You can remove the grant later under Enterprise applications → Permissions.`}
                  confirmLabel="Grant for everyone"
                  action={grantTenantWideAction}
                  hidden={{ tenantId: prediction.tenantId }}
                />
              ) : (
                <p className="text-sm">To grant for everyone with one click, run the pre-flight again with a fresh token: the last one is no longer kept.</p>
              )}
              {adminConsentLinks[prediction.tenantId] && (
                <p className="text-sm">
                  Or send the admin-consent link to an administrator who may grant it (it also creates the app&apos;s enterprise application where it has none):{" "}
                  <a className="break-all underline" href={adminConsentLinks[prediction.tenantId]}>
                    admin-consent link
                  </a>
                  .
                </p>
              )}
            </div>
          )}
        </div>
      ))}
    </section>
  );
}
