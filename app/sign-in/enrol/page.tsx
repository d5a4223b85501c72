import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { TotpSetup } from "@/components/totp-setup";
import { ActionForm } from "@/components/action-form";
import { PasskeyButton } from "@/components/passkey-button";
import { enrolPasskeyAtSignInAction, enrolTotpAtSignInAction, finishEnrolmentAction, passkeyEnrolmentOptionsAction } from "@/app/sign-in/enrol/actions";
import { passkeySupport } from "@/lib/auth/mfa/passkeys";
import { getEnv } from "@/lib/env";
import { authorizePage } from "@/lib/auth/current-user";
import { pendingTotpEnrolment } from "@/lib/auth/mfa/factors";
import { currentPendingSignIn } from "@/lib/auth/mfa/pending-cookie";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";

export const metadata: Metadata = { title: "Set up a second factor" };

export default async function EnrolSignInPage() {
  const user = await authorizePage("/sign-in/enrol");
  if (user) redirect("/");
  const pending = await currentPendingSignIn();
  if (!pending) redirect("/sign-in");
  if (pending.purpose === "verify") redirect("/sign-in/verify");
  const finish = <ActionForm action={finishEnrolmentAction} submitLabel="Continue to the console" />;
  if (pending.purpose === "enrolled") {
    return (
      <section className="mx-auto max-w-md space-y-6">
        <h1 className="text-2xl font-semibold">Your second factor is set up</h1>
        {finish}
      </section>
    );
  }
  const enrolment = await pendingTotpEnrolment(await getPrisma(), getKeyRing(), pending.user);
  const passkeys = passkeySupport(getEnv());
  return (
    <section className="mx-auto max-w-md space-y-6">
      <h1 className="text-2xl font-semibold">Set up a second factor</h1>
      <p className="text-sm">
        <strong>{pending.user.email}</strong>: this console requires multi-factor authentication for your account. Set it up to finish signing in; until then
        nothing else is open to you.
      </p>
      {enrolment ? (
        <section aria-labelledby="totp-heading" className="space-y-3">
          <h2 id="totp-heading" className="text-lg font-semibold">
            Authenticator app
          </h2>
          <TotpSetup action={enrolTotpAtSignInAction} qrSvg={enrolment.qrSvg} secret={enrolment.secret} next={finish} />
        </section>
      ) : (
        <p role="alert">An authenticator app is already set up for this account.</p>
      )}
      <section aria-labelledby="passkey-heading" className="space-y-3">
        <h2 id="passkey-heading" className="text-lg font-semibold">
          Or a passkey
        </h2>
        {passkeys.ok ? (
          <PasskeyButton mode="register" optionsAction={passkeyEnrolmentOptionsAction} finishAction={enrolPasskeyAtSignInAction} label="Create a passkey" next={finish} />
        ) : (
          <p className="text-sm">{passkeys.reason}</p>
        )}
      </section>
      <p className="text-sm">
        <Link href="/sign-in" className="underline">
          Start again
        </Link>
      </p>
    </section>
  );
}
