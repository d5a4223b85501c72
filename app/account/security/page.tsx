import type { Metadata } from "next";
import Link from "next/link";
import { ActionForm } from "@/components/action-form";
import { RecoveryCodesForm } from "@/components/recovery-codes-form";
import { removeTotpAction, replaceRecoveryCodesAction } from "@/app/account/security/actions";
import { authorizePage } from "@/lib/auth/current-user";
import { getMfaStatus, hasSecondFactor } from "@/lib/auth/mfa/factors";
import { getMfaPolicy, mfaRequiredFor } from "@/lib/auth/mfa/policy";
import { getPrisma } from "@/lib/db/client";

export const metadata: Metadata = { title: "Sign-in security" };

export default async function AccountSecurityPage() {
  const user = await authorizePage("/account/security", "/account/security");
  const db = await getPrisma();
  const [status, policy] = await Promise.all([getMfaStatus(db, user.id), getMfaPolicy(db)]);
  const required = mfaRequiredFor(policy, user.role);
  return (
    <section className="max-w-2xl space-y-8">
      <div className="space-y-2">
        <h1 className="text-2xl font-semibold">Sign-in security</h1>
        <p className="text-sm">
          Multi-factor authentication is {hasSecondFactor(status) ? <strong>on</strong> : <strong>off</strong>} for your account
          {required ? ", and this console requires it for you." : "."}
        </p>
      </div>

      <section aria-labelledby="totp-heading" className="space-y-3">
        <h2 id="totp-heading" className="text-lg font-semibold">
          Authenticator app
        </h2>
        {status.totp ? (
          <>
            <p className="text-sm">An authenticator app is set up. Sign-ins ask for its 6-digit code.</p>
            <ActionForm action={removeTotpAction} submitLabel="Remove the authenticator app" submitVariant="danger" />
          </>
        ) : (
          <p className="text-sm">
            No authenticator app is set up.{" "}
            <Link href="/account/security/totp" className="underline">
              Set up an authenticator app
            </Link>
          </p>
        )}
      </section>

      <section aria-labelledby="recovery-heading" className="space-y-3">
        <h2 id="recovery-heading" className="text-lg font-semibold">
          Recovery codes
        </h2>
        {hasSecondFactor(status) ? (
          <>
            <p className="text-sm">
              You have {status.recoveryCodesLeft} unused recovery code{status.recoveryCodesLeft === 1 ? "" : "s"}. Making new ones ends the old ones.
            </p>
            <RecoveryCodesForm action={replaceRecoveryCodesAction} />
          </>
        ) : (
          <p className="text-sm">You get recovery codes when you set up your first second factor.</p>
        )}
      </section>
    </section>
  );
}
