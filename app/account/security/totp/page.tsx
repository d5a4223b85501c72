import type { Metadata } from "next";
import Link from "next/link";
import { TotpSetup } from "@/components/totp-setup";
import { confirmTotpAction } from "@/app/account/security/actions";
import { authorizePage } from "@/lib/auth/current-user";
import { pendingTotpEnrolment } from "@/lib/auth/mfa/factors";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";

export const metadata: Metadata = { title: "Set up an authenticator app" };

export default async function TotpSetupPage() {
  const user = await authorizePage("/account/security/totp", "/account/security/totp");
  const enrolment = await pendingTotpEnrolment(await getPrisma(), getKeyRing(), user);
  const back = (
    <Link href="/account/security" className="text-sm underline">
      Back to sign-in security
    </Link>
  );
  return (
    <section className="max-w-md space-y-6">
      <h1 className="text-2xl font-semibold">Set up an authenticator app</h1>
      {enrolment ? <TotpSetup action={confirmTotpAction} qrSvg={enrolment.qrSvg} secret={enrolment.secret} next={back} /> : <p role="alert">An authenticator app is already set up. Remove it first to set up another.</p>}
      {!enrolment && back}
    </section>
  );
}
