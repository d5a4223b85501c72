import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { z } from "zod";
import { ActionForm, Field } from "@/components/action-form";
import { ConsentHandOff } from "@/components/consent-hand-off";
import { FailureExplanation } from "@/components/failure-explanation";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { LiveChecklist } from "@/components/live-checklist";
import { ConnectLinkForm } from "@/components/connect-link-form";
import { deleteConnectionAction, rotateSecretAction, updateConnectionAction } from "@/app/connections/[id]/actions";
import { disconnectMailboxAction } from "@/app/connect/actions";
import { authorizePage } from "@/lib/auth/current-user";
import { blockedByConsent } from "@/lib/checks/one-cause";
import { getConnection } from "@/lib/connections/connections";
import { tenantNamesFor } from "@/lib/connections/tenant-names";
import { wizardConsentHandOff } from "@/lib/wizard/consent-hand-off";
import { EXPIRED_BY_MICROSOFT, secretExpiredByMicrosoft } from "@/lib/connections/secret-expiry";
import { pendingCertificate } from "@/lib/credentials/switch-to-certificate";
import { SwitchToCertificate } from "@/app/connections/[id]/switch-to-certificate";
import { ConnectionScopeAssistant } from "@/app/connections/scope-assistant-mount";
import { CertificateIds } from "@/app/connections/[id]/certificate-ids";
import { ScopeModeFields } from "@/components/scope-mode-fields";
import { scopeModeLabels } from "@/lib/connections/scope-mode";
import { scopeProof, scopeProofText } from "@/lib/monitoring/scope-proof";
import { getPrisma } from "@/lib/db/client";
import { getKeyRing } from "@/lib/crypto/key-store";
import { cloudName, resolveCloud } from "@/lib/entra/cloud-config";
import { getEnv } from "@/lib/env";
import { smtpFromEnv } from "@/lib/jobs/deliveries";
import { headlineCheck } from "@/lib/monitoring/check-runs";
import { getTimeline } from "@/lib/monitoring/timeline";
import { publicUrl } from "@/lib/public-url";
import { formatDateTime, formatLongDay, isMicrosoftErrorCode } from "@/lib/format";
import { checkIdSchema } from "@/lib/checks/schema";
import { skipTitles } from "@/lib/checks/check-kit";
import { errorLookupUrl, type Cloud } from "@/lib/entra/clouds";
import { StateBadge } from "@/components/ui/badge";
import { RelativeTime } from "@/components/ui/relative-time";
import { LinkedTabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { BarChart, stateSeriesClasses } from "@/components/ui/bar-chart";
import { CHART_DAYS, checkDurations, connectionHealthByDay } from "@/lib/monitoring/charts";
import { connectionStateLabels, connectionStates } from "@/lib/connections/state";

export const metadata: Metadata = { title: "Connection" };


const tabs = ["overview", "checks", "timeline", "settings"] as const;
const tabSchema = z.enum(tabs).catch("overview");
const tabLabels: Record<(typeof tabs)[number], string> = { overview: "Overview", checks: "Checks", timeline: "Timeline", settings: "Settings" };

function checkName(id: string | null): string {
  const parsed = checkIdSchema.safeParse(id);
  return parsed.success ? skipTitles[parsed.data] : "a check";
}

/** Microsoft's own codes stay on screen with their lookup link; the console's internal codes do not. */
function MicrosoftCode({ code, cloud }: { code: string | null; cloud: Cloud | undefined }) {
  if (!code || !isMicrosoftErrorCode(code)) return null;
  return (
    <>
      {" "}
      ({cloud && code.startsWith("AADSTS") ? <a href={errorLookupUrl(cloud, code)}>{code}</a> : code})
    </>
  );
}

export default async function ConnectionPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const user = await authorizePage("/connections/[id]", `/connections/${encodeURIComponent(id)}`);
  if (!z.uuid().safeParse(id).success) notFound();
  const db = await getPrisma();
  const connection = await getConnection(db, id);
  if (!connection) notFound();
  const [timeline, health, durations, tenantNames] = await Promise.all([
    getTimeline(db, id),
    connectionHealthByDay(db, id),
    checkDurations(db, id),
    tenantNamesFor(db, [connection.tenantId]),
  ]);
  const tenantDisplayName = tenantNames.get(connection.tenantId.toLowerCase());
  const headline = connection.lastReport ? headlineCheck(connection.lastReport) : undefined;
  const query = await searchParams;
  const tab = tabSchema.parse(query.tab);
  const isAdmin = user.role === "admin";
  const pending = isAdmin && connection.kind === "organization" ? await pendingCertificate(db, connection.id) : null;
  const cloud = resolveCloud(connection.cloud);
  const isMailbox = connection.kind === "mailbox";
  const expiredByMicrosoft = secretExpiredByMicrosoft(connection.lastReport);
  const handOff =
    !isMailbox && cloud && connection.lastReport && blockedByConsent(connection.lastReport)
      ? wizardConsentHandOff(
          { cloud, tenant: connection.tenant, clientId: connection.clientId, requester: `${user.displayName} (${user.email})` },
          // Only an administrator's link records the grant's time: helpdesk may pass the link on, not write to the connection.
          isAdmin ? { ring: getKeyRing(), target: { kind: "connection", id: connection.id } } : undefined,
        )
      : undefined;
  return (
    <div className="space-y-6">
      <header className="space-y-2">
        {query.saved && (
          <p role="status" className="rounded border border-green-300 dark:border-green-800 bg-green-50 dark:bg-green-950/60 p-2 text-sm">
            Saved. The sync engine can now use this connection.
          </p>
        )}
        <h1 className="text-2xl font-semibold tracking-tight">{connection.name}</h1>
        <p className="flex flex-wrap items-center gap-2 text-sm text-fg-muted">
          <span className="sr-only">State: </span>
          <StateBadge state={connection.state} />
          <span>
            since <RelativeTime date={connection.stateSince} />
          </span>
          {!isMailbox && (
            <span data-testid="scope-proof">
              · {scopeProofText(scopeProof(connection.scopeMode, connection.lastReport))}
              {connection.scopeMode !== "all" && ` · ${scopeModeLabels[connection.scopeMode]}`}
              {connection.scopeChangedAt && (
                <>
                  {" "}
                  · scope changed <RelativeTime date={connection.scopeChangedAt} />
                </>
              )}
            </span>
          )}
        </p>
      </header>

      <LinkedTabs defaultValue={tab}>
        <TabsList aria-label="Connection">
          {tabs.map((name) => (
            <TabsTrigger key={name} value={name}>
              {tabLabels[name]}
            </TabsTrigger>
          ))}
        </TabsList>

        <TabsContent value="overview" className="space-y-6">
          {headline && (
            <FailureExplanation
              check={headline}
              connectionName={connection.name}
              connectionUrl={`${publicUrl(getEnv())}/connections/${connection.id}`}
              {...(connection.owner ? { owner: `${connection.owner.displayName} (${connection.owner.email})` } : {})}
            />
          )}
          {handOff && (
            <section aria-label="Consent hand-off" className="space-y-2 rounded border border-amber-400 dark:border-amber-700 bg-amber-50 dark:bg-amber-950/60 p-4">
              <ConsentHandOff handOff={handOff} heading="Message for the administrator who grants consent" linkText="grant consent for Calsync" />
            </section>
          )}
          {query.switched === "1" && connection.credentialKind === "certificate" && (
            <p role="status" className="rounded border border-green-300 dark:border-green-800 bg-green-50 dark:bg-green-950/60 p-2 text-sm">
              Switched: the connection now signs in with the certificate. Delete the old client secret in Entra (Certificates &amp; secrets → Client
              secrets).
            </p>
          )}
          {expiredByMicrosoft && isAdmin && (
            <p className="text-sm">
              <a href={`/connections/${connection.id}?tab=settings&highlight=clientSecret#rotate-secret`} className="font-medium">
                Paste a new client secret
              </a>{" "}
              to replace the one Microsoft says has expired.
            </p>
          )}
          {isMailbox && connection.state === "needs_reauth" && (
            <p className="text-sm">
              Only the owner can repair this connection, by signing in with Microsoft again:{" "}
              <a href={`/connections/${connection.id}?tab=settings#reconnect`} className="font-medium">
                send them a reconnect link
              </a>
              .
            </p>
          )}

          <BarChart
            title={`Health over the last ${CHART_DAYS} days`}
            description="Check runs per day, coloured by the state each one found"
            series={connectionStates.map((state) => ({ key: state, label: connectionStateLabels[state], className: stateSeriesClasses[state]! }))}
            bars={health}
            unit="check runs"
          />

          <section className="space-y-2">
            <h2 className="text-lg font-semibold">Details</h2>
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 rounded-lg border border-line bg-surface p-4 text-sm [&_dd]:min-w-0 [&_dd]:wrap-anywhere">
              <dt className="font-medium">Kind</dt>
              <dd>{isMailbox ? "Single mailbox (the owner's Microsoft sign-in)" : "Organisation (app registration)"}</dd>
              {isMailbox && (
                <>
                  <dt className="font-medium">Account</dt>
                  <dd>{connection.accountUpn ?? "—"}</dd>
                  <dt className="font-medium">Owner</dt>
                  <dd>{connection.owner ? `${connection.owner.displayName} (${connection.owner.email})` : "No console account any more"}</dd>
                </>
              )}
              <dt className="font-medium">Cloud</dt>
              <dd>{cloudName(connection.cloud)}</dd>
              <dt className="font-medium">Tenant</dt>
              <dd>
                {tenantDisplayName && `${tenantDisplayName}: `}
                {connection.tenant}
                {connection.tenant !== connection.tenantId ? ` (${connection.tenantId})` : ""}
              </dd>
              <dt className="font-medium">Client ID</dt>
              <dd>{connection.clientId}</dd>
              {isMailbox ? (
                <>
                  <dt className="font-medium">Sign-in</dt>
                  <dd>saved Microsoft sign-in, sealed</dd>
                </>
              ) : connection.credentialKind === "certificate" ? (
                <>
                  <dt className="font-medium">Certificate</dt>
                  <dd>
                    {connection.certificateGenerated ? "made by Calsync Console" : "uploaded"}, SHA-256 thumbprint{" "}
                    <code className="break-all">{connection.certificateThumbprint}</code>
                    {connection.certificateExpiresAt ? `, expires on ${formatLongDay(connection.certificateExpiresAt)}` : ""}.{" "}
                    <a href={`/api/connections/${connection.id}/certificate?format=cer`} download>
                      Download (.cer)
                    </a>{" "}
                    <a href={`/api/connections/${connection.id}/certificate?format=pem`} download>
                      (.pem)
                    </a>
                  </dd>
                </>
              ) : (
                <>
                  <dt className="font-medium">Client secret</dt>
                  <dd>
                    {isAdmin && connection.secretHint ? `ends in …${connection.secretHint}` : "stored, sealed"}
                    {expiredByMicrosoft ? `, ${EXPIRED_BY_MICROSOFT}` : connection.secretExpiresAt ? `, expires on ${formatLongDay(connection.secretExpiresAt)}` : ""}
                  </dd>
                </>
              )}
              {connection.consentGrantedAt && (
                <>
                  <dt className="font-medium">Admin consent</dt>
                  <dd>given through Calsync on {formatDateTime(connection.consentGrantedAt)} UTC</dd>
                </>
              )}
              <dt className="font-medium">Mailboxes</dt>
              <dd>{connection.mailboxScope.kind === "list" ? connection.mailboxScope.mailboxes.join(", ") : "All users"}</dd>
              <dt className="font-medium">Test mailbox</dt>
              <dd>{connection.testMailbox ?? "the first user with a mailbox"}</dd>
              <dt className="font-medium">Out-of-scope mailbox</dt>
              <dd>{connection.outOfScopeMailbox ?? "—"}</dd>
              <dt className="font-medium">Write test</dt>
              <dd>{connection.writeTest ? "Yes" : "No"}</dd>
            </dl>
          </section>
        </TabsContent>

        <TabsContent value="checks" className="space-y-3">
          <h2 className="text-lg font-semibold">Checks</h2>
          <LiveChecklist endpoint={`/api/connections/${connection.id}/checks`} buttonLabel="Run checks now" initialReport={connection.lastReport} />
          {durations.length > 0 && (
            <BarChart
              title={`How long the last ${durations.length} check${durations.length === 1 ? "" : "s"} took`}
              series={[{ key: "duration", label: "Duration", className: "fill-blue-600 dark:fill-blue-400" }]}
              bars={durations}
              unit="ms"
              categoryLabel="Check started"
            />
          )}
        </TabsContent>

        <TabsContent value="timeline" className="space-y-3">
          <h2 className="text-lg font-semibold">Timeline</h2>
          {timeline.length === 0 ? (
            <p className="text-sm">Nothing has happened yet.</p>
          ) : (
            <ol className="space-y-2 text-sm" aria-label="Timeline, newest first">
              {timeline.map((entry) => (
                <li key={entry.id} className="rounded border border-line bg-surface p-2">
                  <span className="mr-2 font-mono text-xs text-fg-muted">{formatDateTime(entry.at)} UTC</span>
                  {entry.kind === "check" && (
                    <>
                      <strong>Check run</strong> ({entry.trigger}): {entry.ok ? "no check failed" : `failed: ${checkName(entry.failedCheck)}`}
                      <MicrosoftCode code={entry.code} cloud={cloud} /> · {entry.durationMs} ms
                    </>
                  )}
                  {entry.kind === "state" && (
                    <>
                      <strong>
                        State changed from {connectionStateLabels[entry.from]} to {connectionStateLabels[entry.to]}
                      </strong>
                      : {entry.cause}
                      <MicrosoftCode code={entry.code} cloud={cloud} />
                    </>
                  )}
                  {entry.kind === "engine" && (
                    <>
                      <strong>Sync engine reported {entry.outcome}</strong>
                      {entry.itemsSynced !== null ? `: ${entry.itemsSynced} synced` : ""}
                      {entry.itemsFailed ? `, ${entry.itemsFailed} failed` : ""}
                      <MicrosoftCode code={entry.errorCode} cloud={cloud} />
                      {entry.message ? ` — ${entry.message}` : ""}
                    </>
                  )}
                </li>
              ))}
            </ol>
          )}
        </TabsContent>

        <TabsContent value="settings" className="space-y-8">
          {isMailbox && (
            <section className="max-w-xl space-y-3">
              <h2 id="reconnect" className="text-lg font-semibold">Send a reconnect link</h2>
              <p className="text-sm text-fg-muted">
                Only the owner can repair a mailbox connection, by signing in with Microsoft again. The link leads them straight there; the connection keeps its
                ID, so the sync engine needs no change.
              </p>
              <ConnectLinkForm emailConfigured={smtpFromEnv() !== null} connectionId={connection.id} email={connection.owner?.email} />
            </section>
          )}
          {!isMailbox && !isAdmin && <p className="text-sm text-fg-muted">Only an administrator can change this connection&apos;s settings.</p>}

          {isAdmin && isMailbox && (
            <section className="max-w-xl space-y-3 rounded border border-red-300 dark:border-red-800 p-4">
              <h2 className="text-lg font-semibold">Disconnect this mailbox</h2>
              <p className="text-sm">The saved Microsoft sign-in is deleted and the sync engine loses access at once. The owner can connect it again.</p>
              <ConfirmDialog
                trigger="Disconnect this mailbox"
                triggerVariant="danger"
                title={`Disconnect ${connection.accountUpn ?? connection.name}?`}
                description="The saved Microsoft sign-in is deleted and the sync engine loses access at once."
                confirmLabel={`Disconnect ${connection.accountUpn ?? connection.name}`}
                action={disconnectMailboxAction}
                hidden={{ connectionId: connection.id }}
              />
            </section>
          )}

          {isAdmin && !isMailbox && (
            <>
              <section className="max-w-xl space-y-3">
                <h2 className="text-lg font-semibold">Edit settings</h2>
                <p className="text-sm text-fg-muted">Changes are verified with Microsoft before they are saved.</p>
                <ActionForm action={updateConnectionAction} submitLabel="Verify and save" submitVariant={expiredByMicrosoft ? "secondary" : "primary"} hidden={{ id: connection.id, version: String(connection.version) }}>
                  <Field name="name" label="Connection name" defaultValue={connection.name} />
                  <Field
                    name="mailboxScopeKind"
                    label="Mailboxes"
                    type="radio"
                    defaultValue={connection.mailboxScope.kind}
                    options={[
                      { value: "all", label: "All users" },
                      { value: "list", label: "Only the mailboxes listed below" },
                    ]}
                  />
                  <Field name="mailboxes" label="Mailboxes (one per line)" type="textarea" required={false} defaultValue={connection.mailboxScope.kind === "list" ? connection.mailboxScope.mailboxes.join("\n") : ""} />
                  <Field name="testMailbox" label="Test mailbox" type="email" required={false} defaultValue={connection.testMailbox ?? ""} />
                  <Field name="outOfScopeMailbox" label="Out-of-scope mailbox" type="email" required={false} defaultValue={connection.outOfScopeMailbox ?? ""} />
                  <Field name="secretExpiresAt" label="Secret expiry date" type="date" required={false} defaultValue={connection.secretExpiresAt?.toISOString().slice(0, 10) ?? ""} />
                  <Field name="writeTest" label="Include the write test" type="checkbox" defaultChecked={connection.writeTest} />
                  <ScopeModeFields mode={connection.scopeMode} />
                </ActionForm>
              </section>

              {connection.credentialKind === "secret" && <SwitchToCertificate connection={connection} pending={pending?.view ?? null} />}
              {connection.credentialKind === "certificate" && <CertificateIds connection={connection} />}

              <ConnectionScopeAssistant connectionId={connection.id} />

              <section className="max-w-xl space-y-3">
                <h2 id="rotate-secret" className="text-lg font-semibold">Rotate the client secret</h2>
                <p className="text-sm text-fg-muted">
                  Create a new secret in Certificates &amp; secrets and paste its Value here. It is verified first; only then does it replace the
                  current one. If the verification fails, the current secret stays in use.
                </p>
                {connection.secretHint && (
                  <p className="text-sm">
                    The current secret ends in …{connection.secretHint}
                    {expiredByMicrosoft ? `, ${EXPIRED_BY_MICROSOFT}` : connection.secretExpiresAt ? `, expires on ${formatLongDay(connection.secretExpiresAt)}` : ""}.
                  </p>
                )}
                <ActionForm
                  action={rotateSecretAction}
                  submitLabel="Verify and replace the secret"
                  submitVariant={expiredByMicrosoft ? "primary" : "secondary"}
                  hidden={{ id: connection.id, version: String(connection.version) }}
                >
                  <Field name="clientSecret" label="New client secret Value" type="password" autoComplete="off" highlight={query.highlight === "clientSecret"} />
                  <Field name="secretExpiresAt" label="New secret's expiry date" type="date" />
                </ActionForm>
              </section>

              <section className="max-w-xl space-y-3 rounded border border-red-300 dark:border-red-800 p-4">
                <h2 className="text-lg font-semibold">Delete this connection</h2>
                <p className="text-sm">The sync engine loses access at once, and the sealed secret is destroyed. The app registration in Entra ID stays; delete it there if you no longer need it.</p>
                <ConfirmDialog
                  trigger="Delete this connection"
                  triggerVariant="danger"
                  title={`Delete “${connection.name}”?`}
                  description="The sync engine loses access at once and the sealed secret is destroyed. This cannot be undone."
                  confirmLabel={`Delete “${connection.name}”`}
                  action={deleteConnectionAction}
                  hidden={{ id: connection.id }}
                  typeToConfirm={{ name: "confirmName", value: connection.name }}
                />
              </section>
            </>
          )}
        </TabsContent>
      </LinkedTabs>
    </div>
  );
}
