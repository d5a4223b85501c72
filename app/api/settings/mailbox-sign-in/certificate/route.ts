import { NextResponse } from "next/server";
import { authorizeRoute } from "@/lib/auth/current-user";
import { certificateFileResponse, certificateFormatSchema } from "@/lib/credentials/certificate-download";
import { getPrisma } from "@/lib/db/client";
import { mailboxCertificateDraftPem } from "@/lib/delegated/delegated-app-certificate";
import { consoleRoute, deniedResponse } from "@/lib/http";

export const dynamic = "force-dynamic";

/** The mailbox sign-in app's generated certificate (public part only), to upload in Entra: `?format=cer` or `?format=pem`. */
export const GET = consoleRoute("GET /api/settings/mailbox-sign-in/certificate", async (request: Request): Promise<Response> => {
  const caller = await authorizeRoute("GET /api/settings/mailbox-sign-in/certificate");
  if (!caller.allowed) return deniedResponse(caller);
  const params = new URL(request.url).searchParams;
  const format = certificateFormatSchema.safeParse(params.get("format") ?? "cer");
  if (!format.success) return NextResponse.json({ error: "bad-format", message: "Ask for format=cer or format=pem." }, { status: 400 });
  const pem = await mailboxCertificateDraftPem(await getPrisma());
  if (!pem) return NextResponse.json({ error: "no-certificate", message: "No generated certificate is waiting. Generate one first." }, { status: 404 });
  return certificateFileResponse(pem, format.data, "calsync-mailbox-sign-in");
});
