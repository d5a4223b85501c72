/**
 * The security headers of every response the console sends. scripts/server.mjs puts them on each
 * response before anything else answers it, so pages, static files, Next's route handlers, error
 * pages and the sync-engine API's fast path all carry the same set, with nothing to keep in step.
 *
 * A header that Next.js (or proxy.ts) sets on a response replaces the one put here: a page's
 * nonce-based Content-Security-Policy is built with `contentSecurityPolicy([...its directives])`, so
 * it keeps the base directives. A header that depends on the deployment (Strict-Transport-Security
 * for an https public URL) becomes an option of `securityHeaders`, not a header set elsewhere.
 *
 * scripts/server.mjs loads this file with Node's type stripping: erasable TypeScript, no imports.
 */

/** What every policy forbids, pages or not: framing, a foreign <base>, foreign form targets, plugins. */
const BASE_POLICY = ["frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'", "object-src 'none'"] as const;

export function contentSecurityPolicy(directives: readonly string[] = []): string {
  return [...BASE_POLICY, ...directives].join("; ");
}

/**
 * One year, the usual minimum for preload lists. Not includeSubDomains: the console's host name may
 * have subdomains the console does not serve, and those are not its to move to https.
 */
const HSTS = "max-age=31536000";

export type SecurityHeaderOptions = {
  /** CALSYNC_PUBLIC_URL: an https one adds Strict-Transport-Security. */
  publicUrl?: string | undefined;
};

export function securityHeaders(options: SecurityHeaderOptions = {}): Readonly<Record<string, string>> {
  return Object.freeze({
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "content-security-policy": contentSecurityPolicy(),
    ...(options.publicUrl?.startsWith("https://") ? { "strict-transport-security": HSTS } : {}),
  });
}
