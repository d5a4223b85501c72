import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, pageContentSecurityPolicy, securityHeaders } from "@/lib/security-headers";

describe("security headers", () => {
  it("forbid framing, sniffing, foreign referrers and, outside pages, foreign content, plugins, bases, form targets and every inline script", () => {
    expect(securityHeaders()).toEqual({
      "x-frame-options": "DENY",
      "x-content-type-options": "nosniff",
      "referrer-policy": "same-origin",
      "content-security-policy": "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    });
  });

  it("keep the base policy in a page's own policy", () => {
    expect(contentSecurityPolicy(["script-src 'self' 'nonce-abc'"])).toBe(
      "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; script-src 'self' 'nonce-abc'",
    );
  });

  it("let a page run only the scripts and style elements that carry its nonce, with eval and style elements without it only in development", () => {
    const production = pageContentSecurityPolicy("bm9uY2U=", { dev: false });
    expect(production).toBe(
      "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; " +
        "script-src 'self' 'nonce-bm9uY2U=' 'strict-dynamic'; style-src 'self' 'nonce-bm9uY2U='; style-src-attr 'unsafe-inline'; connect-src 'self'",
    );
    expect(production).not.toContain("unsafe-eval");
    const development = pageContentSecurityPolicy("bm9uY2U=", { dev: true });
    expect(development).toContain("; script-src 'self' 'nonce-bm9uY2U=' 'strict-dynamic' 'unsafe-eval'; style-src 'self' 'unsafe-inline';");
  });

  it("tell browsers to use https only when the public URL is https", () => {
    expect(securityHeaders({ publicUrl: "https://calsync.example.com" })["strict-transport-security"]).toBe("max-age=31536000");
    expect(securityHeaders({ publicUrl: "http://calsync.example.test:8080" })).not.toHaveProperty("strict-transport-security");
    expect(securityHeaders({})).not.toHaveProperty("strict-transport-security");
  });
});
