import type { Metadata } from "next";
import { Table, TableBody, TableCard, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { ActionForm, Field } from "@/components/action-form";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { createNotificationChannelAction, deleteNotificationChannelAction, testNotificationChannelAction } from "@/app/settings/notifications/actions";
import { authorizePage } from "@/lib/auth/current-user";
import { getPrisma } from "@/lib/db/client";
import { channelKindLabels, channelKinds, smtpMissingMessage } from "@/lib/jobs/channel-schemas";
import { smtpFromEnv } from "@/lib/jobs/deliveries";
import { listNotificationChannels, type ChannelView } from "@/lib/jobs/notification-channels";
import { formatDateTime } from "@/lib/format";

export const metadata: Metadata = { title: "Alerts" };

const kindOptions = channelKinds.map((kind) => ({ value: kind, label: channelKindLabels[kind] }));

function firesOn(channel: ChannelView): string {
  return [channel.onStateChange ? "State changes" : null, channel.onExpiry ? "Secret expiry" : null].filter(Boolean).join(", ") || "Nothing";
}

function lastDelivery(channel: ChannelView): string {
  const last = channel.lastDelivery;
  if (!last) return "Nothing sent yet";
  const when = formatDateTime(last.at);
  if (last.status === "delivered") return `Delivered ${when}`;
  if (last.status === "failed") return `Failed after ${last.attempts} attempt${last.attempts === 1 ? "" : "s"}: ${last.lastError ?? "unknown error"}`;
  return last.attempts === 0 ? `Queued ${when}` : `Retrying (attempt ${last.attempts} failed: ${last.lastError ?? "unknown error"})`;
}

export default async function NotificationsPage() {
  await authorizePage("/settings/notifications", "/settings/notifications");
  const channels = await listNotificationChannels(await getPrisma());
  const smtpConfigured = smtpFromEnv() !== null;
  return (
    <div className="space-y-10">
      <section className="space-y-4">
        <h1 className="text-2xl font-semibold">Alerts</h1>
        <p className="text-sm text-fg-muted">
          Alerts go out when a connection changes state (one alert per change, not per check) and 30, 14, 7 and 1 days before a client secret expires.
          Webhooks receive signed JSON: verify <code>X-Calsync-Signature</code> (<code>sha256=</code> HMAC-SHA256 of{" "}
          <code>X-Calsync-Timestamp + &quot;.&quot; + body</code>) with the channel&apos;s signing secret. Failed deliveries are retried five times over about
          an hour.
        </p>
        {channels.length === 0 ? (
          <p className="text-sm text-fg-muted">No channels yet: nobody is alerted. Add one below.</p>
        ) : (
          <TableCard>
            <Table>
            <caption className="sr-only">Alert channels</caption>
            <TableHead>
              <tr>
                <TableHeader>Name</TableHeader>
                <TableHeader>Kind</TableHeader>
                <TableHeader>Target</TableHeader>
                <TableHeader>Fires on</TableHeader>
                <TableHeader>Enabled</TableHeader>
                <TableHeader>Last delivery (UTC)</TableHeader>
                <TableHeader>Actions</TableHeader>
              </tr>
            </TableHead>
            <TableBody>
              {channels.map((channel) => (
                <TableRow key={channel.id}>
                  <TableCell label="Name">{channel.name}</TableCell>
                  <TableCell label="Kind">{channelKindLabels[channel.kind]}</TableCell>
                  <TableCell label="Target" className="break-all">{channel.target}</TableCell>
                  <TableCell label="Fires on">{firesOn(channel)}</TableCell>
                  <TableCell label="Enabled">{channel.enabled ? "Yes" : "No"}</TableCell>
                  <TableCell label="Last delivery">{lastDelivery(channel)}</TableCell>
                  <TableCell label="Actions" contentClassName="space-y-3">
                    <ActionForm action={testNotificationChannelAction} submitLabel={`Send test to ${channel.name}`} submitVariant="secondary" className="space-y-2" hidden={{ id: channel.id }} />
                    <ConfirmDialog
                      trigger={
                        <>
                          Remove<span className="sr-only"> {channel.name}</span>
                        </>
                      }
                      triggerVariant="danger"
                      title={`Remove the channel “${channel.name}”?`}
                      description="Nobody is alerted through it any more, and its signing secret is destroyed."
                      confirmLabel="Remove channel"
                      action={deleteNotificationChannelAction}
                      hidden={{ id: channel.id }}
                      typeToConfirm={{ name: "confirmName", value: channel.name }}
                    />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          </TableCard>
        )}
      </section>

      <section className="max-w-xl space-y-4">
        <h2 className="text-lg font-semibold">Add a channel</h2>
        <p className="text-sm text-fg-muted">A webhook gets a signing secret, shown once after you add it.</p>
        {smtpConfigured ? (
          <p className="text-sm text-fg-muted">Email is sent through the console&apos;s SMTP server.</p>
        ) : (
          <p className="rounded border border-amber-300 dark:border-amber-800 bg-amber-50 dark:bg-amber-950/60 p-2 text-sm">{smtpMissingMessage}</p>
        )}
        <ActionForm action={createNotificationChannelAction} submitLabel="Add channel">
          <Field name="kind" label="Kind" type="select" defaultValue="webhook" options={smtpConfigured ? kindOptions : kindOptions.filter((option) => option.value !== "email")} />
          <Field name="name" label="Name" autoComplete="off" hint="Shown in this list, e.g. “Ops on-call”" />
          <Field name="target" label="Webhook URL or email addresses" autoComplete="off" hint="A public https:// URL (private and loopback addresses are refused unless CALSYNC_WEBHOOK_ALLOW_HOSTS lists them), or email addresses separated by commas" />
          <Field name="onStateChange" label="Alert when a connection changes state" type="checkbox" defaultChecked />
          <Field name="onExpiry" label="Warn before a client secret expires" type="checkbox" defaultChecked />
        </ActionForm>
      </section>
    </div>
  );
}
