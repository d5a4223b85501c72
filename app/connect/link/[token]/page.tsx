import type { Metadata } from "next";
import Link from "next/link";
import { ActionForm, Field } from "@/components/action-form";
import { connectFromLinkAction, createAccountFromLinkAction } from "@/app/connect/actions";
import { startOneStepConnectAction } from "@/app/sign-in/microsoft/actions";
import { isMicrosoftSignInVerified, localPasswordRefused } from "@/lib/auth/oidc/settings";
import { authorizePage } from "@/lib/auth/current-user";
import { signInPath } from "@/lib/auth/form-schemas";
import { PASSWORD_HINT } from "@/lib/auth/password-policy";
import { getPrisma } from "@/lib/db/client";
import { CONNECT_LINK_PROBLEMS, connectLinkPath, getConnectLinkStatus } from "@/lib/delegated/connect-links";
import { getDelegatedAppView } from "@/lib/delegated/delegated-app";
import { formatDay } from "@/lib/format";

export const metadata: Metadata = { title: "Connect your calendar" };

/** A "connect your calendar" link: sign in (or create a member account), then on to Microsoft. */
export default async function ConnectLinkPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const user = await authorizePage("/connect/link/[token]");
  const db = await getPrisma();
  const status = await getConnectLinkStatus(db, token);
  if (status.state !== "valid") {
    return (
      <div className="max-w-xl space-y-4">
        <h1 className="text-2xl font-semibold">Connect your calendar</h1>
        <p role="alert" className="rounded border border-red-300 dark:border-red-800 bg-red-50 dark:bg-red-950/60 p-3">
          {CONNECT_LINK_PROBLEMS[status.state]}
        </p>
      </div>
    );
  }
  const heading = status.connectionId ? "Reconnect your calendar" : "Connect your calendar";
  // One Microsoft sign-in finds or makes the account, signs in and connects (or reconnects), when the
  // console signs people in with Microsoft; it goes through the mailbox sign-in app.
  const oneStep = !user && (await isMicrosoftSignInVerified(db)) && (await getDelegatedAppView(db)) !== null;
  const passwordsRefused = oneStep && (await localPasswordRefused(db, { breakGlass: false }));
  const intro = status.connectionId
    ? "Your saved Microsoft sign-in has expired. Sign in with Microsoft again and your calendar is synchronised as before."
    : "You have been asked to connect your Microsoft 365 calendar so it can be synchronised. You sign in with your Microsoft work account; Calsync never sees your password.";
  return (
    <div className="max-w-xl space-y-4">
      <h1 className="text-2xl font-semibold">{heading}</h1>
      <p>{intro}</p>
      <p className="text-sm text-fg-muted">
        This link is for <strong>{status.email}</strong> and works once, until {formatDay(status.expiresAt)}.
      </p>
      {user ? (
        user.email.toLowerCase() === status.email.toLowerCase() ? (
          <ActionForm action={connectFromLinkAction} submitLabel="Continue to Microsoft sign-in" hidden={{ token }} />
        ) : (
          <p role="alert" className="rounded border border-red-300 dark:border-red-800 bg-red-50 dark:bg-red-950/60 p-3">
            You are signed in to the console as {user.email}. Sign out, then open this link again as {status.email}.
          </p>
        )
      ) : status.accountExists ? (
        <>
          {oneStep && (
            <>
              <p>Sign in with your Microsoft work account once: you are signed in to the console and your calendar {status.connectionId ? "reconnected" : "connected"} in that one sign-in.</p>
              <ActionForm action={startOneStepConnectAction} submitLabel={status.connectionId ? "Reconnect with Microsoft" : "Connect with Microsoft"} hidden={{ token }} />
            </>
          )}
          <p>
            {oneStep ? "Or sign in to the console first: " : "You already have an account. "}
            <Link href={signInPath(connectLinkPath(token))}>Sign in to continue</Link>.
          </p>
        </>
      ) : (
        <>
          {oneStep && (
            <>
              <p>Sign in with your Microsoft work account once: your console account is created and your calendar connected in that one sign-in.</p>
              <ActionForm action={startOneStepConnectAction} submitLabel="Connect with Microsoft" hidden={{ token }} />
            </>
          )}
          {!passwordsRefused && (
            <>
              <p>{oneStep ? "Or create a console account with a password first." : "First, create your console account."} You will then continue to Microsoft&apos;s sign-in.</p>
              <ActionForm action={createAccountFromLinkAction} submitLabel="Create account and continue" hidden={{ token }}>
                <Field name="displayName" label="Your name" autoComplete="name" />
                <Field name="password" label="Password" type="password" autoComplete="new-password" hint={PASSWORD_HINT} />
                <Field name="confirmPassword" label="Repeat the password" type="password" autoComplete="new-password" />
              </ActionForm>
            </>
          )}
        </>
      )}
    </div>
  );
}
