import { authorizeApiKey } from "@/lib/api/authorize";
import { listApiConnections } from "@/lib/api/connections-api";
import { problemResponse, validationProblem } from "@/lib/api/problem";
import { parseQuery } from "@/lib/api/request";
import { jsonResponse, runApiRequest } from "@/lib/api/respond";
import { listConnectionsQuerySchema } from "@/lib/api/schemas";
import { getPrisma } from "@/lib/db/client";

export const dynamic = "force-dynamic";

/** The sync engine's list of connections, a page at a time (keyset cursor), with ETag revalidation. */
export async function GET(request: Request): Promise<Response> {
  const caller = await authorizeApiKey(request, "GET /api/v1/connections");
  if (!caller.ok) return caller.response;
  return runApiRequest(request, "GET /api/v1/connections", caller, async () => {
    const query = parseQuery(request, listConnectionsQuerySchema);
    if (!query.ok) return query.response;
    const result = await listApiConnections(await getPrisma(), query.data);
    if (!result.ok) return problemResponse(validationProblem(request, [{ field: "cursor", message: "is not a cursor this API issued; start again without it" }]));
    return jsonResponse(request, result.page, { conditional: true });
  });
}
