import "server-only";
import { z } from "zod";
import type { Cloud, TenantCloudHints } from "@/lib/entra/clouds";
import { policyFetch, TransportError, type RequestPolicy } from "@/lib/entra/http-transport";
import { parseEstsErrorBody, type TokenFailure } from "@/lib/entra/token-error";

/**
 * The tenant's OpenID document: proves the tenant exists in the chosen cloud, resolves a domain to
 * the tenant GUID, and tells which cloud the tenant really lives in.
 */

const openIdDocumentSchema = z
  .object({
    issuer: z.string(),
    token_endpoint: z.string(),
    // The multi-tenant documents (/organizations, /common) send null for the tenant-specific ones.
    cloud_instance_name: z.string().nullish(),
    msgraph_host: z.string().nullish(),
    tenant_region_scope: z.string().nullish(),
    tenant_region_sub_scope: z.string().nullish(),
  })
  .loose();

export type TenantMetadataResult =
  | { ok: true; tenantId: string | undefined; hints: TenantCloudHints }
  | { ok: false; failure: TokenFailure; transport?: TransportError };

const guidInPath = /\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\/|$)/i;

export function openIdConfigurationUrl(cloud: Cloud, tenant: string): string {
  return `${cloud.authorityHost}/${encodeURIComponent(tenant)}/v2.0/.well-known/openid-configuration`;
}

export async function fetchTenantMetadata(options: { cloud: Cloud; tenant: string; policy: RequestPolicy }): Promise<TenantMetadataResult> {
  let response: Response;
  let text: string;
  try {
    response = await policyFetch(openIdConfigurationUrl(options.cloud, options.tenant), { method: "GET", headers: { accept: "application/json" } }, options.policy);
    text = await response.text();
  } catch (error) {
    if (error instanceof TransportError) return { ok: false, failure: { code: error.kind }, transport: error };
    throw error;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, failure: { code: "unexpected-response", status: response.status } };
  }
  if (!response.ok) {
    return { ok: false, failure: parseEstsErrorBody(body, response.status) ?? { code: "unexpected-response", status: response.status } };
  }
  const document = openIdDocumentSchema.safeParse(body);
  if (!document.success) return { ok: false, failure: { code: "unexpected-response", status: response.status } };
  const { issuer, token_endpoint, cloud_instance_name, msgraph_host, tenant_region_scope, tenant_region_sub_scope } = document.data;
  const tenantId = (guidInPath.exec(new URL(issuer, "https://invalid").pathname) ?? guidInPath.exec(new URL(token_endpoint, "https://invalid").pathname))?.[1];
  return {
    ok: true,
    tenantId: tenantId?.toLowerCase(),
    hints: {
      ...(cloud_instance_name ? { cloud_instance_name } : {}),
      ...(msgraph_host ? { msgraph_host } : {}),
      ...(tenant_region_scope ? { tenant_region_scope } : {}),
      ...(tenant_region_sub_scope ? { tenant_region_sub_scope } : {}),
    },
  };
}
