import "server-only";
import { randomUUID } from "node:crypto";
import {
  checkTitles,
  skipTitles,
  diagnosisCheck,
  DEFAULT_CHECK_TIMEOUT_MS,
  DEFAULT_RETRY_BUDGET_MS,
  explained,
  graphFailureCheck,
  skip,
  timed,
  type CheckBody,
  type CheckContext,
  type CheckPipelineOptions,
} from "@/lib/checks/check-kit";
import {
  calendarsGrantProblem,
  diagnoseAccessDenied,
  diagnoseOutOfScopeReadable,
  grantOfClaims,
  propagating,
  withinPropagationWindow,
  type Diagnosis,
  type TokenGrant,
} from "@/lib/checks/access-denied";
import { explainError, microsoftFirstLine } from "@/lib/checks/error-catalog";
import { checkFormat } from "@/lib/checks/format";
import { blockedByConsentDetail, consentBlocksProbes } from "@/lib/checks/one-cause";
import type { Check, CheckId, CheckInput, CheckReport, ScopeMode } from "@/lib/checks/schema";
import { resolveCloud } from "@/lib/entra/cloud-config";
import { cloudOfTenant, knownClouds, tenantMatchesCloud } from "@/lib/entra/clouds";
import { createRetryBudget, type RequestPolicy } from "@/lib/entra/http-transport";
import { acquireAppToken, type AppTokenResult } from "@/lib/entra/msal-client";
import { credentialOfInput } from "@/lib/credentials/check-credential";
import { describeCertificate } from "@/lib/crypto/certificates";
import { graphPermissions, usefulApplicationPermissions } from "@/lib/entra/permissions";
import { fetchTenantMetadata, type TenantMetadataResult } from "@/lib/entra/tenant-metadata";
import { decodeAccessTokenClaims, type AccessTokenClaims } from "@/lib/graph/access-token";
import { createGraphSession, type GraphFailure, type GraphSession } from "@/lib/graph/graph-client";
import { createTestEvent, deleteEvent, listUsers, readCalendar, type UserPage } from "@/lib/graph/probes";

/**
 * The validation pipeline: input → ordered checks → CheckReport.
 *
 *   format → (tenant ‖ token) → permissions → (directory ‖ calendar ‖ mailbox-scope) → calendar-write
 *
 * Expected failures are values (a `fail` check), never exceptions. Cancellation resolves: the report
 * comes back with `cancelled: true`, unfinished checks as `skip` with code `cancelled`, so a UI that
 * streamed partial results can still show where it stopped. Only bugs reject.
 */

export type RunChecksOptions = CheckPipelineOptions & {
  /**
   * A mailbox likely to exist, read while the directory is listed when no test mailbox is named
   * (the signed-in administrator's own, for the one-click setup): the calendar check then needs no
   * second round trip. `id` addresses it in Graph, `label` names it in the report. When it has no
   * mailbox, the listed users are tried as without it.
   */
  likelyMailbox?: { id: string; label: string };
};

const titles = checkTitles;

type Context = CheckContext & {
  input: CheckInput;
  mode: ScopeMode;
  now: () => Date;
  scopeChangedAt?: Date;
  consentGrantedAt?: Date;
  /** Set once the token is read: what it carries decides what a denial means. */
  grant?: TokenGrant;
};

function dateOrUndefined(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * A diagnosis as a check: inside the scope's propagation window it waits instead of failing. A
 * Microsoft failure keeps Microsoft's code (helpdesk quotes it); the diagnosis speaks through the text.
 */
function diagnosed(ctx: Context, diagnosis: Diagnosis, extra: string[], failure?: GraphFailure): CheckBody {
  const now = ctx.now();
  const waiting = withinPropagationWindow(ctx.scopeChangedAt, now);
  const shown = waiting && ctx.scopeChangedAt ? propagating(diagnosis, ctx.scopeChangedAt, now) : diagnosis;
  return diagnosisCheck(ctx, shown, { status: waiting ? "warn" : "fail", extra, ...(failure ? { failure } : {}), keepCode: waiting });
}

/** ErrorAccessDenied explained from the token, the scope mode and the body; other failures by the catalog. */
function mailboxFailureCheck(ctx: Context, failure: GraphFailure, extra: string): CheckBody {
  if (failure.code !== "ErrorAccessDenied" || !ctx.grant) return graphFailureCheck(ctx, failure, "fail", extra);
  const diagnosis = diagnoseAccessDenied({ mode: ctx.mode, grant: ctx.grant, message: failure.message, consentGrantedAt: ctx.consentGrantedAt, now: ctx.now() });
  return diagnosed(ctx, diagnosis, [extra], failure);
}

async function tenantCheck(ctx: Context, policy: RequestPolicy): Promise<{ body: CheckBody; metadata: TenantMetadataResult }> {
  const metadata = await fetchTenantMetadata({ cloud: ctx.cloud, tenant: ctx.input.tenant, policy });
  if (!metadata.ok) return { body: explained(ctx, "fail", metadata.failure), metadata };
  if (!tenantMatchesCloud(ctx.cloud, metadata.hints)) {
    const actual = cloudOfTenant(metadata.hints);
    const label = actual ? knownClouds[actual].label : "another Microsoft cloud";
    const body = explained(ctx, "fail", { code: "another-cloud" });
    return {
      body: {
        ...body,
        detail: `This tenant is in ${label}; choose that cloud. (You chose ${ctx.cloud.label}.)`,
        fix: { step: "copy-ids", text: actual ? `Choose the cloud "${label}" and validate again.` : body.fix?.text ?? "Choose the tenant's cloud." },
      },
      metadata,
    };
  }
  const resolved = metadata.tenantId && metadata.tenantId !== ctx.input.tenant ? `; ${ctx.input.tenant} resolves to tenant ID ${metadata.tenantId}` : "";
  return {
    body: { status: "pass", title: titles.tenant, detail: `The tenant exists in ${ctx.cloud.label}${resolved}.` },
    metadata,
  };
}

function tokenCheckBody(ctx: Context, token: AppTokenResult): CheckBody {
  if (token.ok) {
    return {
      status: "pass",
      title: titles.token,
      detail: `Microsoft issued an app-only token for Microsoft Graph with this client ID and ${ctx.input.certificate ? "certificate" : "secret"}.`,
      correlationId: token.correlationId,
    };
  }
  return explained(ctx, "fail", token.failure);
}

function permissionsCheckBody(ctx: Context, claims: AccessTokenClaims | undefined): CheckBody {
  if (!claims) return explained(ctx, "fail", { code: "unexpected-response" }, "The access token could not be read.");
  const roles = claims.roles ?? [];
  if (roles.length === 0 && ctx.mode === "all") return explained(ctx, "fail", { code: "no-roles" });

  const problems: { status: "fail" | "warn"; code: string; text: string; diagnosis?: Diagnosis }[] = [];
  const calendars = graphPermissions.calendarsReadWriteApp;
  const users = graphPermissions.userReadAllApp;
  const grantProblem = calendarsGrantProblem(ctx.mode, grantOfClaims({ roles }));
  if (grantProblem?.code === "scope-union-trap") {
    problems.push({ status: "fail", code: grantProblem.code, text: grantProblem.explanation, diagnosis: grantProblem });
  } else if (grantProblem) {
    const weaker = roles.filter((role) => role.startsWith("Calendars."));
    problems.push({
      status: "fail",
      code: "missing-permission",
      text: `${calendars.value} (${calendars.displayText}) is missing${weaker.length ? `; ${weaker.join(", ")} is not enough because Calsync writes events` : ""}.`,
    });
  }
  if (!roles.includes(users.value)) {
    const all = ctx.input.mailboxScope.kind === "all";
    problems.push({
      status: all ? "fail" : "warn",
      code: "missing-permission",
      text: all
        ? `${users.value} (${users.displayText}) is missing; it is required to sync all users' mailboxes.`
        : `${users.value} (${users.displayText}) is not granted; fine for a fixed list of mailboxes, but Calsync cannot look users up by name.`,
    });
  }
  const useful = new Set(usefulApplicationPermissions.map((permission) => permission.value));
  const extra = roles.filter((role) => !useful.has(role));
  if (extra.length > 0) {
    problems.push({
      status: "warn",
      code: "extra-permissions",
      text: `The app also holds ${extra.join(", ")}, which Calsync does not need; remove them for least privilege.`,
    });
  }
  const granted = roles.length ? `Granted: ${roles.join(", ")}.` : "No application permissions are granted in Entra.";
  const rbacNote =
    ctx.mode === "rbac" && !grantProblem
      ? ` ${calendars.value} is not granted tenant-wide, as RBAC for Applications needs: the Exchange role assignment grants it, and the mailbox probes prove the scope.`
      : "";
  if (problems.length === 0) return { status: "pass", title: titles.permissions, detail: `${granted}${rbacNote || " Exactly what Calsync needs."}` };
  const worst = problems.find((problem) => problem.status === "fail") ?? problems[0]!;
  const explanation = worst.diagnosis ?? explainError(worst.code, { cloud: ctx.cloud });
  return {
    status: worst.status,
    title: explanation.title,
    detail: `${problems.map((problem) => problem.text).join(" ")} ${granted}${rbacNote}`,
    code: worst.code,
    who: explanation.who,
    ...(explanation.fix ? { fix: explanation.fix } : {}),
  };
}

async function directoryCheck(ctx: Context, session: GraphSession): Promise<{ body: CheckBody; page?: UserPage }> {
  const result = await listUsers(session);
  if (!result.ok) return { body: graphFailureCheck(ctx, result.failure) };
  const { users, more } = result.value;
  return {
    body: {
      status: "pass",
      title: titles.directory,
      detail: `Listed ${users.length}${more ? "+" : ""} user${users.length === 1 ? "" : "s"} through Microsoft Graph${more ? " (first page)" : ""}.`,
    },
    page: result.value,
  };
}

const NO_MAILBOX_CODES = ["MailboxNotEnabledForRESTAPI", "ResourceNotFound", "ErrorInvalidUser"];

/** Tries the named mailbox, or up to three directory users with a mail address (some have no Exchange mailbox). */
async function calendarCheck(ctx: Context, session: GraphSession, candidates: string[], named: boolean): Promise<{ body: CheckBody; mailbox?: string }> {
  let lastFailure: GraphFailure | undefined;
  for (const mailbox of candidates.slice(0, named ? 1 : 3)) {
    const result = await readCalendar(session, mailbox);
    if (result.ok) {
      return {
        body: { status: "pass", title: titles.calendar, detail: `Read the calendar of ${mailbox}${named ? "" : " (first user with a mailbox)"}.` },
        mailbox,
      };
    }
    lastFailure = result.failure;
    const noMailbox = NO_MAILBOX_CODES.includes(result.failure.code);
    if (named || !noMailbox) break;
  }
  return { body: mailboxFailureCheck(ctx, lastFailure ?? { code: "no-mailbox-found" }, `Mailbox: ${candidates[0] ?? "none"}.`) };
}

/** The likely mailbox's calendar; undefined when that user has no mailbox, so the directory's users are tried instead. */
async function likelyCalendarCheck(ctx: Context, session: GraphSession, likely: { id: string; label: string }): Promise<CheckBody | undefined> {
  const result = await readCalendar(session, likely.id);
  if (result.ok) return { status: "pass", title: titles.calendar, detail: `Read the calendar of ${likely.label} (the signed-in administrator's mailbox).` };
  if (NO_MAILBOX_CODES.includes(result.failure.code)) return undefined;
  return mailboxFailureCheck(ctx, result.failure, `Mailbox: ${likely.label}.`);
}

async function calendarWriteCheck(ctx: Context, session: GraphSession, mailbox: string): Promise<CheckBody> {
  const subject = `Calsync Console write test ${randomUUID().slice(0, 8)} (safe to delete)`;
  const created = await createTestEvent(session, mailbox, subject);
  if (!created.ok) return mailboxFailureCheck(ctx, created.failure, `Creating a test event in ${mailbox} failed.`);
  const deleted = await deleteEvent(session, mailbox, created.value.id);
  if (!deleted.ok) {
    const cause = explainError(deleted.failure.code, { cloud: ctx.cloud, ...(deleted.failure.message ? { message: deleted.failure.message } : {}) });
    const said = microsoftFirstLine(deleted.failure.message, ctx.secrets);
    return {
      status: "fail",
      title: "Test event could not be removed",
      detail:
        `Created the test event "${subject}" (id ${created.value.id}) in ${mailbox}, but deleting it failed: ${cause.explanation}` +
        `${said ? ` Microsoft said: "${said}"` : ""} Please delete that event from the mailbox by hand.`,
      code: "delete-failed",
      who: "exchange-admin",
      ...(deleted.failure.requestId ? { correlationId: deleted.failure.requestId } : {}),
      ...(deleted.failure.timestamp ? { timestamp: deleted.failure.timestamp } : {}),
    };
  }
  return { status: "pass", title: titles["calendar-write"], detail: `Created and deleted a test event in ${mailbox}.` };
}

async function mailboxScopeCheck(ctx: Context, session: GraphSession, mailbox: string): Promise<CheckBody> {
  const result = await readCalendar(session, mailbox);
  if (result.ok) {
    const readable = `The app read the calendar of ${mailbox}.`;
    // Under "all mailboxes" a readable second mailbox is only advice; in a scoped mode it disproves the scope.
    if (ctx.mode === "all") return explained(ctx, "warn", { code: "mailbox-not-restricted" }, readable);
    return diagnosed(ctx, diagnoseOutOfScopeReadable(ctx.mode, ctx.grant ?? { kind: "app", permissions: [] }), [readable]);
  }
  const failure = result.failure;
  if (failure.code === "ErrorAccessDenied") {
    const said = microsoftFirstLine(failure.message, ctx.secrets);
    return {
      status: "pass",
      title: titles["mailbox-scope"],
      detail: `Access to ${mailbox} was refused, as it should be.${said ? ` Microsoft said: "${said}"` : ""}`,
    };
  }
  const notProvable = ["ErrorInvalidUser", "Request_ResourceNotFound", "MailboxNotEnabledForRESTAPI", "ResourceNotFound"].includes(failure.code);
  return graphFailureCheck(ctx, failure, notProvable ? "warn" : "fail", `Could not prove scoping with ${mailbox}.`);
}

/** Microsoft refuses a certificate outside its validity with a vaguer AADSTS700027, so it is named here. */
function certificateOutOfDate(certificatePem: string, now = new Date()): "certificate-expired" | "certificate-not-yet-valid" | undefined {
  const { notBefore, expiresAt } = describeCertificate(certificatePem);
  if (expiresAt <= now) return "certificate-expired";
  if (notBefore > now) return "certificate-not-yet-valid";
  return undefined;
}

/** Runs the whole validation. See the module comment for order, concurrency and cancellation. */
export async function runChecks(rawInput: CheckInput, options: RunChecksOptions = {}): Promise<CheckReport> {
  const startedAt = new Date();
  const started = performance.now();
  const checks: Check[] = [];
  const emit = (check: Check) => {
    checks.push(check);
    options.onProgress?.(check);
  };
  const format = checkFormat(rawInput);
  const input = format.cleaned;
  const secret = rawInput.clientSecret;
  emit(format.check);

  const planned: CheckId[] = ["tenant", "token", "permissions", "directory", "calendar"];
  if (input.writeTest) planned.push("calendar-write");
  if (input.outOfScopeMailbox) planned.push("mailbox-scope");
  const skipRest = (reason: string, code?: string) => {
    for (const id of planned) if (!checks.some((check) => check.id === id)) emit(skip(id, reason, code));
  };
  let tenantId = input.tenant;
  const finish = (cloudId: CheckReport["cloud"]): CheckReport => {
    const cancelled = options.signal?.aborted === true;
    if (cancelled) skipRest("Cancelled before this check started.", "cancelled");
    const order = ["format", ...planned];
    checks.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
    return {
      ok: !cancelled && checks.every((check) => check.status !== "fail"),
      cancelled,
      tenantId,
      cloud: cloudId,
      startedAt: startedAt.toISOString(),
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      checks,
    };
  };

  if (!format.ok) {
    skipRest("Skipped: fix the values flagged by the format check first.");
    return finish(input.cloud);
  }
  const cloud = options.cloud ?? resolveCloud(input.cloud);
  if (!cloud) {
    emit({
      id: "tenant",
      status: "fail",
      title: "Custom cloud not configured",
      detail: "The custom cloud needs CALSYNC_AUTHORITY_HOST and CALSYNC_GRAPH_HOST in the server configuration.",
      code: "cloud-not-configured",
      who: "us",
      durationMs: 0,
    });
    skipRest("Skipped: the cloud is not configured.");
    return finish(input.cloud);
  }
  const scopeChangedAt = dateOrUndefined(input.scopeChangedAt);
  const consentGrantedAt = dateOrUndefined(input.consentGrantedAt);
  const ctx: Context = { input, cloud, options, retry: createRetryBudget(options.retryBudgetMs ?? DEFAULT_RETRY_BUDGET_MS), secrets: [secret, input.clientSecret],
    timeoutMs: options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS,
    mode: input.scopeMode ?? "all",
    now: options.now ?? (() => new Date()),
    ...(scopeChangedAt ? { scopeChangedAt } : {}),
    ...(consentGrantedAt ? { consentGrantedAt } : {}),
  };
  if (options.signal?.aborted) return finish(cloud.id);

  // msal needs no discovery (built-in or supplied metadata), so the token request need not wait for the tenant lookup.
  let metadata: TenantMetadataResult | undefined;
  let token: AppTokenResult | undefined;
  const tenantPromise = timed(ctx, "tenant", async (policy) => {
    const result = await tenantCheck(ctx, policy);
    metadata = result.metadata;
    return result.body;
  }).then((check) => {
    emit(check);
    return check;
  });
  const tokenPromise = timed(ctx, "token", async (policy) => {
    const unusable = input.certificate ? certificateOutOfDate(input.certificate.certificatePem) : undefined;
    if (unusable) return explained(ctx, "fail", { code: unusable });
    token = await acquireAppToken({ cloud, tenant: input.tenant, clientId: input.clientId, credential: credentialOfInput(input), policy });
    return tokenCheckBody(ctx, token);
  });
  const [tenant, tokenChecked] = await Promise.all([tenantPromise, tokenPromise]);
  if (metadata?.ok && metadata.tenantId) tenantId = metadata.tenantId;

  // A tenant that does not exist (or lives elsewhere) explains the token failure better than the token error.
  const tenantUnusable = tenant.status === "fail" && ["AADSTS90002", "AADSTS900023", "another-cloud"].includes(tenant.code ?? "");
  if (tenantUnusable) {
    emit({ ...skip("token", "Skipped: the tenant check failed."), durationMs: tokenChecked.durationMs });
    skipRest("Skipped: the tenant check failed.");
    return finish(cloud.id);
  }
  emit(tokenChecked);
  if (options.signal?.aborted) return finish(cloud.id);
  if (!token?.ok || tokenChecked.status !== "pass") {
    skipRest("Skipped: no access token (see the token check).");
    return finish(cloud.id);
  }
  const accessToken = token.accessToken;
  const claims = decodeAccessTokenClaims(accessToken);
  if (!metadata?.ok || !metadata.tenantId) tenantId = claims?.tid ?? tenantId;

  if (claims) ctx.grant = grantOfClaims({ roles: claims.roles ?? [] });
  const permissions = await timed(ctx, "permissions", async () => permissionsCheckBody(ctx, claims));
  emit(permissions);
  const roles = claims?.roles ?? [];
  if (claims && consentBlocksProbes(ctx.mode, roles)) {
    skipRest(blockedByConsentDetail());
    return finish(cloud.id);
  }

  const session = (policy: RequestPolicy) => createGraphSession({ cloud, accessToken, policy });
  const listed = input.mailboxScope.kind === "list" ? input.mailboxScope.mailboxes : [];
  const namedMailbox = input.testMailbox ?? listed[0];
  const skipDirectory = input.mailboxScope.kind === "list" && !roles.includes(graphPermissions.userReadAllApp.value);

  let page: UserPage | undefined;
  const directoryPromise: Promise<Check> = skipDirectory
    ? Promise.resolve(skip("directory", "Skipped: User.Read.All is not granted and not needed for a fixed mailbox list."))
    : timed(ctx, "directory", async (policy) => {
        const result = await directoryCheck(ctx, session(policy));
        page = result.page;
        return result.body;
      });
  const directoryEmitted = directoryPromise.then((check) => {
    emit(check);
    return check;
  });

  const likely = namedMailbox ? undefined : options.likelyMailbox;
  // Read beside the directory list rather than after it: one round trip instead of two.
  const likelyPromise = likely
    ? (async () => {
        let found = true;
        const check = await timed(ctx, "calendar", async (policy) => {
          const body = await likelyCalendarCheck(ctx, session(policy), likely);
          found = body !== undefined;
          return body ?? { status: "skip", title: skipTitles.calendar, detail: `${likely.label} has no mailbox.` };
        });
        return found ? check : undefined;
      })()
    : Promise.resolve(undefined);

  const calendarPromise = (async (): Promise<{ check: Check; mailbox?: string }> => {
    let candidates: string[];
    // Awaited only when there is one: the named mailbox's request must leave before the scope probe's.
    const likelyCheck = likely ? await likelyPromise : undefined;
    if (likelyCheck && likely) return { check: likelyCheck, ...(likelyCheck.status === "pass" ? { mailbox: likely.id } : {}) };
    if (namedMailbox) {
      candidates = [namedMailbox];
    } else {
      const directory = await directoryEmitted;
      if (directory.status !== "pass" || !page) {
        return { check: skip("calendar", "Skipped: no test mailbox was named and the directory could not be listed to find one.") };
      }
      candidates = page.users.filter((user) => user.mail && user.id !== likely?.id && user.userPrincipalName !== likely?.label).map((user) => user.userPrincipalName ?? user.id);
      if (candidates.length === 0) {
        const started = performance.now();
        return { check: { id: "calendar", ...explained(ctx, "warn", { code: "no-mailbox-found" }), durationMs: performance.now() - started } };
      }
    }
    let mailbox: string | undefined;
    const check = await timed(ctx, "calendar", async (policy) => {
      const result = await calendarCheck(ctx, session(policy), candidates, Boolean(namedMailbox));
      mailbox = result.mailbox;
      return result.body;
    });
    return { check, ...(mailbox ? { mailbox } : {}) };
  })().then((result) => {
    emit(result.check);
    return result;
  });

  const scopePromise = input.outOfScopeMailbox
    ? timed(ctx, "mailbox-scope", (policy) => mailboxScopeCheck(ctx, session(policy), input.outOfScopeMailbox!)).then(emit)
    : Promise.resolve();

  const writePromise = input.writeTest
    ? calendarPromise.then(async ({ check, mailbox }) => {
        if (check.status !== "pass" || !mailbox) {
          emit(skip("calendar-write", "Skipped: the calendar could not be read, so writing was not tried."));
          return;
        }
        if (options.signal?.aborted) return;
        emit(await timed(ctx, "calendar-write", (policy) => calendarWriteCheck(ctx, session(policy), mailbox)));
      })
    : Promise.resolve();

  await Promise.all([directoryEmitted, calendarPromise, scopePromise, writePromise]);
  return finish(cloud.id);
}
