import Link from "next/link";
import { redirect } from "next/navigation";
import { authorizePage, getCurrentUser } from "@/lib/auth/current-user";
import { roleDescriptions, roleLabels } from "@/lib/auth/roles";
import { hasAdministrator } from "@/lib/auth/setup";
import { getPrisma } from "@/lib/db/client";
import { listOwnedMailboxes } from "@/lib/delegated/mailbox-connections";

export default async function HomePage() {
  // Before the console is claimed, everyone who arrives is sent to the setup page.
  if (!(await getCurrentUser()) && !(await hasAdministrator(await getPrisma()))) redirect("/setup");
  const user = await authorizePage("/", "/");
  // The status board is where helpdesk works.
  if (user.role === "helpdesk") redirect("/status");
  const expired = (await listOwnedMailboxes(await getPrisma(), user.id)).filter((mailbox) => mailbox.state === "needs_reauth");
  return (
    <section className="space-y-4">
      {expired.length > 0 && (
        <div role="alert" className="rounded border border-red-400 dark:border-red-700 bg-red-50 dark:bg-red-950/60 p-3">
          Your calendar {expired.map((mailbox) => mailbox.accountUpn ?? mailbox.name).join(", ")} is no longer synchronised: your Microsoft sign-in expired.{" "}
          <Link href="/connect">Reconnect it</Link>.
        </div>
      )}
      <h1 className="text-2xl font-semibold">Welcome, {user.displayName}</h1>
      <p>
        You are signed in as <strong>{roleLabels[user.role]}</strong>. {roleDescriptions[user.role]}
      </p>
      <ul className="list-disc space-y-1 pl-6">
        {user.role === "admin" && (
          <li>
            <Link href="/users">Manage users and invitations</Link>
          </li>
        )}
        {user.role !== "member" && (
          <li>
            <Link href="/audit">Browse the audit log</Link>
          </li>
        )}
        <li>
          <Link href="/connect">Connect my Microsoft 365 calendar</Link>
        </li>
        <li>
          <Link href="/account">Change your password</Link>
        </li>
      </ul>
    </section>
  );
}
