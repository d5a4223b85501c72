import Link from "next/link";
import { redirect } from "next/navigation";
import { Building2, CheckCircle2 } from "lucide-react";
import { authorizePage, getCurrentUser } from "@/lib/auth/current-user";
import { roleDescriptions, roleLabels } from "@/lib/auth/roles";
import { hasAdministrator } from "@/lib/auth/setup";
import { EXPIRED_BY_MICROSOFT } from "@/lib/connections/secret-expiry";
import { connectionStateLabels, connectionStates, type ConnectionState } from "@/lib/connections/state";
import { getPrisma } from "@/lib/db/client";
import { listOwnedMailboxes } from "@/lib/delegated/mailbox-connections";
import { formatDay } from "@/lib/format";
import { getDashboard, type AttentionGroup, type AttentionReason } from "@/lib/monitoring/dashboard";
import { EXPIRY_WEEKS, secretExpiryByWeek } from "@/lib/monitoring/charts";
import { BarChart } from "@/components/ui/bar-chart";
import { EXPIRY_WINDOW_DAYS, statusFilterSchema, statusHref } from "@/lib/monitoring/status";
import { Badge, Callout, StateBadge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { RelativeTime } from "@/components/ui/relative-time";
import type { SessionUser } from "@/lib/auth/sessions";

const reasonTitles: Record<AttentionReason, string> = {
  failing: "Failing connections",
  needs_reauth: "Mailboxes needing re-authentication",
  expiring: `Secrets expiring within ${EXPIRY_WINDOW_DAYS} days`,
};

const boardFilters: Record<AttentionReason, Record<string, string>> = {
  failing: { state: "failing" },
  needs_reauth: { state: "needs_reauth" },
  expiring: { expiring: "30" },
};

function boardLink(change: Record<string, string>): string {
  return statusHref(statusFilterSchema.parse({}), change);
}

function actionHref(reason: AttentionReason, connectionId: string): string {
  return reason === "expiring" ? `/connections/${connectionId}?tab=settings&highlight=clientSecret#rotate-secret` : `/connections/${connectionId}`;
}

function AttentionList({ group }: { group: AttentionGroup }) {
  return (
    <section aria-labelledby={`attention-${group.reason}`} className="space-y-2">
      <h3 id={`attention-${group.reason}`} className="text-sm font-semibold">
        {reasonTitles[group.reason]} ({group.total})
      </h3>
      <ul className="divide-y divide-line rounded-lg border border-line bg-surface">
        {group.rows.map((row) => (
          <li key={row.id} className="flex flex-col gap-1 p-3 text-sm sm:flex-row sm:items-center sm:justify-between sm:gap-4">
            <span className="min-w-0">
              <Link href={`/connections/${row.id}`} className="font-medium">
                {row.name}
              </Link>
              <span className="block text-xs text-fg-muted">
                {group.reason === "expiring" ? (
                  row.secretExpiredByMicrosoft ? (
                    EXPIRED_BY_MICROSOFT
                  ) : (
                    <>Secret expires on {row.secretExpiresAt ? formatDay(row.secretExpiresAt) : "—"}</>
                  )
                ) : (
                  <>
                    {connectionStateLabels[row.state]} since <RelativeTime date={row.stateSince} />
                  </>
                )}
              </span>
            </span>
            <Link href={actionHref(group.reason, row.id)} className="text-sm sm:max-w-md sm:text-right">
              {row.nextStep}
            </Link>
          </li>
        ))}
      </ul>
      {group.total > group.rows.length && (
        <p className="text-sm">
          <Link href={boardLink(boardFilters[group.reason])}>See all {group.total} on the status board</Link>
        </p>
      )}
    </section>
  );
}

async function StaffDashboard({ user, welcome }: { user: SessionUser; welcome: boolean }) {
  const db = await getPrisma();
  const [{ tiles, attention, recentChecks }, expiry] = await Promise.all([getDashboard(db), secretExpiryByWeek(db)]);
  const isAdmin = user.role === "admin";
  return (
    <div className="space-y-8">
      {welcome && isAdmin && (
        <Callout tone="success" role="status">
          The console is yours. <Link href="/users">Invite your colleagues</Link> when you are ready.
        </Callout>
      )}
      <PageHeader
        title="Home"
        description={`Signed in as ${user.displayName} (${roleLabels[user.role]}).`}
        actions={isAdmin && tiles.total > 0 ? <ButtonLink href="/connections/new" variant="secondary">New connection</ButtonLink> : undefined}
      />

      {tiles.total === 0 ? (
        <EmptyState
          icon={Building2}
          title="No connections yet"
          description={
            isAdmin
              ? "Connect your organisation's calendars: the console walks you through the app registration in Microsoft Entra ID and checks it before saving."
              : "Connections appear here once an administrator has set one up."
          }
          action={
            isAdmin ? (
              <ButtonLink href="/connections/new" variant="primary">
                Connect your Microsoft 365 organisation
              </ButtonLink>
            ) : undefined
          }
        />
      ) : (
        <>
          <section aria-labelledby="counts" className="space-y-3">
            <h2 id="counts" className="text-lg font-semibold">
              Connections
            </h2>
            <ul className="flex flex-wrap gap-2" aria-label="Connections by state">
              {connectionStates.map((state) => (
                <li key={state}>
                  <Link
                    href={boardLink({ state })}
                    className="inline-flex items-center gap-2 rounded-md border border-line bg-surface px-2 py-1.5 text-sm text-fg no-underline hover:bg-surface-muted"
                  >
                    <StateBadge state={state} />
                    <span className="font-semibold">{tiles[state]}</span>
                  </Link>
                </li>
              ))}
              <li>
                <Link
                  href={boardLink({ expiring: "30" })}
                  className="inline-flex items-center gap-2 rounded-md border border-line bg-surface px-2 py-1.5 text-sm text-fg no-underline hover:bg-surface-muted"
                >
                  <Badge tone="warning">Secret expires within {EXPIRY_WINDOW_DAYS} days</Badge>
                  <span className="font-semibold">{tiles.expiringSoon}</span>
                </Link>
              </li>
            </ul>
          </section>

          <section aria-labelledby="attention" className="space-y-4">
            <h2 id="attention" className="text-lg font-semibold">
              Needs attention now
            </h2>
            {attention.length === 0 ? (
              <p className="flex items-center gap-2 text-sm">
                <CheckCircle2 aria-hidden="true" className="size-4 text-green-700 dark:text-green-400" />
                Nothing needs attention: no connection is failing, no mailbox needs signing in again, no secret expires within {EXPIRY_WINDOW_DAYS} days.
              </p>
            ) : (
              attention.map((group) => <AttentionList key={group.reason} group={group} />)
            )}
          </section>

          {expiry.some((point) => (point.values.secrets ?? 0) > 0) && (
            <BarChart
              title={`Client secrets expiring in the next ${EXPIRY_WEEKS} weeks`}
              description="Secrets by the week they expire in; the first bar is those already past their date"
              series={[{ key: "secrets", label: "Secrets", className: "fill-orange-500 dark:fill-orange-400" }]}
              bars={expiry}
              unit="secrets"
              categoryLabel="Week"
            />
          )}

          <Card className="space-y-3">
            <CardTitle>Last checks</CardTitle>
            {recentChecks.length === 0 ? (
              <p className="text-sm text-fg-muted">No check has run yet.</p>
            ) : (
              <ol className="divide-y divide-line text-sm" aria-label="Last checks, newest first">
                {recentChecks.map((check) => (
                  <li key={check.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                    <span className="min-w-0">
                      <Link href={`/connections/${check.connectionId}?tab=checks`} className="font-medium">
                        {check.name}
                      </Link>{" "}
                      <span className="text-fg-muted">
                        · <RelativeTime date={check.at} /> · {check.durationMs} ms
                      </span>
                    </span>
                    <StateBadge state={check.state} />
                  </li>
                ))}
              </ol>
            )}
            <p className="text-sm">
              <Link href="/status">Open the status board</Link>
            </p>
          </Card>
        </>
      )}
    </div>
  );
}

async function MemberHome({ user }: { user: SessionUser }) {
  const mailboxes = await listOwnedMailboxes(await getPrisma(), user.id);
  const expired = mailboxes.filter((mailbox) => mailbox.state === "needs_reauth");
  return (
    <div className="space-y-6">
      {expired.length > 0 && (
        <div role="alert" className="rounded border border-red-400 dark:border-red-700 bg-red-50 dark:bg-red-950/60 p-3">
          Your calendar {expired.map((mailbox) => mailbox.accountUpn ?? mailbox.name).join(", ")} is no longer synchronised: your Microsoft sign-in expired.{" "}
          <Link href="/connect">Reconnect it</Link>.
        </div>
      )}
      <PageHeader title={`Welcome, ${user.displayName}`} description={`You are signed in as ${roleLabels[user.role]}. ${roleDescriptions[user.role]}`} />
      {mailboxes.length === 0 ? (
        <EmptyState
          icon={Building2}
          title="Your calendar is not connected yet"
          description="Sign in with your Microsoft 365 account once; the console checks that the sync engine can read your calendar."
          action={
            <ButtonLink href="/connect" variant="primary">
              Connect my Microsoft 365 calendar
            </ButtonLink>
          }
        />
      ) : (
        <Card className="space-y-3">
          <CardTitle>Your calendars</CardTitle>
          <ul className="divide-y divide-line text-sm">
            {mailboxes.map((mailbox) => (
              <li key={mailbox.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                <Link href={`/connect/${mailbox.id}`}>{mailbox.accountUpn ?? mailbox.name}</Link>
                <StateBadge state={mailbox.state as ConnectionState} />
              </li>
            ))}
          </ul>
        </Card>
      )}
      <p className="text-sm">
        <Link href="/account">Change your password</Link>
      </p>
    </div>
  );
}

export default async function HomePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  // Before the console is claimed, everyone who arrives is sent to the setup page.
  if (!(await getCurrentUser()) && !(await hasAdministrator(await getPrisma()))) redirect("/setup");
  const user = await authorizePage("/", "/");
  const welcome = (await searchParams).welcome === "1";
  return user.role === "member" ? <MemberHome user={user} /> : <StaffDashboard user={user} welcome={welcome} />;
}
