import type { Metadata } from "next";
import { authorizePage } from "@/lib/auth/current-user";

export const metadata: Metadata = { title: "Admin consent" };

/**
 * Where Microsoft returns an administrator who granted (or declined) consent from a link someone sent
 * them. They need not have a console account, so the page is public and takes no action.
 */
export default async function ConsentHandOffReturnPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await authorizePage("/connections/new/admin-consent/callback/approved");
  const declined = typeof (await searchParams).error === "string";
  return (
    <div className="max-w-xl space-y-4">
      <h1 className="text-2xl font-semibold">{declined ? "Consent was not granted" : "Consent granted"}</h1>
      <p>
        {declined
          ? "The consent was cancelled or refused, so Calsync still cannot reach the organisation's calendars. Open the link again to grant it."
          : "Thank you. Tell the person who sent you the link that they can verify the connection now. It can take a few minutes to take effect."}
      </p>
    </div>
  );
}
