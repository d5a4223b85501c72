import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { ActionForm, Field } from "@/components/action-form";
import { signInAction } from "@/app/sign-in/actions";
import { authorizePage } from "@/lib/auth/current-user";
import { safeReturnPath } from "@/lib/auth/form-schemas";
import { hasAdministrator } from "@/lib/auth/setup";
import { getPrisma } from "@/lib/db/client";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await authorizePage("/sign-in");
  const params = await searchParams;
  const next = safeReturnPath(typeof params.next === "string" ? params.next : undefined);
  if (user) redirect(next);
  if (!(await hasAdministrator(await getPrisma()))) redirect("/setup");
  return (
    <section className="mx-auto max-w-md space-y-6">
      <h1 className="text-2xl font-semibold">Sign in</h1>
      {params.signedOut && <p role="status">You have signed out.</p>}
      <ActionForm action={signInAction} submitLabel="Sign in" hidden={{ next }}>
        <Field name="email" label="Email" type="email" autoComplete="username" />
        <Field name="password" label="Password" type="password" autoComplete="current-password" />
      </ActionForm>
    </section>
  );
}
