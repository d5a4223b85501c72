import "server-only";
import { diagnoseAccessDenied } from "@/lib/checks/access-denied";
import { randomUUID } from "node:crypto";
import {
  checkTitles,
  DEFAULT_CHECK_TIMEOUT_MS,
  DEFAULT_RETRY_BUDGET_MS,
  explained,
  diagnosisCheck,
  graphFailureCheck,
  skip,
  timed,
  type CheckBody,
  type CheckContext,
  type CheckPipelineOptions,
} from "@/lib/checks/check-kit";
import type { Check, CheckId, CheckReport } from "@/lib/checks/schema";
import { REAUTH_CODES } from "@/lib/connections/state";
import type { KeyRing } from "@/lib/crypto/seal";
import type { DbClient } from "@/lib/db/types";
import { resolveCloud } from "@/lib/entra/cloud-config";
import { knownClouds, type CloudId } from "@/lib/entra/clouds";
import { createRetryBudget } from "@/lib/entra/http-transport";
import { createGraphSession } from "@/lib/graph/graph-client";
import { createTestEvent, deleteEvent, readCalendar, readOrganization, readProfile, SIGNED_IN_USER } from "@/lib/graph/probes";
import { recordTenantName } from "@/lib/connections/tenant-names";
import { PERSONAL_ACCOUNT_TENANT_ID } from "@/lib/delegated/delegated-app";
import { log } from "@/lib/log";
import { mailboxAccessToken } from "@/lib/delegated/mailbox-token";

/**
 * The checks of a connected mailbox, with the owner's delegated sign-in:
 *
 *   session (renew the saved sign-in) → permissions (scopes granted) → (profile ‖ calendar) → calendar-write
 *
 * Same report, states and live checklist as the app-only pipeline; a refused renewal puts the
 * connection in "needs re-authentication" (see REAUTH_CODES).
 */

const REQUIRED_SCOPES = ["User.Read", "Calendars.ReadWrite"] as const;

export async function runMailboxChecks(db: DbClient, ring: KeyRing, connectionId: string, options: CheckPipelineOptions = {}): Promise<CheckReport | null> {
  const connection = await db.connection.findUnique({
    where: { id: connectionId },
    select: { kind: true, cloud: true, tenantId: true, accountUpn: true, writeTest: true, owner: { select: { displayName: true, email: true } } },
  });
  if (!connection || connection.kind !== "mailbox") return null;
  const startedAt = new Date();
  const started = performance.now();
  const checks: Check[] = [];
  // Fixes in the catalog point at wizard steps, which are about app registrations; for a mailbox the
  // next step is said in words instead.
  const emit = ({ fix, ...check }: Check) => {
    const shown: Check = fix ? { ...check, detail: `${check.detail} Next step: ${fix.text}` } : check;
    checks.push(shown);
    options.onProgress?.(shown);
  };
  const planned: CheckId[] = ["session", "permissions", "profile", "calendar", ...(connection.writeTest ? (["calendar-write"] as const) : [])];
  const skipRest = (reason: string, code?: string) => {
    for (const id of planned) if (!checks.some((check) => check.id === id)) emit(skip(id, reason, code));
  };
  const cloud = options.cloud ?? resolveCloud(connection.cloud as CloudId) ?? knownClouds.global;
  const finish = (): CheckReport => {
    const cancelled = options.signal?.aborted === true;
    if (cancelled) skipRest("Cancelled before this check started.", "cancelled");
    checks.sort((a, b) => planned.indexOf(a.id) - planned.indexOf(b.id));
    return {
      ok: !cancelled && checks.every((check) => check.status !== "fail"),
      cancelled,
      tenantId: connection.tenantId,
      cloud: cloud.id,
      startedAt: startedAt.toISOString(),
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      checks,
    };
  };
  const ctx: CheckContext = {
    cloud,
    options,
    retry: createRetryBudget(options.retryBudgetMs ?? DEFAULT_RETRY_BUDGET_MS),
    secrets: [],
    timeoutMs: options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS,
  };
  const owner = connection.owner ? `${connection.owner.displayName} (${connection.owner.email})` : "The mailbox's owner";
  const account = connection.accountUpn ?? "the mailbox";

  let accessToken: string | undefined;
  let grantedScopes: string[] = [];
  const session = await timed(ctx, "session", async (policy): Promise<CheckBody> => {
    const token = await mailboxAccessToken(db, ring, connectionId, { policy, forceRefresh: true });
    if (!token.ok) {
      const reauth = REAUTH_CODES.has(token.failure.code);
      return explained(
        ctx,
        "fail",
        token.failure,
        reauth ? `${owner} must sign in again: under "Connect my calendar", choose Reconnect (helpdesk can send a reconnect link).` : undefined,
      );
    }
    accessToken = token.accessToken;
    grantedScopes = token.scopes;
    return { status: "pass", title: checkTitles.session, detail: `Renewed the saved Microsoft sign-in of ${account}.`, correlationId: token.correlationId };
  });
  emit(session);
  if (!accessToken) {
    skipRest("Skipped: no access token (see the sign-in check).");
    return finish();
  }

  // From msal's answer, not the token: personal accounts' Graph tokens are not JWTs. Scopes may come
  // resource-qualified (https://graph.microsoft.com/Calendars.ReadWrite).
  const scopes = grantedScopes.map((scope) => scope.slice(scope.lastIndexOf("/") + 1));
  const missing = REQUIRED_SCOPES.filter((scope) => !scopes.some((granted) => granted.toLowerCase() === scope.toLowerCase()));
  emit(
    await timed(ctx, "permissions", async () =>
      missing.length === 0
        ? { status: "pass", title: checkTitles.permissions, detail: `Granted: ${scopes.join(", ")}.` }
        : {
            ...explained(ctx, "fail", { code: "AADSTS65001" }, `Missing: ${missing.join(", ")}. ${owner} must reconnect and accept them.`),
            code: "missing-permission",
          },
    ),
  );

  const graph = (policy: Parameters<typeof createGraphSession>[0]["policy"]) => createGraphSession({ cloud, accessToken: accessToken!, policy });
  const profile = timed(ctx, "profile", async (policy) => {
    // The tenant's name rides along (User.Read may read it), so the status board can name the tenant of
    // every connection in it, app-only ones included. Personal accounts have no organization.
    const [result, organization] = await Promise.all([
      readProfile(graph(policy)),
      connection.tenantId === PERSONAL_ACCOUNT_TENANT_ID ? undefined : readOrganization(graph(policy)),
    ]);
    if (organization?.ok && organization.value.tenantId.toLowerCase() === connection.tenantId.toLowerCase()) {
      await recordTenantName(db, connection.tenantId, organization.value.displayName).catch((error: unknown) =>
        log.warn("The tenant's display name could not be recorded", { error: error instanceof Error ? error.name : "non-error thrown" }),
      );
    }
    if (!result.ok) return graphFailureCheck(ctx, result.failure);
    return { status: "pass", title: checkTitles.profile, detail: `Signed in as ${result.value.userPrincipalName ?? result.value.displayName ?? account}.` };
  }).then(emit);
  const calendar = timed(ctx, "calendar", async (policy) => {
    const result = await readCalendar(graph(policy), SIGNED_IN_USER);
    if (!result.ok) {
      if (result.failure.code !== "ErrorAccessDenied") return graphFailureCheck(ctx, result.failure, "fail", `Mailbox: ${account}.`);
      // A member's mailbox is reached through the delegated grant alone: the "all mailboxes" rules, read from scp.
      const diagnosis = diagnoseAccessDenied({ mode: "all", grant: { kind: "delegated", permissions: scopes }, message: result.failure.message, now: new Date() });
      return diagnosisCheck(ctx, diagnosis, { status: "fail", extra: [`Mailbox: ${account}.`], failure: result.failure });
    }
    return { status: "pass", title: checkTitles.calendar, detail: `Read the calendar of ${account}.` };
  }).then((check) => {
    emit(check);
    return check;
  });
  const write = connection.writeTest
    ? calendar.then(async (check) => {
        if (check.status !== "pass") {
          emit(skip("calendar-write", "Skipped: the calendar could not be read, so writing was not tried."));
          return;
        }
        emit(
          await timed(ctx, "calendar-write", async (policy) => {
            const subject = `Calsync Console write test ${randomUUID().slice(0, 8)} (safe to delete)`;
            const created = await createTestEvent(graph(policy), SIGNED_IN_USER, subject);
            if (!created.ok) return graphFailureCheck(ctx, created.failure, "fail", `Creating a test event in ${account} failed.`);
            const deleted = await deleteEvent(graph(policy), SIGNED_IN_USER, created.value.id);
            if (!deleted.ok) return graphFailureCheck(ctx, deleted.failure, "fail", `The test event "${subject}" could not be deleted; please delete it by hand.`);
            return { status: "pass", title: checkTitles["calendar-write"], detail: `Created and deleted a test event in ${account}.` };
          }),
        );
      })
    : Promise.resolve();
  await Promise.all([profile, calendar, write]);
  return finish();
}
