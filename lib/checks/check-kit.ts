import "server-only";
import type { Diagnosis } from "@/lib/checks/access-denied";
import { explainError, microsoftFirstLine } from "@/lib/checks/error-catalog";
import type { Check, CheckId, CheckStatus } from "@/lib/checks/schema";
import type { Cloud } from "@/lib/entra/clouds";
import type { RequestPolicy, RetryBudget } from "@/lib/entra/http-transport";
import type { GraphFailure } from "@/lib/graph/graph-client";

/**
 * What every check pipeline shares (the app-only one in run-checks.ts and the connected-mailbox one
 * in lib/delegated/mailbox-checks.ts): titles, explained failures, and one deadline per check.
 */

export const DEFAULT_CHECK_TIMEOUT_MS = 15_000;
export const DEFAULT_RETRY_BUDGET_MS = 10_000;

export type CheckPipelineOptions = {
  signal?: AbortSignal;
  /** Called as each check finishes, in completion order (the UI streams these). */
  onProgress?: (check: Check) => void;
  /** Per-check time limit; a hung Microsoft endpoint becomes `fail` with code `timeout`. Default 15 s. */
  timeoutMs?: number;
  /** Total time all throttling retries of one validation may wait (Retry-After honoured). Default 10 s. */
  retryBudgetMs?: number;
  /** A resolved cloud to use instead of the catalog/env lookup (tests, callers that already resolved it). */
  cloud?: Cloud;
  /** The clock that decides whether a scope change is still propagating (tests move it). */
  now?: () => Date;
};

export const checkTitles: Record<CheckId, string> = {
  format: "Values look right",
  tenant: "Tenant found",
  token: "App signed in",
  permissions: "Permissions granted",
  directory: "Directory readable",
  calendar: "Calendar readable",
  "calendar-write": "Calendar writable",
  "mailbox-scope": "Mailbox scoping enforced",
  session: "Sign-in still valid",
  profile: "Account readable",
};

/** Neutral names for checks that did not run (the pass titles would claim success). */
export const skipTitles: Record<CheckId, string> = {
  format: "Format",
  tenant: "Tenant lookup",
  token: "App sign-in",
  permissions: "Permissions",
  directory: "Directory access",
  calendar: "Calendar access",
  "calendar-write": "Calendar write test",
  "mailbox-scope": "Mailbox scoping",
  session: "Saved sign-in",
  profile: "Account",
};

export type CheckBody = Omit<Check, "id" | "durationMs">;

export type CheckContext = {
  cloud: Cloud;
  options: CheckPipelineOptions;
  retry: RetryBudget;
  /** Values to scrub from anything shown (a secret as typed and as cleaned). */
  secrets: string[];
  timeoutMs: number;
};

export function skip(id: CheckId, reason: string, code?: string): Check {
  return { id, status: "skip", title: skipTitles[id], detail: reason, durationMs: 0, ...(code ? { code } : {}) };
}

/**
 * A failed (or warning) check explained by the catalog. Microsoft's own text is only ever appended
 * as "Microsoft said: …"; the secret is scrubbed from it even though Microsoft never echoes it.
 */
export function explained(
  ctx: CheckContext,
  status: Exclude<CheckStatus, "pass" | "skip">,
  failure: { code: string; description?: string; correlationId?: string; timestamp?: string },
  extra?: string,
): CheckBody {
  const explanation = explainError(failure.code, { cloud: ctx.cloud, ...(failure.description ? { message: failure.description } : {}) });
  const said = microsoftFirstLine(failure.description, ctx.secrets);
  const parts = [explanation.explanation];
  if (failure.code === "timeout") parts.push(`No answer within ${Math.round(ctx.timeoutMs / 100) / 10} s.`);
  if (extra) parts.push(extra);
  if (said) parts.push(`Microsoft said: "${said}"`);
  if (!explanation.known && explanation.helpUrl) parts.push(`Look the code up at ${explanation.helpUrl}.`);
  return {
    status,
    title: explanation.title,
    detail: parts.join(" "),
    code: explanation.code,
    who: explanation.who,
    ...(explanation.fix ? { fix: explanation.fix } : {}),
    ...(explanation.helpUrl ? { helpUrl: explanation.helpUrl } : {}),
    ...(failure.correlationId ? { correlationId: failure.correlationId } : {}),
    ...(failure.timestamp ? { timestamp: failure.timestamp } : {}),
  };
}

/**
 * A diagnosed failure as a check. A Microsoft failure keeps Microsoft's code (helpdesk quotes it)
 * unless `code` says otherwise; the diagnosis speaks through the text.
 */
export function diagnosisCheck(
  ctx: CheckContext,
  diagnosis: Diagnosis,
  options: { status: "fail" | "warn"; extra?: readonly string[]; failure?: GraphFailure; keepCode?: boolean },
): CheckBody {
  const failure = options.failure;
  const said = microsoftFirstLine(failure?.message, ctx.secrets);
  return {
    status: options.status,
    title: diagnosis.title,
    detail: [diagnosis.explanation, ...(options.extra ?? []), ...(said ? [`Microsoft said: "${said}"`] : [])].join(" "),
    code: options.keepCode ? diagnosis.code : (failure?.code ?? diagnosis.code),
    who: diagnosis.who,
    ...(diagnosis.fix ? { fix: diagnosis.fix } : {}),
    ...(failure?.requestId ? { correlationId: failure.requestId } : {}),
    ...(failure?.timestamp ? { timestamp: failure.timestamp } : {}),
  };
}

export function graphFailureCheck(ctx: CheckContext, failure: GraphFailure, status: "fail" | "warn" = "fail", extra?: string): CheckBody {
  return explained(
    ctx,
    status,
    {
      code: failure.code,
      ...(failure.message ? { description: failure.message } : {}),
      ...(failure.requestId ? { correlationId: failure.requestId } : {}),
      ...(failure.timestamp ? { timestamp: failure.timestamp } : {}),
    },
    extra,
  );
}

/**
 * Runs one check under its own deadline. The body's requests all carry the policy's signal; the race
 * is a second line of defence so that nothing (an SDK awaiting something we do not control) can hang
 * the pipeline past the deadline.
 */
export async function timed(ctx: CheckContext, id: CheckId, body: (policy: RequestPolicy) => Promise<CheckBody>): Promise<Check> {
  const started = performance.now();
  const timeout = new AbortController();
  const timeoutMs = ctx.timeoutMs;
  const timer = setTimeout(() => timeout.abort(new DOMException("check timed out", "TimeoutError")), timeoutMs);
  const caller = ctx.options.signal;
  const signal = caller ? AbortSignal.any([caller, timeout.signal]) : timeout.signal;
  const policy: RequestPolicy = { signal, ...(caller ? { cancelSignal: caller } : {}), retry: ctx.retry };
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<CheckBody>((resolve) => {
    onAbort = () =>
      resolve(
        caller?.aborted
          ? { status: "skip", title: skipTitles[id], detail: "Cancelled before this check finished.", code: "cancelled" }
          : explained(ctx, "fail", { code: "timeout" }),
      );
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    let result = await Promise.race([body(policy), aborted]);
    // A transport failure caused by cancellation is reported as cancellation, not as a Microsoft problem.
    if (caller?.aborted) result = { status: "skip", title: skipTitles[id], detail: "Cancelled before this check finished.", code: "cancelled" };
    return { id, ...result, durationMs: Math.round((performance.now() - started) * 10) / 10 };
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}

