/**
 * The security headers of every response the console sends. scripts/server.mjs puts them on each
 * response before anything else answers it, so pages, static files, Next's route handlers, error
 * pages and the sync-engine API's fast path all carry the same set, with nothing to keep in step.
 *
 * A header that Next.js (or proxy.ts) sets on a response replaces the one put here: a page's
 * nonce-based Content-Security-Policy (`pageContentSecurityPolicy`, set by proxy.ts) is built on the
 * same base directives, so every response carries exactly one policy. A header that depends on the
 * deployment (Strict-Transport-Security for an https public URL) becomes an option of
 * `securityHeaders`, not a header set elsewhere.
 *
 * scripts/server.mjs loads this file with Node's type stripping: erasable TypeScript, no imports.
 */

/**
 * What every policy says, pages or not: content only from the console, no plugins, no <base>, no
 * framing, forms only to the console. Alone it is the policy of everything that is not a page; an
 * HTML answer that reaches a browser without proxy.ts (Next's "not found" under /api/) then shows
 * its text but runs none of its inline scripts.
 */
const BASE_POLICY = ["default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"] as const;

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

/**
 * A page's policy, which proxy.ts sets with a fresh nonce per request. Next.js finds the nonce in
 * the request's copy of the policy and puts it on every script it writes; 'strict-dynamic' lets
 * those scripts load the chunks they need.
 *
 * Styles: the stylesheets are files ('self'), and a <style> element needs the nonce. Style
 * attributes are allowed ('unsafe-inline' in style-src-attr only): React and Next.js write some
 * (Next's error pages, style props), and an attribute holds declarations for one element, with no
 * selectors to probe the page and nothing that runs.
 *
 * sonner (the toasts) writes its stylesheet into a <style> element of its own when it loads, with no
 * way to give it the nonce, so its exact text is allowed by hash (a test recomputes the hash from the
 * installed package). Radix's scroll lock takes the nonce through get-nonce (components/style-nonce.tsx).
 *
 * Development only: React's debugging needs eval, and the error overlay and style reloading write
 * <style> elements without the nonce (a nonce in style-src would switch 'unsafe-inline' off).
 */
/** sha256 of the CSS that sonner inserts at load (node_modules/sonner/dist/index.mjs, `__insertCSS`). */
export const SONNER_STYLE_HASH = "sha256-StEaX+se6YS7pqjzrzMIA0KaX9zF/8zAhvQXZAe5epY=";
/** sha256 of nothing: sonner adds its <style> element empty and fills it afterwards, and both are checked. */
const EMPTY_STYLE_HASH = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

export function pageContentSecurityPolicy(nonce: string, options: { dev: boolean }): string {
  return contentSecurityPolicy([
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.dev ? " 'unsafe-eval'" : ""}`,
    options.dev ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${nonce}' '${SONNER_STYLE_HASH}' '${EMPTY_STYLE_HASH}'`,
    "style-src-attr 'unsafe-inline'",
    "connect-src 'self'",
  ]);
}
