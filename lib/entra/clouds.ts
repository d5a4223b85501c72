import { z } from "zod";

/**
 * The cloud catalog: the only place in the code base that names a Microsoft host. Pure data (no
 * server-only import) because the wizard builds admin-center deep links and consent URLs from it in
 * the browser too. `custom` gets its hosts from the server configuration (see `resolveCloud`).
 */

export const cloudIdSchema = z.enum(["global", "usgov", "usgov-dod", "china", "custom"]);
export type CloudId = z.infer<typeof cloudIdSchema>;

export type Cloud = {
  id: CloudId;
  /** What people call it; used in sentences such as "This tenant is in US Government (GCC High)". */
  label: string;
  /** Sign-in (authority) origin, e.g. `https://login.microsoftonline.com`. */
  authorityHost: string;
  /** Microsoft Graph origin, e.g. `https://graph.microsoft.com`. */
  graphHost: string;
  /**
   * `custom` only, when browsers reach the sign-in pages at another origin than the server does (the
   * demo's simulator serves them over plain http on loopback). Only URLs handed to a browser use it.
   */
  browserAuthorityHost?: string;
  /** Entra admin center (portal) origin for deep links; absent for `custom`. */
  portalOrigin?: string;
  /**
   * Values of the tenant OpenID document that identify this cloud. `cloud_instance_name` is shared by
   * both US Government clouds, so `msgraph_host` (and `tenant_region_sub_scope`) tell them apart.
   */
  cloudInstanceNames: readonly string[];
  msgraphHosts: readonly string[];
  /** `tenant_region_sub_scope` value that marks this cloud, when the instance name is shared. */
  tenantRegionSubScope?: string;
};

export const knownClouds = {
  global: {
    id: "global",
    label: "Global (Microsoft Entra ID)",
    authorityHost: "https://login.microsoftonline.com",
    graphHost: "https://graph.microsoft.com",
    portalOrigin: "https://entra.microsoft.com",
    cloudInstanceNames: ["microsoftonline.com"],
    msgraphHosts: ["graph.microsoft.com"],
  },
  usgov: {
    id: "usgov",
    label: "US Government (GCC High)",
    authorityHost: "https://login.microsoftonline.us",
    graphHost: "https://graph.microsoft.us",
    portalOrigin: "https://entra.microsoft.us",
    cloudInstanceNames: ["microsoftonline.us"],
    msgraphHosts: ["graph.microsoft.us"],
  },
  "usgov-dod": {
    id: "usgov-dod",
    label: "US Government DoD (L5)",
    authorityHost: "https://login.microsoftonline.us",
    graphHost: "https://dod-graph.microsoft.us",
    portalOrigin: "https://entra.microsoft.us",
    cloudInstanceNames: ["microsoftonline.us"],
    msgraphHosts: ["dod-graph.microsoft.us"],
    tenantRegionSubScope: "DOD",
  },
  china: {
    id: "china",
    label: "China (operated by 21Vianet)",
    authorityHost: "https://login.chinacloudapi.cn",
    graphHost: "https://microsoftgraph.chinacloudapi.cn",
    portalOrigin: "https://portal.azure.cn",
    // The OpenID document of a 21Vianet tenant names the partner host msal actually talks to.
    cloudInstanceNames: ["partner.microsoftonline.cn", "chinacloudapi.cn"],
    msgraphHosts: ["microsoftgraph.chinacloudapi.cn"],
  },
} as const satisfies Record<Exclude<CloudId, "custom">, Cloud>;

export type KnownCloudId = keyof typeof knownClouds;

/**
 * A private or test endpoint. It stands in for the global cloud (a simulator or proxy in front of
 * it), so tenants that describe themselves as global, or by the custom hosts, belong to it.
 */
export function customCloud(hosts: { authorityHost: string; graphHost: string; browserAuthorityHost?: string }): Cloud {
  const authorityHost = new URL(hosts.authorityHost).origin;
  const graphHost = new URL(hosts.graphHost).origin;
  return {
    id: "custom",
    label: `Custom endpoints (${new URL(authorityHost).host})`,
    authorityHost,
    graphHost,
    ...(hosts.browserAuthorityHost ? { browserAuthorityHost: new URL(hosts.browserAuthorityHost).origin } : {}),
    cloudInstanceNames: [...knownClouds.global.cloudInstanceNames, new URL(authorityHost).hostname],
    msgraphHosts: [...knownClouds.global.msgraphHosts, new URL(graphHost).host, new URL(graphHost).hostname],
  };
}

/** A sign-in URL as a browser must open it: on the browser-facing origin when the cloud has one. */
export function browserFacingUrl(cloud: Cloud, url: string): string {
  if (!cloud.browserAuthorityHost || !url.startsWith(`${cloud.authorityHost}/`)) return url;
  return `${cloud.browserAuthorityHost}${url.slice(cloud.authorityHost.length)}`;
}

/** The client-credentials scope for Microsoft Graph on this cloud. */
export function graphDefaultScope(cloud: Cloud): string {
  return `${cloud.graphHost}/.default`;
}

/**
 * Microsoft's error-lookup page for an AADSTS number, on the cloud's own sign-in host (a person in
 * a sovereign cloud may not reach the global one).
 */
export function errorLookupUrl(cloud: Cloud, code: string | number): string {
  const digits = String(code).replace(/^AADSTS/i, "");
  return browserFacingUrl(cloud, `${cloud.authorityHost}/error?code=${encodeURIComponent(digits)}`);
}

export type TenantCloudHints = {
  cloud_instance_name?: string;
  msgraph_host?: string;
  tenant_region_scope?: string;
  tenant_region_sub_scope?: string;
};

/**
 * Which known cloud a tenant's OpenID document describes, or undefined when it does not say. Used to
 * tell someone "this tenant is in US Government (GCC High); choose that cloud".
 */
export function cloudOfTenant(hints: TenantCloudHints): KnownCloudId | undefined {
  const graph = hints.msgraph_host?.toLowerCase();
  const subScope = hints.tenant_region_sub_scope?.toUpperCase();
  if (graph) {
    for (const cloud of Object.values(knownClouds)) {
      if ((cloud.msgraphHosts as readonly string[]).includes(graph)) {
        // GCC High and DoD tenants may both report graph.microsoft.us; the sub scope decides.
        if (cloud.id === "usgov" && subScope === "DOD") return "usgov-dod";
        return cloud.id;
      }
    }
  }
  const instance = hints.cloud_instance_name?.toLowerCase();
  if (instance) {
    if (instance === "microsoftonline.us") return subScope === "DOD" ? "usgov-dod" : "usgov";
    for (const cloud of Object.values(knownClouds)) {
      if ((cloud.cloudInstanceNames as readonly string[]).includes(instance)) return cloud.id;
    }
  }
  if (hints.tenant_region_scope?.toUpperCase() === "USGOV") return subScope === "DOD" ? "usgov-dod" : "usgov";
  return undefined;
}

/** Whether the tenant's OpenID document places it in the chosen cloud. Silent documents count as a match. */
export function tenantMatchesCloud(cloud: Cloud, hints: TenantCloudHints): boolean {
  const detected = cloudOfTenant(hints);
  if (cloud.id === "custom") {
    const graph = hints.msgraph_host?.toLowerCase();
    if (graph && cloud.msgraphHosts.includes(graph)) return true;
    return detected === undefined || detected === "global";
  }
  return detected === undefined || detected === cloud.id;
}
