import type { Browser, BrowserContext } from "@playwright/test";

/**
 * What the specs expect of the console's Content-Security-Policy, written out here rather than taken
 * from lib/security-headers.ts, so that a change to the policy has to change a test too.
 */

/** Every policy, a page's or not: no plugins, no <base>, no framing, forms only to the console. */
const EVERY_POLICY = {
  "default-src": ["'self'"],
  "object-src": ["'none'"],
  "base-uri": ["'none'"],
  "frame-ancestors": ["'none'"],
  "form-action": ["'self'"],
};

/** Responses that are not pages (files, the API, route handlers outside page paths). */
export const STATIC_POLICY: Record<string, string[]> = EVERY_POLICY;

/**
 * A page's policy in production: scripts and style elements only with this response's nonce, plus
 * the two style elements sonner writes when it loads (empty, then its stylesheet), by hash.
 */
export function pagePolicy(nonce: string): Record<string, string[]> {
  return {
    ...EVERY_POLICY,
    "script-src": ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"],
    "style-src": ["'self'", `'nonce-${nonce}'`, "'sha256-StEaX+se6YS7pqjzrzMIA0KaX9zF/8zAhvQXZAe5epY='", "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"],
    "style-src-attr": ["'unsafe-inline'"],
    "connect-src": ["'self'"],
  };
}

/** Directive → sources; throws on a directive given twice (the browser would ignore the second). */
export function parsePolicy(header: string): Record<string, string[]> {
  const directives: Record<string, string[]> = {};
  for (const part of header.split(";").map((item) => item.trim()).filter(Boolean)) {
    const [name, ...sources] = part.split(/\s+/);
    if (name! in directives) throw new Error(`${name} appears twice in ${header}`);
    directives[name!] = sources;
  }
  return directives;
}

/** The nonce of a page policy's script-src, if it has one. */
export function nonceOf(header: string): string | undefined {
  return parsePolicy(header)["script-src"]?.map((source) => /^'nonce-(.+)'$/.exec(source)?.[1]).find(Boolean);
}

const BINDING = "__calsyncContentSecurityPolicyViolation";

/**
 * Records what breaks a page's policy in a context: each `securitypolicyviolation` event (from an
 * init script on every document) and each message the browser writes to the console about the
 * policy (an inline script it refused, a directive it could not parse).
 */
export async function recordPolicyViolations(context: BrowserContext, violations: string[]): Promise<void> {
  await context.exposeBinding(BINDING, ({ page }, text: string) => {
    violations.push(`${page.url()}: ${text}`);
  });
  await context.addInitScript((binding) => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const report = (window as unknown as Record<string, (text: string) => void>)[binding]!;
      report(`${event.effectiveDirective} refused ${event.blockedURI || "an inline source"} at ${event.sourceFile}:${event.lineNumber} (${event.disposition}) ${event.sample}`);
    });
  }, BINDING);
  context.on("console", (message) => {
    if (/content[- ]security[- ]policy/i.test(message.text())) violations.push(`${message.page()?.url() ?? "a worker"}: console ${message.type()}: ${message.text()}`);
  });
}

/**
 * Also records in every context the test opens itself with `browser.newContext()` (or `newPage()`),
 * until the returned function restores the browser.
 */
export function recordInNewContexts(browser: Browser, violations: string[]): () => void {
  const newContext = browser.newContext;
  browser.newContext = async (options) => {
    const context = await newContext.call(browser, options);
    await recordPolicyViolations(context, violations);
    return context;
  };
  return () => {
    browser.newContext = newContext;
  };
}
