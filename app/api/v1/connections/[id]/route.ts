import { authorizeApiKey } from "@/lib/api/authorize";
import { getPolledApiConnection, readConnectionWithCredentials } from "@/lib/api/connections-api";
import { notFound, parseConnectionId } from "@/lib/api/request";
import { jsonResponse, runApiRequest } from "@/lib/api/respond";
import { CLIENT_IP_HEADER } from "@/lib/request-headers";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";

export const dynamic = "force-dynamic";

/**
 * One connection. A key with credentials:read also gets the client secret: that answer is audited,
 * never cached and carries no ETag.
 */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const caller = await authorizeApiKey(request, "GET /api/v1/connections/[id]");
  if (!caller.ok) return caller.response;
  return runApiRequest(request, "GET /api/v1/connections/[id]", caller, async () => {
    const id = await parseConnectionId(request, params);
    if (!id.ok) return id.response;
    const db = await getPrisma();
    if (caller.key.scopes.includes("credentials:read")) {
      const connection = await readConnectionWithCredentials(db, getKeyRing(), id.data, caller.key, { ip: request.headers.get(CLIENT_IP_HEADER) });
      return connection ? jsonResponse(request, connection) : notFound(request);
    }
    const connection = await getPolledApiConnection(db, id.data);
    return connection ? jsonResponse(request, connection, { conditional: true }) : notFound(request);
  });
}
