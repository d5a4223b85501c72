import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { ActionForm } from "@/components/action-form";
import { startOneStepConnectAction } from "@/app/sign-in/microsoft/actions";
import { authorizePage } from "@/lib/auth/current-user";
import { getConsoleSignIn, isMicrosoftSignInVerified, offersOneStepConnect } from "@/lib/auth/oidc/settings";
import { ONE_STEP_NOT_OFFERED } from "@/lib/auth/oidc/sign-in";
import { getPrisma } from "@/lib/db/client";

export const metadata: Metadata = { title: "Connect my Microsoft 365 calendar" };

/** For people without a console session: one Microsoft sign-in makes their member account, signs them in and connects their calendar. */
export default async function OneStepConnectPage() {
  const user = await authorizePage("/connect/start");
  if (user) redirect("/connect");
  const db = await getPrisma();
  const settings = (await isMicrosoftSignInVerified(db)) ? await getConsoleSignIn(db) : null;
  if (!settings || !offersOneStepConnect(settings)) {
    return (
      <div className="max-w-xl space-y-4">
        <h1 className="text-2xl font-semibold">Connect my Microsoft 365 calendar</h1>
        <p>{ONE_STEP_NOT_OFFERED}</p>
        <Link href="/sign-in?next=%2Fconnect">Sign in</Link>
      </div>
    );
  }
  return (
    <div className="max-w-xl space-y-4">
      <h1 className="text-2xl font-semibold">Connect my Microsoft 365 calendar</h1>
      <p>
        Sign in with your Microsoft work account once: Calsync creates your member account, signs you in and connects your calendar, all in that one
        sign-in. Calsync never sees your Microsoft password.
      </p>
      <p className="text-sm text-fg-muted">Open to people of {settings.memberTenants.map((tenant) => tenant.label).join(", ")}.</p>
      <ActionForm action={startOneStepConnectAction} submitLabel="Connect my Microsoft 365 calendar" />
      <p className="text-sm">
        Already have a console account? <Link href="/sign-in?next=%2Fconnect">Sign in</Link>.
      </p>
    </div>
  );
}
