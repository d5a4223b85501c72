import { openApiDocument } from "@/lib/api/openapi";
import { authorizeRoute } from "@/lib/auth/current-user";

export const dynamic = "force-dynamic";

/** The sync-engine API's OpenAPI 3.1 document, generated from the handlers' own zod schemas. Public. */
export async function GET(): Promise<Response> {
  await authorizeRoute("GET /api/v1/openapi.json");
  return Response.json(openApiDocument(), { headers: { "Cache-Control": "public, max-age=300" } });
}
