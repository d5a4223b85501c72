import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { ActionForm, Field } from "@/components/action-form";
import { PasskeyButton } from "@/components/passkey-button";
import { passkeySignInOptionsAction, verifyPasskeyAction, verifyRecoveryCodeAction, verifyTotpAction } from "@/app/sign-in/verify/actions";
import { passkeySupport } from "@/lib/auth/mfa/passkeys";
import { getEnv } from "@/lib/env";
import { authorizePage } from "@/lib/auth/current-user";
import { getMfaStatus } from "@/lib/auth/mfa/factors";
import { currentPendingSignIn } from "@/lib/auth/mfa/pending-cookie";
import { getPrisma } from "@/lib/db/client";

export const metadata: Metadata = { title: "Confirm it is you" };

export default async function VerifySignInPage() {
  const user = await authorizePage("/sign-in/verify");
  if (user) redirect("/");
  const pending = await currentPendingSignIn();
  if (!pending) redirect("/sign-in");
  if (pending.purpose === "enrol") redirect("/sign-in/enrol");
  const status = await getMfaStatus(await getPrisma(), pending.user.id);
  const passkeys = passkeySupport(getEnv());
  return (
    <section className="mx-auto max-w-md space-y-6">
      <h1 className="text-2xl font-semibold">Confirm it is you</h1>
      <p className="text-sm">
        Signing in as <strong>{pending.user.email}</strong>. Your account uses a second factor.
      </p>
      {status.passkeys > 0 && (
        <section aria-labelledby="passkey-heading" className="space-y-3">
          <h2 id="passkey-heading" className="text-lg font-semibold">
            Passkey
          </h2>
          {passkeys.ok ? (
            <PasskeyButton mode="authenticate" optionsAction={passkeySignInOptionsAction} finishAction={verifyPasskeyAction} label="Use a passkey" />
          ) : (
            <p className="text-sm">{passkeys.reason}</p>
          )}
        </section>
      )}
      {status.totp && (
        <section aria-labelledby="totp-heading" className="space-y-3">
          <h2 id="totp-heading" className="text-lg font-semibold">
            Code from your authenticator app
          </h2>
          <ActionForm action={verifyTotpAction} submitLabel="Verify">
            <Field name="code" label="6-digit code" autoComplete="one-time-code" />
          </ActionForm>
        </section>
      )}
      <details className="rounded border border-line p-3">
        <summary className="cursor-pointer text-sm font-medium">Use a recovery code</summary>
        <div className="mt-3 space-y-2">
          <p className="text-sm">Each recovery code works once. You have {status.recoveryCodesLeft} left.</p>
          <ActionForm action={verifyRecoveryCodeAction} submitLabel="Use recovery code">
            <Field name="recoveryCode" label="Recovery code" autoComplete="off" />
          </ActionForm>
        </div>
      </details>
      <p className="text-sm">
        Lost your second factor and your recovery codes? An administrator can turn multi-factor authentication off for your account.{" "}
        <Link href="/sign-in" className="underline">
          Start again
        </Link>
      </p>
    </section>
  );
}
