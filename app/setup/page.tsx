import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { ActionForm, Field } from "@/components/action-form";
import { claimConsoleAction } from "@/app/setup/actions";
import { authorizePage } from "@/lib/auth/current-user";
import { PASSWORD_HINT } from "@/lib/auth/password-policy";
import { hasAdministrator } from "@/lib/auth/setup";
import { getPrisma } from "@/lib/db/client";

export const metadata: Metadata = { title: "Set up" };

export default async function SetupPage() {
  await authorizePage("/setup");
  if (await hasAdministrator(await getPrisma())) redirect("/sign-in");
  return (
    <section className="mx-auto max-w-md space-y-6">
      <h1 className="text-2xl font-semibold">Claim this console</h1>
      <p className="text-sm text-fg-muted">
        No administrator exists yet. The server printed a one-time <strong>setup code</strong> in its log when it started. Enter it to
        create the first administrator account.
      </p>
      <ActionForm action={claimConsoleAction} submitLabel="Create administrator">
        <Field name="code" label="Setup code" hint="For example ABCD-EFGH-JKLM, from the server log" autoComplete="off" />
        <Field name="displayName" label="Your name" autoComplete="name" />
        <Field name="email" label="Email" type="email" autoComplete="email" />
        <Field name="password" label="Password" type="password" autoComplete="new-password" hint={PASSWORD_HINT} />
        <Field name="confirmPassword" label="Repeat the password" type="password" autoComplete="new-password" />
      </ActionForm>
    </section>
  );
}
