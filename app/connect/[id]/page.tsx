import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { z } from "zod";
import { ActionForm } from "@/components/action-form";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { LiveChecklist } from "@/components/live-checklist";
import { disconnectMailboxAction, startConnectAction } from "@/app/connect/actions";
import { authorizePage } from "@/lib/auth/current-user";
import { getConnection } from "@/lib/connections/connections";
import { connectionStateLabels } from "@/lib/connections/state";
import { getPrisma } from "@/lib/db/client";
import { formatDateTime } from "@/lib/format";

export const metadata: Metadata = { title: "My calendar connection" };

export default async function MailboxConnectionPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const user = await authorizePage("/connect/[id]", `/connect/${encodeURIComponent(id)}`);
  if (!z.uuid().safeParse(id).success) notFound();
  const db = await getPrisma();
  const connection = await getConnection(db, id);
  if (!connection || connection.kind !== "mailbox" || connection.owner?.id !== user.id) {
    // Staff look at other people's connections on the connection page; members learn nothing.
    if (connection && user.role !== "member") redirect(`/connections/${id}`);
    notFound();
  }
  const query = await searchParams;
  const verify = query.verify === "1";
  const again = query.reconnected === "1";
  // After the checks, the address drops `verify`: the banner then says what happened, not that checks are running.
  const doneHref = `/connect/${connection.id}?${again ? "reconnected" : "connected"}=1`;
  const connected = verify || query.connected === "1" || (again && !verify);
  return (
    <div className="space-y-8">
      <header className="space-y-2">
        {connected && (
          <p role="status" className="rounded border border-green-300 dark:border-green-800 bg-green-50 dark:bg-green-950/60 p-2 text-sm">
            {again ? "Reconnected" : "Connected"} {connection.accountUpn}.{verify ? " Calsync is now checking that it can reach your calendar." : ""}
          </p>
        )}
        <p className="text-sm">
          <Link href="/connect">← My calendars</Link>
        </p>
        <h1 className="text-2xl font-semibold">{connection.accountUpn ?? connection.name}</h1>
        <p>
          State: <strong>{connectionStateLabels[connection.state]}</strong> since {formatDateTime(connection.stateSince)} UTC
        </p>
      </header>

      {connection.state === "needs_reauth" && (
        <section aria-label="Reconnect" className="space-y-2 rounded border border-red-400 dark:border-red-700 bg-red-50 dark:bg-red-950/60 p-4">
          <h2 className="text-lg font-semibold">Sign in again to reconnect</h2>
          <p>Your saved Microsoft sign-in no longer works, so this calendar is not being synchronised. Reconnecting keeps everything else as it is.</p>
          <ActionForm action={startConnectAction} submitLabel="Reconnect" hidden={{ reconnectId: connection.id }} />
        </section>
      )}

      <section className="space-y-3" aria-labelledby="checks-heading">
        <h2 id="checks-heading" className="text-lg font-semibold">
          Checks
        </h2>
        <LiveChecklist endpoint={`/api/connections/${connection.id}/checks`} buttonLabel="Run checks now" initialReport={verify ? null : connection.lastReport} autoStart={verify} doneHref={verify ? doneHref : undefined} />
      </section>

      <section className="max-w-xl space-y-2">
        <h2 className="text-lg font-semibold">Disconnect</h2>
        <p className="text-sm text-fg-muted">Calsync deletes your saved Microsoft sign-in and stops synchronising this calendar. You can connect it again at any time.</p>
        <ConfirmDialog
          trigger="Disconnect this calendar"
          triggerVariant="danger"
          title={`Disconnect ${connection.accountUpn ?? connection.name}?`}
          description="Calsync deletes your saved Microsoft sign-in and stops synchronising this calendar at once."
          confirmLabel="Disconnect"
          action={disconnectMailboxAction}
          hidden={{ connectionId: connection.id }}
        />
      </section>
    </div>
  );
}
