import { NextResponse } from "next/server";
import { z } from "zod";
import { authorizeRoute } from "@/lib/auth/current-user";
import { runChecks } from "@/lib/checks/run-checks";
import { streamCheckRun } from "@/lib/checks/stream";
import { connectionCheckInput } from "@/lib/connections/connections";
import { recordCheckRun } from "@/lib/monitoring/check-runs";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";
import { deniedResponse, isSameOrigin } from "@/lib/http";

export const dynamic = "force-dynamic";

const paramsSchema = z.object({ id: z.uuid() });

/** "Run checks now": re-verifies a stored connection, streaming the checklist. Helpdesk may run it; it changes no settings. */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const caller = await authorizeRoute("POST /api/connections/[id]/checks");
  if (!caller.allowed) return deniedResponse(caller);
  if (!isSameOrigin(request)) return NextResponse.json({ error: "bad-origin", message: "Cross-site requests are refused." }, { status: 403 });
  const parsed = paramsSchema.safeParse(await params);
  if (!parsed.success) return NextResponse.json({ error: "not-found", message: "No such connection." }, { status: 404 });
  const db = await getPrisma();
  const input = await connectionCheckInput(db, getKeyRing(), parsed.data.id);
  if (!input) return NextResponse.json({ error: "not-found", message: "No such connection." }, { status: 404 });
  return streamCheckRun(
    request,
    ({ signal, onProgress }) => runChecks(input, { signal, onProgress }),
    async (report) => {
      await db.$transaction((tx) => recordCheckRun(tx, { connectionId: parsed.data.id, report, trigger: "manual" }));
    },
  );
}
