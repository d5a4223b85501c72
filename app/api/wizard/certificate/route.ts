import { NextResponse } from "next/server";
import { authorizeRoute } from "@/lib/auth/current-user";
import { certificateFileResponse, certificateFormatSchema } from "@/lib/credentials/certificate-download";
import { getPrisma } from "@/lib/db/client";
import { consoleRoute, deniedResponse } from "@/lib/http";
import { draftCertificatePem } from "@/lib/wizard/drafts";

export const dynamic = "force-dynamic";

/** The wizard draft's certificate (public part only), to upload in Entra: `?format=cer` or `?format=pem`. */
export const GET = consoleRoute("GET /api/wizard/certificate", async (request: Request): Promise<Response> => {
  const caller = await authorizeRoute("GET /api/wizard/certificate");
  if (!caller.allowed) return deniedResponse(caller);
  const format = certificateFormatSchema.safeParse(new URL(request.url).searchParams.get("format") ?? "cer");
  if (!format.success) return NextResponse.json({ error: "bad-format", message: "Ask for format=cer or format=pem." }, { status: 400 });
  const pem = await draftCertificatePem(await getPrisma(), caller.user.id);
  if (!pem) return NextResponse.json({ error: "no-certificate", message: "This wizard draft has no certificate yet. Generate or upload one first." }, { status: 404 });
  return certificateFileResponse(pem, format.data, "calsync-console");
});
