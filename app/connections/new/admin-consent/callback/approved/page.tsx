import type { Metadata } from "next";
import { ConsentReturn, consentDeclined } from "@/components/consent-return";
import { authorizePage } from "@/lib/auth/current-user";

export const metadata: Metadata = { title: "Admin consent" };

/** The administrator granting consent from a link need not have a console account, so this page is public. */
export default async function ConsentHandOffReturnPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await authorizePage("/connections/new/admin-consent/callback/approved");
  return (
    <ConsentReturn
      declined={consentDeclined(await searchParams)}
      granted={{
        title: "Consent granted",
        text: "Thank you. Tell the person who sent you the link that they can verify the connection now. It can take a few minutes to take effect.",
      }}
      refused={{
        title: "Consent was not granted",
        text: "The consent was cancelled or refused, so Calsync still cannot reach the organisation's calendars. Open the link again to grant it.",
      }}
    />
  );
}
