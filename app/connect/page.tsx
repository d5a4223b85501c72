import type { Metadata } from "next";
import { StateBadge } from "@/components/ui/badge";
import { RelativeTime } from "@/components/ui/relative-time";
import { Table, TableBody, TableCard, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import Link from "next/link";
import { z } from "zod";
import { ActionForm, Field } from "@/components/action-form";
import { RefusalExplanation } from "@/components/refusal-explanation";
import { startConnectAction } from "@/app/connect/actions";
import { ConsentNotice } from "@/app/connect/consent-notice";
import { listConsentPredictions } from "@/lib/consent/store";
import { authorizePage } from "@/lib/auth/current-user";
import { type ConnectionState } from "@/lib/connections/state";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";
import { getDelegatedAppView } from "@/lib/delegated/delegated-app";
import { listOwnedMailboxes } from "@/lib/delegated/mailbox-connections";
import { refusalView } from "@/lib/delegated/refusal-view";

export const metadata: Metadata = { title: "Connect my calendar" };

const querySchema = z.object({
  // Our own codes, or a code the person read off Microsoft's page (AADSTS50020, access_denied, ...).
  refusal: z.string().trim().regex(/^[A-Za-z0-9_-]{2,60}$/).optional().catch(undefined),
  code: z.string().trim().toUpperCase().regex(/^(AADSTS)?\d{4,7}$/).optional().catch(undefined),
  disconnected: z.literal("1").optional().catch(undefined),
});

export default async function ConnectPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await authorizePage("/connect", "/connect");
  const query = querySchema.parse(await searchParams);
  const db = await getPrisma();
  const [app, mailboxes] = await Promise.all([getDelegatedAppView(db), listOwnedMailboxes(db, user.id)]);
  const lookedUp = query.code ? (query.code.startsWith("AADSTS") ? query.code : `AADSTS${query.code}`) : query.refusal;
  const refusal = lookedUp ? await refusalView(db, getKeyRing(), user, lookedUp) : null;
  const needsReauth = mailboxes.filter((mailbox) => mailbox.state === "needs_reauth");
  // Only a single-organisation app's prediction is the member's: others meet their own organisation's policy.
  const [prediction] = app?.audience === "organization" ? await listConsentPredictions(db, app.clientId) : [];

  return (
    <div className="space-y-8">
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold">Connect my calendar</h1>
        <p className="text-fg-muted">
          Sign in with your Microsoft 365 work account, as you would in Outlook, so the sync engine can keep your calendar in step. Calsync asks Microsoft
          for permission to read your profile and to read and write your calendar, and keeps the sign-in sealed on this server. It never sees your password.
        </p>
      </header>

      {query.disconnected && (
        <p role="status" className="rounded border border-green-300 dark:border-green-800 bg-green-50 dark:bg-green-950/60 p-2 text-sm">
          Disconnected. Calsync deleted your saved Microsoft sign-in and no longer reaches that calendar.
        </p>
      )}

      {needsReauth.map((mailbox) => (
        <section key={mailbox.id} aria-label={`Reconnect ${mailbox.accountUpn ?? mailbox.name}`} className="space-y-2 rounded border border-red-400 dark:border-red-700 bg-red-50 dark:bg-red-950/60 p-4">
          <h2 className="text-lg font-semibold">Reconnect {mailbox.accountUpn ?? mailbox.name}</h2>
          <p>Your Microsoft sign-in for this calendar has expired, so it is not being synchronised. Sign in again to reconnect it; nothing else changes.</p>
          <ActionForm action={startConnectAction} submitLabel={`Reconnect ${mailbox.accountUpn ?? mailbox.name}`} hidden={{ reconnectId: mailbox.id }} />
        </section>
      ))}

      {refusal && <RefusalExplanation refusal={refusal} />}

      {prediction && !refusal && <ConsentNotice prediction={prediction} />}

      {mailboxes.length > 0 && (
        <section className="space-y-2">
          <h2 className="text-lg font-semibold">My connected calendars</h2>
          <TableCard>
            <Table>
            <caption className="sr-only">My connected calendars</caption>
            <TableHead>
              <tr>
                <TableHeader>Account</TableHeader>
                <TableHeader>State</TableHeader>
                <TableHeader>Since</TableHeader>
                <TableHeader>Last checked</TableHeader>
              </tr>
            </TableHead>
            <TableBody>
              {mailboxes.map((mailbox) => (
                <TableRow key={mailbox.id}>
                  <TableCell label="Account">
                    <Link href={`/connect/${mailbox.id}`}>{mailbox.accountUpn ?? mailbox.name}</Link>
                  </TableCell>
                  <TableCell label="State"><StateBadge state={mailbox.state as ConnectionState} /></TableCell>
                  <TableCell label="Since"><RelativeTime date={mailbox.stateSince} /></TableCell>
                  <TableCell label="Last checked">{mailbox.lastCheckedAt ? <RelativeTime date={mailbox.lastCheckedAt} /> : "Never"}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          </TableCard>
        </section>
      )}

      <section className="max-w-xl space-y-3">
        <h2 className="text-lg font-semibold">{mailboxes.length > 0 ? "Connect another calendar" : "Connect your calendar"}</h2>
        {app ? (
          <ActionForm action={startConnectAction} submitLabel="Connect my Microsoft 365 calendar">
            <Field
              name="writeTest"
              type="checkbox"
              required={false}
              label="Also prove that Calsync can write: create a private test event in my calendar and delete it right away"
            />
          </ActionForm>
        ) : (
          <p className="rounded border border-line bg-surface-muted p-3 text-sm">
            Connecting a calendar is not set up on this console yet.{" "}
            {user.role === "admin" ? (
              <>
                Set up the <Link href="/settings/mailbox-sign-in">mailbox sign-in app</Link> first.
              </>
            ) : (
              "Ask an administrator to set up the mailbox sign-in app."
            )}
          </p>
        )}
      </section>

      <section className="max-w-xl space-y-2">
        <h2 className="text-lg font-semibold">Microsoft showed an error?</h2>
        <p className="text-sm text-fg-muted">
          Some refusals appear on Microsoft&apos;s own page and never come back here. Type the code it showed (for example AADSTS50020) to see what it means.
        </p>
        <form method="get" action="/connect" className="flex flex-wrap items-end gap-2">
          <div>
            <label htmlFor="lookup-code" className="block text-sm font-medium">
              Error code
            </label>
            <input id="lookup-code" name="code" defaultValue={query.code ?? ""} className="mt-1 rounded border border-line-strong px-3 py-2 text-sm" autoComplete="off" spellCheck={false} />
          </div>
          <button type="submit" className="rounded border border-line-strong bg-surface px-4 py-2 text-sm font-medium hover:bg-surface-muted focus:outline-none focus-visible:ring-2 focus-visible:ring-focus">
            Explain
          </button>
        </form>
      </section>
    </div>
  );
}
