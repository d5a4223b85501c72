import type { Metadata } from "next";
import { ConnectLinkForm } from "@/components/connect-link-form";
import { authorizePage } from "@/lib/auth/current-user";
import { getPrisma } from "@/lib/db/client";
import { getDelegatedAppView } from "@/lib/delegated/delegated-app";
import { CONNECT_LINK_TTL_DAYS } from "@/lib/delegated/connect-links";
import { smtpFromEnv } from "@/lib/jobs/deliveries";

export const metadata: Metadata = { title: "Invite someone to connect their calendar" };

export default async function ConnectInvitePage() {
  await authorizePage("/connect/invite", "/connect/invite");
  const app = await getDelegatedAppView(await getPrisma());
  const emailConfigured = smtpFromEnv() !== null;
  return (
    <div className="max-w-xl space-y-4">
      <h1 className="text-2xl font-semibold">Invite someone to connect their calendar</h1>
      <p className="text-fg-muted">
        The person gets a one-time link, valid {CONNECT_LINK_TTL_DAYS} days. It leads them to sign in to the console (creating a member account if they have
        none) and then to connect their Microsoft 365 calendar.
      </p>
      {!app && (
        <p role="note" className="rounded border border-amber-400 dark:border-amber-700 bg-amber-50 dark:bg-amber-950/60 p-3 text-sm">
          The mailbox sign-in app is not set up yet, so the link cannot be used until an administrator sets it up.
        </p>
      )}
      <ConnectLinkForm emailConfigured={emailConfigured} />
    </div>
  );
}
