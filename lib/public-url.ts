import type { Env } from "@/lib/env";

/** The origin people use to reach the console: links in alerts and invitations, redirect URIs. */
export function publicUrl(env: Env): string {
  if (env.CALSYNC_PUBLIC_URL) return env.CALSYNC_PUBLIC_URL;
  const host = env.HOST === "0.0.0.0" || env.HOST === "::" ? "localhost" : env.HOST;
  return `http://${host.includes(":") ? `[${host}]` : host}:${env.PORT}`;
}
