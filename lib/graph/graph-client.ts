import "server-only";
import {
  AuthenticationHandler,
  Client,
  GraphError,
  TelemetryHandler,
  type AuthenticationProvider,
  type Context,
  type Middleware,
} from "@microsoft/microsoft-graph-client";
import type { Cloud } from "@/lib/entra/clouds";
import { policyFetch, TransportError, type RequestPolicy } from "@/lib/entra/http-transport";

/**
 * Microsoft Graph client factory (graph-client 3.0.7). The default middleware chain is replaced so
 * that (a) fetch goes through the validation transport (timeout, cancel, bounded retry honouring
 * fractional Retry-After) instead of RetryHandler's unbounded sleeps, and (b) the cause of a
 * transport failure survives (GraphError keeps only the message).
 */

export type GraphFailure = {
  /** Graph's `error.code`, or ours: `timeout`, `cancelled`, `network`, `tls`, `unexpected-response`. */
  code: string;
  message?: string;
  status?: number;
  /** Graph's request-id (innerError or response header): what Microsoft support asks for. */
  requestId?: string;
  timestamp?: string;
  transport?: TransportError;
};

export type GraphResult<T> = { ok: true; value: T; requestId?: string } | { ok: false; failure: GraphFailure };

class PolicyFetchMiddleware implements Middleware {
  lastTransportFailure: TransportError | undefined;
  constructor(private readonly policy: RequestPolicy) {}

  async execute(context: Context): Promise<void> {
    const url = typeof context.request === "string" ? context.request : context.request.url;
    const { signal: _ignored, ...init } = (context.options ?? {}) as RequestInit;
    try {
      context.response = await policyFetch(url, init, this.policy);
    } catch (error) {
      if (error instanceof TransportError) this.lastTransportFailure = error;
      throw error;
    }
  }
}

export type GraphSession = {
  client: Client;
  /** Runs one Graph call and turns every outcome into a value. */
  call<T>(run: (client: Client) => Promise<T>): Promise<GraphResult<T>>;
};

/** A Graph client bound to one check's policy (its timeout, cancellation and the shared retry budget). */
export function createGraphSession(options: { cloud: Cloud; accessToken: string; policy: RequestPolicy }): GraphSession {
  const authProvider: AuthenticationProvider = { getAccessToken: async () => options.accessToken };
  const fetcher = new PolicyFetchMiddleware(options.policy);
  const client = Client.initWithMiddleware({
    middleware: [new AuthenticationHandler(authProvider), new TelemetryHandler(), fetcher],
    baseUrl: `${options.cloud.graphHost}/`,
    defaultVersion: "v1.0",
    // graph-client only attaches the token for hosts it knows; a custom cloud's host must be listed.
    customHosts: new Set([new URL(options.cloud.graphHost).hostname]),
  });

  return {
    client,
    async call<T>(run: (client: Client) => Promise<T>): Promise<GraphResult<T>> {
      fetcher.lastTransportFailure = undefined;
      try {
        return { ok: true, value: await run(client) };
      } catch (error) {
        return { ok: false, failure: toGraphFailure(error, fetcher.lastTransportFailure) };
      }
    },
  };
}

function toGraphFailure(error: unknown, transport: TransportError | undefined): GraphFailure {
  if (transport) return { code: transport.kind, transport };
  if (error instanceof GraphError) {
    const headerRequestId = error.headers?.get("request-id") ?? undefined;
    const headerDate = error.headers?.get("date") ?? undefined;
    const validDate = error.date instanceof Date && !Number.isNaN(error.date.getTime()) && error.requestId ? error.date.toISOString() : undefined;
    if (error.statusCode > 0 && !error.code) {
      // A body that was not Graph's JSON error shape (an HTML gateway page, an empty 5xx).
      return {
        code: error.statusCode === 503 ? "ServiceUnavailable" : "unexpected-response",
        status: error.statusCode,
        ...(headerRequestId ? { requestId: headerRequestId } : {}),
      };
    }
    // Graph's backend failures arrive as 503/504 "UnknownError" with an empty message.
    const unavailable = (error.statusCode === 503 || error.statusCode === 504) && (!error.code || error.code === "UnknownError");
    return {
      code: unavailable ? "ServiceUnavailable" : (error.code ?? "unexpected-response"),
      ...(error.message ? { message: error.message } : {}),
      ...(error.statusCode > 0 ? { status: error.statusCode } : {}),
      ...((error.requestId ?? headerRequestId) ? { requestId: error.requestId ?? headerRequestId } : {}),
      ...((validDate ?? headerDate) ? { timestamp: validDate ?? headerDate } : {}),
    };
  }
  return { code: "unexpected-response" };
}
