import { NextResponse } from "next/server";
import { z } from "zod";
import { authorizeRoute } from "@/lib/auth/current-user";
import { streamCheckRun } from "@/lib/checks/stream";
import { mayRunConnectionChecks } from "@/lib/connections/access";
import { runStoredConnectionChecks } from "@/lib/connections/stored-checks";
import { recordCheckRun } from "@/lib/monitoring/check-runs";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";
import { consoleRoute, deniedResponse, isSameOrigin } from "@/lib/http";

export const dynamic = "force-dynamic";

const paramsSchema = z.object({ id: z.uuid() });

const notFound = () => NextResponse.json({ error: "not-found", message: "No such connection." }, { status: 404 });

/**
 * "Run checks now": re-verifies a stored connection, streaming the checklist. Helpdesk may run it on
 * any connection (it changes no settings); a member only on a mailbox they connected themselves.
 */
export const POST = consoleRoute("POST /api/connections/[id]/checks", async (request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> => {
  const caller = await authorizeRoute("POST /api/connections/[id]/checks");
  if (!caller.allowed) return deniedResponse(caller);
  if (!isSameOrigin(request)) return NextResponse.json({ error: "bad-origin", message: "Cross-site requests are refused." }, { status: 403 });
  const parsed = paramsSchema.safeParse(await params);
  if (!parsed.success) return notFound();
  const db = await getPrisma();
  if (!(await mayRunConnectionChecks(db, caller.user, parsed.data.id))) return notFound();
  const ring = getKeyRing();
  return streamCheckRun(
    request,
    async ({ signal, onProgress }) => {
      const report = await runStoredConnectionChecks(db, ring, parsed.data.id, { signal, onProgress });
      if (!report) throw new Error("The connection was deleted during its checks");
      return report;
    },
    async (report) => {
      await db.$transaction((tx) => recordCheckRun(tx, { connectionId: parsed.data.id, report, trigger: "manual" }));
    },
  );
});
