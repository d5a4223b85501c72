import "server-only";
import { randomUUID } from "node:crypto";
import {
  ConfidentialClientApplication,
  LogLevel,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from "@azure/msal-node";
import { certificateAssertionCallback } from "@/lib/entra/client-assertion";
import { graphDefaultScope, type Cloud } from "@/lib/entra/clouds";
import { policyFetch, TransportError, type RequestPolicy } from "@/lib/entra/http-transport";
import { parseEstsErrorBody, parseMsalError, type TokenFailure } from "@/lib/entra/token-error";

/**
 * msal-node factory for app-only (client credentials) tokens. One fresh
 * ConfidentialClientApplication per call: msal caches tokens and throttling state per instance, so
 * a reused instance would keep "working" after the secret changed and replay a 429 without asking.
 * What is worth reusing, a certificate's signed assertion, is cached per credential on its own.
 */

/** The OpenID document msal would otherwise fetch; given up front so it makes no discovery request. */
export function authorityMetadataFor(cloud: Cloud, tenant: string): string {
  const base = `${cloud.authorityHost}/${tenant}`;
  return JSON.stringify({
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: `${base}/v2.0`,
    request_uri_parameter_supported: false,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
  });
}

/** An instance-discovery answer naming only the cloud's own host, so msal never asks the global cloud. */
export function cloudDiscoveryMetadataFor(cloud: Cloud, tenant: string): string {
  const host = new URL(cloud.authorityHost).host;
  return JSON.stringify({
    tenant_discovery_endpoint: `${cloud.authorityHost}/${tenant}/v2.0/.well-known/openid-configuration`,
    "api-version": "1.1",
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  });
}

/** What the network client saw; msal's own errors drop the cause, so the pipeline reads it here. */
type NetworkObservation = {
  transportFailure?: TransportError;
  errorBody?: { status: number; body: unknown };
  unexpectedBody?: { status: number; contentType: string };
  requests: number;
};

/** msal's network module, routed through the validation's transport (timeout, cancel, bounded retry). */
export class PolicyNetworkClient implements INetworkModule {
  readonly observed: NetworkObservation = { requests: 0 };
  constructor(private readonly policy: RequestPolicy) {}

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>(url, "GET", options);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>(url, "POST", options);
  }

  private async send<T>(url: string, method: "GET" | "POST", options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    this.observed.requests += 1;
    let response: Response;
    let text: string;
    try {
      response = await policyFetch(
        url,
        { method, headers: options?.headers ?? {}, ...(method === "POST" ? { body: options?.body ?? "" } : {}) },
        this.policy,
      );
      text = await response.text();
    } catch (error) {
      if (error instanceof TransportError) this.observed.transportFailure = error;
      throw error;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      this.observed.unexpectedBody = { status: response.status, contentType: response.headers.get("content-type") ?? "" };
      throw new Error(`Microsoft answered ${response.status} with a body that is not JSON`);
    }
    if (response.status >= 400) this.observed.errorBody = { status: response.status, body };
    return { headers: Object.fromEntries(response.headers), body: body as T, status: response.status };
  }
}

/**
 * Authority settings for msal. Known Microsoft hosts are covered by msal's built-in metadata; a custom
 * host (the simulator, a sovereign test cloud) must be described, or msal would ask the global cloud.
 */
export function msalAuthorityOptions(cloud: Cloud, tenant: string) {
  return {
    authority: `${cloud.authorityHost}/${tenant}`,
    ...(cloud.id === "custom"
      ? {
          authorityMetadata: authorityMetadataFor(cloud, tenant),
          cloudDiscoveryMetadata: cloudDiscoveryMetadataFor(cloud, tenant),
          knownAuthorities: [new URL(cloud.authorityHost).host],
        }
      : {}),
  };
}

/** Logs can carry request bodies and tokens; nothing of msal's reaches ours. */
export const silentMsalLogger = { logLevel: LogLevel.Error, piiLoggingEnabled: false, loggerCallback: () => undefined };

/** The most faithful account of a failed msal call: transport failure, raw ESTS body, then msal's own error. */
export function tokenFailureOf(observed: PolicyNetworkClient["observed"], error: unknown, correlationId: string): Extract<AppTokenResult, { ok: false }> {
  if (observed.transportFailure) {
    return { ok: false, failure: { code: observed.transportFailure.kind, correlationId }, transport: observed.transportFailure };
  }
  if (observed.unexpectedBody) {
    return { ok: false, failure: { code: "unexpected-response", correlationId, status: observed.unexpectedBody.status }, unexpectedResponse: true };
  }
  // msal's error is the fallback (e.g. throttle replays, nonce mismatch, which never reach the network).
  const fromBody = observed.errorBody ? parseEstsErrorBody(observed.errorBody.body, observed.errorBody.status) : undefined;
  const failure = fromBody ?? parseMsalError(error);
  return { ok: false, failure: { correlationId, ...failure } };
}

export type AppTokenResult =
  | { ok: true; accessToken: string; correlationId: string }
  | {
      ok: false;
      failure: TokenFailure;
      /** Set when the request never got an answer (our codes `timeout`, `cancelled`, `network`, `tls`). */
      transport?: TransportError;
      unexpectedResponse?: boolean;
    };

/** How an app proves who it is: a client secret, or a certificate (private key signs a client assertion). */
export type ClientCredential =
  | { kind: "secret"; secret: string }
  | { kind: "certificate"; privateKeyPem: string; certificatePem: string; thumbprintSha256: string };

/** A certificate signs through the shared assertion cache (see client-assertion.ts for why not msal's `clientCertificate`). */
export function msalCredentialOptions(credential: ClientCredential) {
  return credential.kind === "secret" ? { clientSecret: credential.secret } : { clientAssertion: certificateAssertionCallback(credential) };
}

export async function acquireAppToken(options: {
  cloud: Cloud;
  tenant: string;
  clientId: string;
  /** A client secret; `credential` instead for a certificate. */
  clientSecret?: string;
  credential?: ClientCredential;
  policy: RequestPolicy;
  /** Defaults to the cloud's Graph `/.default`; tests pass malformed scopes to reach Microsoft's scope errors. */
  scope?: string;
}): Promise<AppTokenResult> {
  const { cloud, tenant } = options;
  const networkClient = new PolicyNetworkClient(options.policy);
  const correlationId = randomUUID();
  try {
    const app = new ConfidentialClientApplication({
      auth: {
        clientId: options.clientId,
        ...msalCredentialOptions(options.credential ?? { kind: "secret", secret: options.clientSecret ?? "" }),
        ...msalAuthorityOptions(cloud, tenant),
      },
      system: { networkClient, loggerOptions: silentMsalLogger },
    });
    const result = await app.acquireTokenByClientCredential({
      scopes: [options.scope ?? graphDefaultScope(cloud)],
      skipCache: true,
      correlationId,
    });
    if (!result?.accessToken) {
      return { ok: false, failure: { code: "unexpected-response", correlationId }, unexpectedResponse: true };
    }
    return { ok: true, accessToken: result.accessToken, correlationId };
  } catch (error) {
    return tokenFailureOf(networkClient.observed, error, correlationId);
  }
}
