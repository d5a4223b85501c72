import { NextResponse } from "next/server";
import { authorizeRoute } from "@/lib/auth/current-user";
import { certificateFileResponse, certificateFormatSchema } from "@/lib/credentials/certificate-download";
import { getPrisma } from "@/lib/db/client";
import { mailboxCertificateDraftPem } from "@/lib/delegated/delegated-app-certificate";
import { getDelegatedAppView } from "@/lib/delegated/delegated-app";
import { consoleRoute, deniedResponse } from "@/lib/http";

export const dynamic = "force-dynamic";

/**
 * The mailbox sign-in app's certificate (public part only), to upload in Entra: the generated one
 * waiting to be saved, or with `?current=1` the one in use. `?format=cer` or `?format=pem`.
 */
export const GET = consoleRoute("GET /api/settings/mailbox-sign-in/certificate", async (request: Request): Promise<Response> => {
  const caller = await authorizeRoute("GET /api/settings/mailbox-sign-in/certificate");
  if (!caller.allowed) return deniedResponse(caller);
  const params = new URL(request.url).searchParams;
  const format = certificateFormatSchema.safeParse(params.get("format") ?? "cer");
  if (!format.success) return NextResponse.json({ error: "bad-format", message: "Ask for format=cer or format=pem." }, { status: 400 });
  const db = await getPrisma();
  const pem = params.get("current") === "1" ? (await getDelegatedAppView(db))?.certificatePem : await mailboxCertificateDraftPem(db);
  if (!pem) return NextResponse.json({ error: "no-certificate", message: "There is no such certificate. Generate one first." }, { status: 404 });
  return certificateFileResponse(pem, format.data, "calsync-mailbox-sign-in");
});
