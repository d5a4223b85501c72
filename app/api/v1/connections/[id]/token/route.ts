import { authorizeApiKey } from "@/lib/api/authorize";
import { microsoftProblem, problem, problemResponse } from "@/lib/api/problem";
import { notFound, parseConnectionId, readJsonBody } from "@/lib/api/request";
import { jsonResponse, runApiRequest } from "@/lib/api/respond";
import { tokenRequestSchema } from "@/lib/api/schemas";
import { issueConnectionToken } from "@/lib/api/token-broker";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";

export const dynamic = "force-dynamic";

/** The token broker: a Graph token minted with the connection's sealed secret, which never leaves the console. */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const caller = await authorizeApiKey(request, "POST /api/v1/connections/[id]/token");
  if (!caller.ok) return caller.response;
  return runApiRequest(request, "POST /api/v1/connections/[id]/token", caller, async () => {
    const id = await parseConnectionId(request, params);
    if (!id.ok) return id.response;
    const body = await readJsonBody(request, tokenRequestSchema, { optional: true });
    if (!body.ok) return body.response;
    const result = await issueConnectionToken(await getPrisma(), getKeyRing(), id.data);
    if (result.ok) return jsonResponse(request, result.token);
    if (result.reason === "not-found") return notFound(request);
    if (result.reason === "no-secret") {
      return problemResponse(problem("no-secret", request, "This connection holds no client secret, so the console cannot sign in for it. An administrator adds one on the connection's page."));
    }
    return problemResponse(microsoftProblem(request, result.problem));
  });
}
