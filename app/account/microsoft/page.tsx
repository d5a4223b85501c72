import type { Metadata } from "next";
import { ActionForm } from "@/components/action-form";
import { linkMicrosoftAccountAction } from "@/app/sign-in/microsoft/actions";
import { MicrosoftSignInRefusal } from "@/app/sign-in/microsoft/refusal";
import { authorizePage } from "@/lib/auth/current-user";
import { isMicrosoftSignInVerified } from "@/lib/auth/oidc/settings";
import { listLinkedAccounts } from "@/lib/auth/users";
import { getPrisma } from "@/lib/db/client";

export const metadata: Metadata = { title: "Microsoft account" };

/** Links the signed-in person's Microsoft account, so that Sign in with Microsoft reaches this console account. */
export default async function MicrosoftAccountPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await authorizePage("/account/microsoft", "/account/microsoft");
  const params = await searchParams;
  const db = await getPrisma();
  const [linked, available] = await Promise.all([listLinkedAccounts(db, user.id), isMicrosoftSignInVerified(db)]);
  const refusal = typeof params.microsoft === "string" ? params.microsoft : undefined;
  return (
    <section className="max-w-xl space-y-6">
      <h1 className="text-2xl font-semibold">Microsoft account</h1>
      {params.linked && <p role="status">Your Microsoft account is linked. Next time, use Sign in with Microsoft.</p>}
      {refusal && <MicrosoftSignInRefusal attempt={refusal} />}
      {linked.length > 0 ? (
        <p>
          Linked: {linked.join(", ")}. Sign in with Microsoft reaches this account, and your role then comes from your organisation&apos;s Entra ID.
        </p>
      ) : (
        <p>No Microsoft account is linked to this console account yet.</p>
      )}
      {available ? (
        <ActionForm action={linkMicrosoftAccountAction} submitLabel="Link my Microsoft account" />
      ) : (
        <p className="text-sm text-fg-muted">Sign in with Microsoft is not set up on this console.</p>
      )}
    </section>
  );
}
