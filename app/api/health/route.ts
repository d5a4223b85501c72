import { NextResponse } from "next/server";
import { authorizeRoute } from "@/lib/auth/current-user";
import { checkHealth } from "@/lib/health";

export const dynamic = "force-dynamic";

export async function GET(): Promise<NextResponse> {
  await authorizeRoute("GET /api/health");
  const health = await checkHealth();
  return NextResponse.json(health, { status: health.ready ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
