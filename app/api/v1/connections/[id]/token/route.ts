import { nextRoute } from "@/lib/api/next-adapter";

export const dynamic = "force-dynamic";

// The handler is lib/api/engine-routes.ts, shared with the custom server's fast path.
export const POST = nextRoute("POST /api/v1/connections/[id]/token");
