import { authorizeApiKey } from "@/lib/api/authorize";
import { createEngineReport } from "@/lib/api/connections-api";
import { notFound, parseConnectionId, readJsonBody } from "@/lib/api/request";
import { jsonResponse, runApiRequest } from "@/lib/api/respond";
import { engineReportInputSchema } from "@/lib/api/schemas";
import { getPrisma } from "@/lib/db/client";

export const dynamic = "force-dynamic";

/** The engine reports one sync run of a connection; the report is stored with the key that sent it. */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const caller = await authorizeApiKey(request, "POST /api/v1/connections/[id]/reports");
  if (!caller.ok) return caller.response;
  return runApiRequest(request, "POST /api/v1/connections/[id]/reports", caller, async () => {
    const id = await parseConnectionId(request, params);
    if (!id.ok) return id.response;
    const body = await readJsonBody(request, engineReportInputSchema);
    if (!body.ok) return body.response;
    const report = await createEngineReport(await getPrisma(), id.data, caller.key.id, body.data);
    return report ? jsonResponse(request, report, { status: 201 }) : notFound(request);
  });
}
