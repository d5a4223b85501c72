import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { ActionForm, Field } from "@/components/action-form";
import { signInAction } from "@/app/sign-in/actions";
import { authorizePage } from "@/lib/auth/current-user";
import { safeReturnPath } from "@/lib/auth/form-schemas";
import { roleLabels } from "@/lib/auth/roles";
import { hasAdministrator } from "@/lib/auth/setup";
import { listUsers } from "@/lib/auth/users";
import { getPrisma } from "@/lib/db/client";
import { getEnv } from "@/lib/env";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await authorizePage("/sign-in");
  const params = await searchParams;
  const next = safeReturnPath(typeof params.next === "string" ? params.next : undefined);
  if (user) redirect(next);
  const db = await getPrisma();
  if (!(await hasAdministrator(db))) redirect("/setup");
  // Only the demo names its accounts to whoever opens the page; a real console never does.
  const demoAccounts = getEnv().CALSYNC_DEMO ? (await listUsers(db)).filter((account) => account.active) : [];
  return (
    <section className="mx-auto max-w-md space-y-6">
      <h1 className="text-2xl font-semibold">Sign in</h1>
      {params.signedOut && <p role="status">You have signed out.</p>}
      <ActionForm action={signInAction} submitLabel="Sign in" hidden={{ next }}>
        <Field name="email" label="Email" type="email" autoComplete="username" />
        <Field name="password" label="Password" type="password" autoComplete="current-password" />
      </ActionForm>
      {demoAccounts.length > 0 && (
        <section aria-labelledby="demo-accounts" className="rounded border border-amber-300 dark:border-amber-800 bg-amber-50 dark:bg-amber-950/60 p-4 text-sm">
          <h2 id="demo-accounts" className="font-semibold">
            Demo accounts
          </h2>
          <p>Their passwords are printed in the terminal where you ran <code>npm run demo</code>.</p>
          <ul className="mt-2 list-disc pl-5 [overflow-wrap:anywhere]">
            {demoAccounts.map((account) => (
              <li key={account.id}>
                <code>{account.email}</code>: {roleLabels[account.role]} ({account.displayName})
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}
