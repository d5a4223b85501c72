import { NextResponse } from "next/server";
import { authorizeRoute } from "@/lib/auth/current-user";
import { signInPath } from "@/lib/auth/form-schemas";
import { recordAudit } from "@/lib/audit/audit";
import { getPrisma } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http";
import { getEnv } from "@/lib/env";
import { publicUrl } from "@/lib/public-url";
import { CLIENT_IP_HEADER } from "@/lib/request-headers";
import { parseAdminConsentCallback } from "@/lib/entra/admin-consent";
import { isGuid } from "@/lib/checks/format";
import type { DbClient } from "@/lib/db/types";
import { tenantNamesFor } from "@/lib/connections/tenant-names";
import { completeAdminConsent, getDraft, pendingConsentState } from "@/lib/wizard/drafts";

export const dynamic = "force-dynamic";

/** The organisation as the admin knows it: Microsoft's name for it when the console has learned it, else the domain they typed, else the tenant ID. */
async function tenantName(db: DbClient, userId: string, tenantId: string): Promise<string> {
  const [draft, names] = await Promise.all([getDraft(db, userId), tenantNamesFor(db, [tenantId])]);
  const known = names.get(tenantId.toLowerCase());
  const typed = draft?.fields.tenant?.trim();
  const domain = typed && !isGuid(typed) ? typed : undefined;
  if (known) return `${known} (${domain ? `${domain}, ` : ""}tenant ${tenantId})`;
  return domain ? `${domain} (tenant ${tenantId})` : `tenant ${tenantId}`;
}

/** Microsoft redirects here after the admin consent page; the outcome is recorded on the draft. */
export const GET = consoleRoute("GET /connections/new/admin-consent/callback", async (request: Request): Promise<Response> => {
  const url = new URL(request.url);
  // Redirects use the configured public origin: behind a proxy (or with Next's own host rewriting)
  // the request URL's host is not the one the browser holds its session cookie for.
  const origin = publicUrl(getEnv());
  const back = new URL("/connections/new/admin-consent", origin);
  const caller = await authorizeRoute("GET /connections/new/admin-consent/callback");
  if (!caller.allowed) {
    return caller.signedIn
      ? NextResponse.json({ error: "forbidden", message: "You do not have permission to do this." }, { status: 403 })
      : NextResponse.redirect(new URL(signInPath(back.pathname), origin));
  }
  const user = caller.user;
  const db = await getPrisma();
  const expected = (await pendingConsentState(db, user.id)) ?? "";
  const result = parseAdminConsentCallback(url.searchParams, expected);
  if (result.outcome === "bad-state") {
    back.searchParams.set("consent", "bad-state");
    return NextResponse.redirect(back);
  }
  const outcome =
    result.outcome === "granted"
      ? { outcome: "granted" as const, message: `Admin consent was granted for ${await tenantName(db, user.id, result.tenant)}. This step is done.`, at: new Date().toISOString() }
      : {
          outcome: result.outcome,
          message: `${result.message}${result.microsoftSaid ? ` Microsoft said: “${result.microsoftSaid}”` : ""}`,
          at: new Date().toISOString(),
        };
  await completeAdminConsent(db, user.id, expected, outcome);
  await recordAudit(db, {
    actor: { id: user.id, email: user.email },
    action: "wizard.admin-consent",
    target: { type: "wizard", id: user.id, label: "admin consent" },
    summary: result.outcome === "granted" ? "Admin consent granted through the consent link" : `Admin consent not granted (${result.outcome})`,
    ip: request.headers.get(CLIENT_IP_HEADER),
  });
  return NextResponse.redirect(back);
});
