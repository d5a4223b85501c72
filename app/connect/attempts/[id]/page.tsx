import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { ActionForm } from "@/components/action-form";
import { RefusalExplanation } from "@/components/refusal-explanation";
import { startConnectAction } from "@/app/connect/actions";
import { authorizePage } from "@/lib/auth/current-user";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";
import { refusalView } from "@/lib/delegated/refusal-view";
import { getSignInAttempt } from "@/lib/delegated/sign-in";

export const metadata: Metadata = { title: "Calendar not connected" };

/** The outcome of one sign-in at Microsoft that did not end in a connection; only its own user sees it. */
export default async function SignInAttemptPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await authorizePage("/connect/attempts/[id]", "/connect");
  if (!z.uuid().safeParse(id).success) notFound();
  const db = await getPrisma();
  const attempt = await getSignInAttempt(db, user.id, id);
  if (!attempt) notFound();
  const refusal = attempt.outcome ? await refusalView(db, getKeyRing(), user, attempt.outcome.code, attempt.outcome) : null;
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Your calendar was not connected</h1>
      {refusal ? <RefusalExplanation refusal={refusal} /> : <p>This sign-in has not finished. Start again if you left Microsoft&apos;s page.</p>}
      <div className="flex flex-wrap items-center gap-4">
        <ActionForm action={startConnectAction} submitLabel="Try again" hidden={attempt.connectionId ? { reconnectId: attempt.connectionId } : {}} />
        <Link href="/connect">Back to my calendars</Link>
      </div>
    </div>
  );
}
