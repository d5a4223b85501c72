import "server-only";
import type { Cloud } from "@/lib/entra/clouds";
import { createRetryBudget, policyFetch, TransportError } from "@/lib/entra/http-transport";

/**
 * Graph calls with the administrator's token. Plain fetch through the validation transport (timeout,
 * bounded 429/503 retry) rather than graph-client, because provisioning needs what graph-client drops:
 * `error.details[].code` (where Microsoft puts NoBackingApplicationObject and the policy refusals) and
 * per-request headers such as `ConsistencyLevel`.
 */

export type AdminGraphFailure = {
  status: number;
  /** Graph's `error.code`, or ours for transport failures (`timeout`, `network`, `tls`). */
  code: string;
  /** Every `error.details[].code`. */
  detailCodes: string[];
  message: string;
  requestId?: string;
};

export type AdminGraphResult<T> = { ok: true; status: number; value: T } | { ok: false; failure: AdminGraphFailure };

export type AdminGraph = {
  request<T = Record<string, unknown>>(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string> }): Promise<AdminGraphResult<T>>;
};

const REQUEST_TIMEOUT_MS = 30_000;

type GraphErrorBody = { error?: { code?: unknown; message?: unknown; details?: unknown; innerError?: { "request-id"?: unknown } } };

function failureOf(status: number, text: string, requestId: string | null): AdminGraphFailure {
  let body: GraphErrorBody = {};
  try {
    body = JSON.parse(text) as GraphErrorBody;
  } catch {
    // A gateway page or an empty body: the status alone is all there is.
  }
  const error = body.error ?? {};
  const details = Array.isArray(error.details) ? (error.details as { code?: unknown }[]) : [];
  return {
    status,
    code: typeof error.code === "string" ? error.code : `http-${status}`,
    detailCodes: details.map((detail) => detail.code).filter((code): code is string => typeof code === "string"),
    message: typeof error.message === "string" ? error.message : "",
    ...((requestId ?? error.innerError?.["request-id"]) ? { requestId: String(requestId ?? error.innerError?.["request-id"]) } : {}),
  };
}

export function createAdminGraph(cloud: Cloud, token: string, signal?: AbortSignal): AdminGraph {
  return {
    async request<T>(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<AdminGraphResult<T>> {
      const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
      const policy = { signal: signal ? AbortSignal.any([signal, timeout]) : timeout, ...(signal ? { cancelSignal: signal } : {}), retry: createRetryBudget() };
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "application/json", ...options.headers };
      if (options.body !== undefined) headers["content-type"] = "application/json";
      try {
        const response = await policyFetch(`${cloud.graphHost}/v1.0${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) }, policy);
        const text = await response.text();
        if (!response.ok) return { ok: false, failure: failureOf(response.status, text, response.headers.get("request-id")) };
        return { ok: true, status: response.status, value: (text ? JSON.parse(text) : {}) as T };
      } catch (error) {
        if (error instanceof TransportError) return { ok: false, failure: { status: 0, code: error.kind, detailCodes: [], message: error.message } };
        throw error;
      }
    },
  };
}
