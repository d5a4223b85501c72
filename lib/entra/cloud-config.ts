import "server-only";
import { cloudIdSchema, customCloud, knownClouds, type Cloud, type CloudId } from "@/lib/entra/clouds";
import { getEnv } from "@/lib/env";

/** The cloud chosen by `CALSYNC_CLOUD`, used when a caller does not pick one. */
export function defaultCloudId(): CloudId {
  return getEnv().CALSYNC_CLOUD;
}

/**
 * The catalog entry for a cloud id, with `custom` filled in from CALSYNC_AUTHORITY_HOST and
 * CALSYNC_GRAPH_HOST. Undefined when `custom` is asked for but not configured.
 */
export function resolveCloud(id: CloudId): Cloud | undefined {
  if (id !== "custom") return knownClouds[id];
  const env = getEnv();
  if (!env.CALSYNC_AUTHORITY_HOST || !env.CALSYNC_GRAPH_HOST) return undefined;
  return customCloud({
    authorityHost: env.CALSYNC_AUTHORITY_HOST,
    graphHost: env.CALSYNC_GRAPH_HOST,
    ...(env.CALSYNC_AUTHORITY_BROWSER_HOST ? { browserAuthorityHost: env.CALSYNC_AUTHORITY_BROWSER_HOST } : {}),
  });
}

/** The clouds this server can reach, as form options (custom only when its hosts are configured). */
export function configuredCloudOptions(): { value: CloudId; label: string }[] {
  return cloudIdSchema.options.flatMap((id) => {
    const cloud = resolveCloud(id);
    return cloud ? [{ value: id, label: cloud.label }] : [];
  });
}

/** A stored cloud id in words, for tables and pages: the bare id means nothing to an admin. */
export function cloudName(id: string): string {
  const parsed = cloudIdSchema.safeParse(id);
  if (!parsed.success) return "Unknown cloud";
  return resolveCloud(parsed.data)?.label ?? "Custom endpoints (no longer configured)";
}
