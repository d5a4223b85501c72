import { NextResponse } from "next/server";
import { z } from "zod";
import { authorizeRoute } from "@/lib/auth/current-user";
import { getConnectionCertificate } from "@/lib/connections/connections";
import { certificateFileResponse, certificateFormatSchema } from "@/lib/credentials/certificate-download";
import { getPrisma } from "@/lib/db/client";
import { consoleRoute, deniedResponse } from "@/lib/http";

export const dynamic = "force-dynamic";

const paramsSchema = z.object({ id: z.uuid() });

/** A certificate connection's certificate (public part only): `?format=cer` or `?format=pem`. */
export const GET = consoleRoute("GET /api/connections/[id]/certificate", async (request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> => {
  const caller = await authorizeRoute("GET /api/connections/[id]/certificate");
  if (!caller.allowed) return deniedResponse(caller);
  const notFound = NextResponse.json({ error: "not-found", message: "This connection has no certificate." }, { status: 404 });
  const parsed = paramsSchema.safeParse(await params);
  if (!parsed.success) return notFound;
  const format = certificateFormatSchema.safeParse(new URL(request.url).searchParams.get("format") ?? "cer");
  if (!format.success) return NextResponse.json({ error: "bad-format", message: "Ask for format=cer or format=pem." }, { status: 400 });
  const certificate = await getConnectionCertificate(await getPrisma(), parsed.data.id);
  if (!certificate) return notFound;
  return certificateFileResponse(certificate.certificatePem, format.data, certificate.name);
});
