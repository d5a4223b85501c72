import type { Metadata } from "next";
import Link from "next/link";
import { ActionForm, Field } from "@/components/action-form";
import { acceptInviteAction } from "@/app/invite/[token]/actions";
import { startMicrosoftSignInAction, startOneStepConnectAction } from "@/app/sign-in/microsoft/actions";
import { isMicrosoftSignInVerified, localPasswordRefused } from "@/lib/auth/oidc/settings";
import { getDelegatedAppView } from "@/lib/delegated/delegated-app";
import { authorizePage } from "@/lib/auth/current-user";
import { getInviteStatus, INVITE_PROBLEMS } from "@/lib/auth/invites";
import { PASSWORD_HINT } from "@/lib/auth/password-policy";
import { roleLabels } from "@/lib/auth/roles";
import { getPrisma } from "@/lib/db/client";

export const metadata: Metadata = { title: "Accept invitation", referrer: "no-referrer" };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  await authorizePage("/invite/[token]");
  const { token } = await params;
  const db = await getPrisma();
  const invite = await getInviteStatus(db, token);
  if (invite.state !== "valid") {
    return (
      <section className="mx-auto max-w-md space-y-4">
        <h1 className="text-2xl font-semibold">Invitation not usable</h1>
        <p role="alert">{INVITE_PROBLEMS[invite.state]}</p>
        <Link href="/sign-in">Go to sign-in</Link>
      </section>
    );
  }
  // A member's invitation leads into the one-step connect: one Microsoft sign-in makes the account and connects the calendar.
  const oneStep = invite.role === "member" && (await isMicrosoftSignInVerified(db)) && (await getDelegatedAppView(db)) !== null;
  const passwordsRefused = await localPasswordRefused(db, { breakGlass: false });
  const connectWithMicrosoft = oneStep && (
    <>
      <p className="text-sm">
        Sign in with your Microsoft work account once: your console account is created and your Microsoft 365 calendar connected in that one sign-in.
      </p>
      <ActionForm action={startOneStepConnectAction} submitLabel="Connect with Microsoft" hidden={{ inviteToken: token }} />
    </>
  );
  if (oneStep && passwordsRefused) {
    return (
      <section className="mx-auto max-w-md space-y-6">
        <h1 className="text-2xl font-semibold">Join Calsync Console</h1>
        <p className="text-sm text-fg-muted">
          You were invited with the email <strong>{invite.email}</strong>.
        </p>
        {connectWithMicrosoft}
      </section>
    );
  }
  if (passwordsRefused) {
    return (
      <section className="mx-auto max-w-md space-y-6">
        <h1 className="text-2xl font-semibold">Join Calsync Console</h1>
        <p className="text-sm text-fg-muted">
          You were invited with the email <strong>{invite.email}</strong>. This console uses Sign in with Microsoft: sign in with your Microsoft 365
          work account, and your role comes from your organisation&apos;s Entra ID.
        </p>
        <ActionForm action={startMicrosoftSignInAction} submitLabel="Sign in with Microsoft" hidden={{ next: "/" }} />
      </section>
    );
  }
  return (
    <section className="mx-auto max-w-md space-y-6">
      <h1 className="text-2xl font-semibold">Join Calsync Console</h1>
      <p className="text-sm text-fg-muted">
        You were invited as <strong>{roleLabels[invite.role]}</strong> with the email <strong>{invite.email}</strong>. Choose your name and a
        password{oneStep ? ", or connect with Microsoft" : ""}.
      </p>
      {connectWithMicrosoft}
      <ActionForm action={acceptInviteAction} submitLabel="Create my account" hidden={{ token }}>
        <Field name="displayName" label="Your name" autoComplete="name" />
        <Field name="password" label="Password" type="password" autoComplete="new-password" hint={PASSWORD_HINT} />
        <Field name="confirmPassword" label="Repeat the password" type="password" autoComplete="new-password" />
      </ActionForm>
    </section>
  );
}
