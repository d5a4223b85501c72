import type { Metadata } from "next";
import { ConsentReturn, consentDeclined } from "@/components/consent-return";
import { authorizePage, requestContext } from "@/lib/auth/current-user";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";
import { log } from "@/lib/log";
import { recordHandOffConsent } from "@/lib/wizard/hand-off-return";

export const metadata: Metadata = { title: "Admin consent" };

/** Only single values of the parameters Microsoft sends are read; repeated or unknown ones are dropped. */
function consentParams(query: Record<string, string | string[] | undefined>): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of ["admin_consent", "tenant", "state", "error", "error_description"]) {
    const value = query[name];
    if (typeof value === "string" && value.length <= 4_000) params.set(name, value);
  }
  return params;
}

/**
 * The administrator granting consent from a link need not have a console account, so this page is
 * public. A grant is recorded for the connection or draft the link's sealed state names.
 */
export default async function ConsentHandOffReturnPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await authorizePage("/connections/new/admin-consent/callback/approved");
  const query = await searchParams;
  try {
    const { ip } = await requestContext();
    await recordHandOffConsent(await getPrisma(), getKeyRing(), consentParams(query), { ip });
  } catch (error) {
    // The administrator's grant stands at Microsoft either way; only the console's note of its time is lost.
    log.error("Recording a consent given through a hand-off link failed", { error: error instanceof Error ? error.name : "non-error thrown" });
  }
  return (
    <ConsentReturn
      declined={consentDeclined(query)}
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
