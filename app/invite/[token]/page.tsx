import type { Metadata } from "next";
import Link from "next/link";
import { ActionForm, Field } from "@/components/action-form";
import { acceptInviteAction } from "@/app/invite/[token]/actions";
import { authorizePage } from "@/lib/auth/current-user";
import { getInviteStatus, INVITE_PROBLEMS } from "@/lib/auth/invites";
import { PASSWORD_HINT } from "@/lib/auth/password-policy";
import { roleLabels } from "@/lib/auth/roles";
import { getPrisma } from "@/lib/db/client";

export const metadata: Metadata = { title: "Accept invitation", referrer: "no-referrer" };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  await authorizePage("/invite/[token]");
  const { token } = await params;
  const invite = await getInviteStatus(await getPrisma(), token);
  if (invite.state !== "valid") {
    return (
      <section className="mx-auto max-w-md space-y-4">
        <h1 className="text-2xl font-semibold">Invitation not usable</h1>
        <p role="alert">{INVITE_PROBLEMS[invite.state]}</p>
        <Link href="/sign-in">Go to sign-in</Link>
      </section>
    );
  }
  return (
    <section className="mx-auto max-w-md space-y-6">
      <h1 className="text-2xl font-semibold">Join Calsync Console</h1>
      <p className="text-sm text-fg-muted">
        You were invited as <strong>{roleLabels[invite.role]}</strong> with the email <strong>{invite.email}</strong>. Choose your name and a
        password.
      </p>
      <ActionForm action={acceptInviteAction} submitLabel="Create my account" hidden={{ token }}>
        <Field name="displayName" label="Your name" autoComplete="name" />
        <Field name="password" label="Password" type="password" autoComplete="new-password" hint={PASSWORD_HINT} />
        <Field name="confirmPassword" label="Repeat the password" type="password" autoComplete="new-password" />
      </ActionForm>
    </section>
  );
}
