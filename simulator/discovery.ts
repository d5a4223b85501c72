import { randomUUID } from "node:crypto";
import { ests, estsHeaders, sendEstsError } from "./errors";
import { sendJson, type RequestContext } from "./http";
import { CLOUDS, isValidTenantIdentifier } from "./state";
import type { ScenarioTenant } from "./scenario";

/** Multi-tenant authorities ESTS accepts in the tenant slot. */
export const MULTI_TENANT = new Set(["common", "organizations", "consumers"]);

export type TenantResolution =
  | { kind: "tenant"; tenant: ScenarioTenant }
  | { kind: "multi"; name: string }
  | { kind: "error"; sent: true };

/** Resolves the tenant path segment, answering 900023 / 90002 itself when it cannot. */
export function resolveTenant(ctx: RequestContext, segment: string, allowMulti: boolean): TenantResolution {
  const lower = segment.toLowerCase();
  if (allowMulti && MULTI_TENANT.has(lower)) return { kind: "multi", name: lower };
  if (!isValidTenantIdentifier(segment)) {
    sendEstsError(ctx, ests.tenantMalformed(segment));
    return { kind: "error", sent: true };
  }
  const tenant = ctx.state.findTenant(segment);
  if (!tenant) {
    sendEstsError(ctx, ests.tenantNotFound(segment));
    return { kind: "error", sent: true };
  }
  return { kind: "tenant", tenant };
}

function openIdConfiguration(origin: string, tenantPath: string, tenant: ScenarioTenant | undefined): Record<string, unknown> {
  // Multi-tenant documents carry the literal "{tenantid}" template, as Entra's /common document does.
  const tid = tenant?.id ?? "{tenantid}";
  const cloud = CLOUDS[tenant?.cloud ?? "global"];
  const base = `${origin}/${tenant ? tenant.id : tenantPath}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: `${origin}/${tid}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${cloud.graphOrigin}/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: [
      "sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat",
      "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email",
    ],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: tenant ? cloud.tenantRegionScope : null,
    cloud_instance_name: cloud.cloudInstanceName,
    cloud_graph_host_name: cloud.cloudGraphHostName,
    msgraph_host: cloud.msgraphHost,
    rbac_url: "https://pas.windows.net",
  };
}

function metadataHeaders(): Record<string, string | string[]> {
  return {
    ...estsHeaders(randomUUID()),
    "cache-control": "max-age=86400, private",
    "access-control-allow-origin": "*",
    "access-control-allow-methods": "GET, OPTIONS",
  };
}

/** Instance discovery, OpenID metadata and JWKS. Returns false when the path is not one of them. */
export async function handleDiscovery(ctx: RequestContext, first: string, rest: string[]): Promise<boolean> {
  if (ctx.record.method !== "GET") return false;
  const tail = rest.join("/");
  const { origin } = ctx;

  if (first.toLowerCase() === "common" && tail === "discovery/instance") {
    const authorizeEndpoint = ctx.url.searchParams.get("authorization_endpoint") ?? `${origin}/common/oauth2/v2.0/authorize`;
    let tenantSegment = "common";
    try {
      tenantSegment = new URL(authorizeEndpoint).pathname.split("/").filter(Boolean)[0] ?? "common";
    } catch {
      // msal does not URL-encode the parameter; a broken value still gets the common document.
    }
    const host = new URL(origin).host;
    sendJson(
      ctx,
      200,
      {
        tenant_discovery_endpoint: `${origin}/${tenantSegment}/v2.0/.well-known/openid-configuration`,
        "api-version": "1.1",
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      },
      metadataHeaders(),
    );
    return true;
  }

  const isOidc = tail === "v2.0/.well-known/openid-configuration";
  const isJwks = tail === "discovery/v2.0/keys" || tail === "discovery/keys";
  if (!isOidc && !isJwks) return false;

  const resolved = resolveTenant(ctx, first, true);
  if (resolved.kind === "error") return true;
  if (isOidc) {
    const tenant = resolved.kind === "tenant" ? resolved.tenant : undefined;
    sendJson(ctx, 200, openIdConfiguration(origin, first.toLowerCase(), tenant), metadataHeaders());
    return true;
  }
  const issuer = resolved.kind === "tenant" ? `${origin}/${resolved.tenant.id}/v2.0` : `${origin}/{tenantid}/v2.0`;
  sendJson(ctx, 200, { keys: [{ ...ctx.signingKey.jwk, issuer }] }, metadataHeaders());
  return true;
}
