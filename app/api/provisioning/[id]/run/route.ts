import { NextResponse } from "next/server";
import { z } from "zod";
import { authorizeRoute, requestContext } from "@/lib/auth/current-user";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";
import { resolveCloud } from "@/lib/entra/cloud-config";
import { cloudIdSchema } from "@/lib/entra/clouds";
import { consoleRoute, deniedResponse, isSameOrigin } from "@/lib/http";
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
  const encoder = new TextEncoder();
  const controller = new AbortController();
  request.signal.addEventListener("abort", () => controller.abort(), { once: true });
  const body = new ReadableStream<Uint8Array>({
    async start(stream) {
      const send = (event: ProvisioningEvent | { type: "outcome"; outcome: Omit<ProvisioningOutcome, "report"> } | { type: "error"; message: string }) => {
        try {
          stream.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
        } catch {
          // The browser went away; the run finishes its current step and stops.
        }
      };
      try {
        const { report: _report, ...outcome } = await runProvisioning(db, getKeyRing(), cloud, id.data, {
          actor: { id: caller.user.id, email: caller.user.email },
          ip,
          signal: controller.signal,
          onEvent: send,
        });
        send({ type: "outcome", outcome });
      } catch {
        send({ type: "error", message: "The setup stopped on our side. Reload the page to continue where it stopped." });
      } finally {
        try {
          stream.close();
        } catch {
          // Already closed by a cancelled browser.
        }
      }
    },
    cancel() {
      controller.abort();
    },
  });
  return new Response(body, { headers: { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store" } });
});
