import type { Metadata } from "next";
import { ConsentReturn, consentDeclined } from "@/components/consent-return";
import { authorizePage } from "@/lib/auth/current-user";

export const metadata: Metadata = { title: "Calsync approved" };

/** Where Microsoft returns an administrator who approved (or declined) Calsync for their organisation. */
export default async function AdminApprovedPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await authorizePage("/connect/callback/approved");
  return (
    <ConsentReturn
      declined={consentDeclined(await searchParams)}
      granted={{
        title: "Calsync is approved",
        text: "Thank you. People in your organisation can now connect their calendars: tell the person who asked that they can try again. It can take a few minutes to take effect.",
      }}
      refused={{
        title: "Calsync was not approved",
        text: "The approval was cancelled or refused, so people in your organisation still cannot connect their calendars. Open the approval link again to approve it.",
      }}
    />
  );
}
