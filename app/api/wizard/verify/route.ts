import { NextResponse } from "next/server";
import { authorizeRoute } from "@/lib/auth/current-user";
import { runChecks } from "@/lib/checks/run-checks";
import { streamCheckRun } from "@/lib/checks/stream";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";
import { consoleRoute, deniedResponse, isSameOrigin } from "@/lib/http";
import { draftCheckInput, recordDraftReport } from "@/lib/wizard/drafts";

export const dynamic = "force-dynamic";

/** Verifies the caller's wizard draft against Microsoft, streaming each check as it finishes. */
export const POST = consoleRoute("POST /api/wizard/verify", async (request: Request): Promise<Response> => {
  const caller = await authorizeRoute("POST /api/wizard/verify");
  if (!caller.allowed) return deniedResponse(caller);
  if (!isSameOrigin(request)) return NextResponse.json({ error: "bad-origin", message: "Cross-site requests are refused." }, { status: 403 });
  const db = await getPrisma();
  const prepared = await draftCheckInput(db, getKeyRing(), caller.user.id);
  if (!prepared) return NextResponse.json({ error: "no-draft", message: "There is no wizard draft to verify. Start the wizard again." }, { status: 404 });
  return streamCheckRun(
    request,
    ({ signal, onProgress }) => runChecks(prepared.input, { signal, onProgress }),
    (report) => recordDraftReport(db, prepared.draftId, report, prepared.fingerprint),
  );
});
