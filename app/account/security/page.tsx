import type { Metadata } from "next";
import Link from "next/link";
import { ActionForm } from "@/components/action-form";
import { PasskeyButton } from "@/components/passkey-button";
import { addPasskeyAction, passkeyOptionsAction, removePasskeyAction, removeTotpAction, replaceRecoveryCodesAction } from "@/app/account/security/actions";
import { listPasskeys, passkeySupport } from "@/lib/auth/mfa/passkeys";
import { getEnv } from "@/lib/env";
import { authorizePage } from "@/lib/auth/current-user";
import { getMfaStatus, hasSecondFactor } from "@/lib/auth/mfa/factors";
import { getMfaPolicy, mfaRequiredFor } from "@/lib/auth/mfa/policy";
import { getPrisma } from "@/lib/db/client";

export const metadata: Metadata = { title: "Sign-in security" };

export default async function AccountSecurityPage() {
  const user = await authorizePage("/account/security", "/account/security");
  const db = await getPrisma();
  const [status, policy, passkeys] = await Promise.all([getMfaStatus(db, user.id), getMfaPolicy(db), listPasskeys(db, user.id)]);
  const support = passkeySupport(getEnv());
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

      <section aria-labelledby="passkeys-heading" className="space-y-3">
        <h2 id="passkeys-heading" className="text-lg font-semibold">
          Passkeys
        </h2>
        {passkeys.length > 0 ? (
          <ul className="space-y-2 text-sm">
            {passkeys.map((passkey) => (
              <li key={passkey.id} className="flex flex-wrap items-center gap-3">
                <span>
                  <strong>{passkey.name}</strong>, added {passkey.createdAt.toISOString().slice(0, 10)}
                  {passkey.lastUsedAt ? `, last used ${passkey.lastUsedAt.toISOString().slice(0, 10)}` : ""}
                </span>
                <ActionForm action={removePasskeyAction} hidden={{ passkeyId: passkey.id }} submitLabel={`Remove ${passkey.name}`} submitVariant="danger" />
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-sm">No passkeys yet.</p>
        )}
        {support.ok ? (
          <PasskeyButton mode="register" optionsAction={passkeyOptionsAction} finishAction={addPasskeyAction} label="Add a passkey" />
        ) : (
          <p className="text-sm">{support.reason}</p>
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
            <ActionForm action={replaceRecoveryCodesAction} submitLabel="Make new recovery codes" />
          </>
        ) : (
          <p className="text-sm">You get recovery codes when you set up your first second factor.</p>
        )}
      </section>
    </section>
  );
}
