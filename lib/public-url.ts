import type { Env } from "@/lib/env";

/** The origin people use to reach the console: links in alerts and invitations, redirect URIs. */
export function publicUrl(env: Env): string {
  if (env.CALSYNC_PUBLIC_URL) return env.CALSYNC_PUBLIC_URL;
  const host = env.HOST === "0.0.0.0" || env.HOST === "::" ? "localhost" : env.HOST;
  return `http://${host.includes(":") ? `[${host}]` : host}:${env.PORT}`;
}

/**
 * People reach the console over https only (directly or through a TLS proxy): the session cookie can
 * then be a `__Host-` cookie and browsers can be told never to use plain http.
 */
export function isHttpsPublicUrl(env: Pick<Env, "CALSYNC_PUBLIC_URL">): boolean {
  return env.CALSYNC_PUBLIC_URL?.startsWith("https://") === true;
}
