import type { Metadata } from "next";
import Link from "next/link";
import { ActionForm, Field } from "@/components/action-form";
import { changePasswordAction } from "@/app/account/actions";
import { authorizePage } from "@/lib/auth/current-user";
import { PASSWORD_HINT } from "@/lib/auth/password-policy";
import { roleLabels } from "@/lib/auth/roles";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage() {
  const user = await authorizePage("/account", "/account");
  return (
    <section className="max-w-md space-y-6">
      <h1 className="text-2xl font-semibold">Your account</h1>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="font-medium">Email</dt>
        <dd>{user.email}</dd>
        <dt className="font-medium">Role</dt>
        <dd>{roleLabels[user.role]}</dd>
      </dl>
      <p className="text-sm">
        <Link href="/account/security" className="underline">
          Sign-in security
        </Link>
        : multi-factor authentication and recovery codes.
      </p>
      <p className="text-sm">
        <Link href="/account/microsoft">Microsoft account</Link>: link yours to use Sign in with Microsoft.
      </p>
      <h2 className="text-lg font-semibold">Change password</h2>
      <ActionForm action={changePasswordAction} submitLabel="Change password">
        <Field name="currentPassword" label="Current password" type="password" autoComplete="current-password" />
        <Field name="password" label="New password" type="password" autoComplete="new-password" hint={PASSWORD_HINT} />
        <Field name="confirmPassword" label="Repeat the new password" type="password" autoComplete="new-password" />
      </ActionForm>
    </section>
  );
}
