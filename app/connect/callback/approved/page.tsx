import type { Metadata } from "next";
import { authorizePage } from "@/lib/auth/current-user";

export const metadata: Metadata = { title: "Calsync approved" };

/** Where Microsoft returns an administrator who approved (or declined) Calsync for their organisation. */
export default async function AdminApprovedPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await authorizePage("/connect/callback/approved");
  // Microsoft adds `error` when the administrator cancelled; the console takes no action either way.
  const declined = typeof (await searchParams).error === "string";
  return (
    <div className="max-w-xl space-y-4">
      <h1 className="text-2xl font-semibold">{declined ? "Calsync was not approved" : "Calsync is approved"}</h1>
      <p>
        {declined
          ? "The approval was cancelled or refused, so people in your organisation still cannot connect their calendars. Open the approval link again to approve it."
          : "Thank you. People in your organisation can now connect their calendars: tell the person who asked that they can try again. It can take a few minutes to take effect."}
      </p>
    </div>
  );
}
