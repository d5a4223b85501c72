import "server-only";

/**
 * The one HTTP path to Microsoft for the validation pipeline (msal's network client and the Graph
 * client's fetch both come through here). It exists because neither SDK can do what a validator
 * needs: cancel a request, bound it in time, tell a TLS failure from a refused connection, and
 * retry throttling within a small shared budget instead of sleeping for minutes.
 */

export type TransportFailureKind = "timeout" | "cancelled" | "network" | "tls";

export class TransportError extends Error {
  override name = "TransportError";
  readonly kind: TransportFailureKind;
  /** The host that failed; messages never carry URLs with secrets (only origins are kept). */
  readonly origin: string;
  constructor(kind: TransportFailureKind, origin: string, detail: string, options?: { cause?: unknown }) {
    super(`${kind} talking to ${origin}: ${detail}`, options);
    this.kind = kind;
    this.origin = origin;
  }
}

/** Shared by every request of one validation, so throttling cannot stretch a validation past it. */
export type RetryBudget = { remainingMs: number; maxAttempts: number };

export function createRetryBudget(totalMs = 10_000, maxAttempts = 4): RetryBudget {
  return { remainingMs: totalMs, maxAttempts };
}

export type RequestPolicy = {
  /** Aborts on the check's timeout or the caller's cancellation. */
  signal: AbortSignal;
  /** The caller's own signal: when it is the one aborted, the failure is `cancelled`, not `timeout`. */
  cancelSignal?: AbortSignal;
  retry: RetryBudget;
};

// Node's TLS verification failures (OpenSSL names) and undici's TLS-related codes.
const tlsErrorCodes = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REVOKED",
  "CERT_SIGNATURE_FAILURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "EPROTO",
]);

function errorChain(error: unknown): { code?: string; message: string }[] {
  const chain: { code?: string; message: string }[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current; depth += 1) {
    if (current instanceof Error) {
      const code = (current as Error & { code?: unknown }).code;
      chain.push({ ...(typeof code === "string" ? { code } : {}), message: current.message });
      current = current.cause;
    } else {
      break;
    }
  }
  return chain;
}

/** Turns whatever fetch threw into one of our failure kinds. */
export function classifyFetchFailure(error: unknown, policy: Pick<RequestPolicy, "signal" | "cancelSignal">, origin: string): TransportError {
  if (error instanceof TransportError) return error;
  if (policy.cancelSignal?.aborted) return new TransportError("cancelled", origin, "cancelled by the caller", { cause: error });
  if (policy.signal.aborted) return new TransportError("timeout", origin, "no answer before the time limit", { cause: error });
  const chain = errorChain(error);
  const tls = chain.find((link) => (link.code && (tlsErrorCodes.has(link.code) || link.code.startsWith("ERR_SSL") || link.code.startsWith("ERR_TLS"))) || /certificate|ssl|tls/i.test(link.message));
  if (tls) return new TransportError("tls", origin, tls.code ?? tls.message, { cause: error });
  const coded = chain.find((link) => link.code);
  if (coded?.code === "UND_ERR_CONNECT_TIMEOUT" || coded?.code === "UND_ERR_HEADERS_TIMEOUT") {
    return new TransportError("timeout", origin, coded.code, { cause: error });
  }
  return new TransportError("network", origin, coded?.code ?? chain.at(-1)?.message ?? "request failed", { cause: error });
}

/** Seconds (fractional allowed, as Graph sends them) or an HTTP date; undefined when absent or garbage. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

const retryableStatuses = new Set([429, 503, 504]);
/** Used when a 429/503 carries no Retry-After: short, growing waits. */
const fallbackDelaysMs = [250, 500, 1000];

/**
 * fetch with the validation's policy: aborts with the check, classifies transport failures, and
 * retries 429/503/504 while the shared budget allows the wait Microsoft asked for. When it does not,
 * the throttled response itself is returned so the caller reports Microsoft's code.
 */
export async function policyFetch(url: string, init: RequestInit, policy: RequestPolicy): Promise<Response> {
  const origin = new URL(url).origin;
  for (let attempt = 1; ; attempt += 1) {
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: policy.signal });
    } catch (error) {
      throw classifyFetchFailure(error, policy, origin);
    }
    if (!retryableStatuses.has(response.status) || attempt >= policy.retry.maxAttempts) return response;
    const waitMs = parseRetryAfter(response.headers.get("retry-after")) ?? fallbackDelaysMs[attempt - 1] ?? 1000;
    if (waitMs > policy.retry.remainingMs) return response;
    policy.retry.remainingMs -= waitMs;
    await response.body?.cancel().catch(() => undefined);
    try {
      await abortableDelay(waitMs, policy.signal);
    } catch (error) {
      throw classifyFetchFailure(error, policy, origin);
    }
  }
}
