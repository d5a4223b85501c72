import { NextResponse } from "next/server";
import { z } from "zod";
import { authorizeRoute, requestContext } from "@/lib/auth/current-user";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";
import { resolveCloud } from "@/lib/entra/cloud-config";
import { cloudIdSchema } from "@/lib/entra/clouds";
import { consoleRoute, deniedResponse, isSameOrigin } from "@/lib/http";
import { errorReason } from "@/lib/errors";
import { log } from "@/lib/log";
import { ndjsonResponse } from "@/lib/ndjson";
import { runProvisioning, type ProvisioningEvent, type ProvisioningOutcome } from "@/lib/provisioning/provision";

export const dynamic = "force-dynamic";

/** Runs (or resumes) a "Set it up for me" provisioning, streaming each checklist item as NDJSON. */
export const POST = consoleRoute("POST /api/provisioning/[id]/run", async (request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> => {
  const caller = await authorizeRoute("POST /api/provisioning/[id]/run");
  if (!caller.allowed) return deniedResponse(caller);
  if (!isSameOrigin(request)) return NextResponse.json({ error: "bad-origin", message: "Cross-site requests are refused." }, { status: 403 });
  const id = z.uuid().safeParse((await context.params).id);
  if (!id.success) return NextResponse.json({ error: "not-found", message: "There is no such setup." }, { status: 404 });
  const db = await getPrisma();
  const row = await db.provisioning.findUnique({ where: { id: id.data }, select: { cloud: true } });
  const cloud = row ? resolveCloud(cloudIdSchema.catch("global").parse(row.cloud)) : undefined;
  if (!row || !cloud) return NextResponse.json({ error: "not-found", message: "There is no such setup." }, { status: 404 });
  const { ip } = await requestContext();
  type Event = ProvisioningEvent | { type: "outcome"; outcome: Omit<ProvisioningOutcome, "report"> } | { type: "error"; message: string };
  return ndjsonResponse<Event>(
    request,
    async ({ signal, send }) => {
      const { report: _report, ...outcome } = await runProvisioning(db, getKeyRing(), cloud, id.data, {
        actor: { id: caller.user.id, email: caller.user.email },
        ip,
        signal,
        onEvent: send,
      });
      send({ type: "outcome", outcome });
    },
    (error) => {
      // The reason's first line only: Prisma errors go on to echo arguments, which may include the sealed token.
      log.error("Provisioning run failed", { provisioningId: id.data, error: errorReason(error).slice(0, 200) });
      return { type: "error", message: "The setup stopped on our side. Reload the page to continue where it stopped." };
    },
  );
});
