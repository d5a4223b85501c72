import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { contentSecurityPolicy, pageContentSecurityPolicy, securityHeaders, SONNER_STYLE_HASH } from "@/lib/security-headers";

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
        `script-src 'self' 'nonce-bm9uY2U=' 'strict-dynamic'; style-src 'self' 'nonce-bm9uY2U=' '${SONNER_STYLE_HASH}' 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='; style-src-attr 'unsafe-inline'; connect-src 'self'`,
    );
    expect(production).not.toContain("unsafe-eval");
    const development = pageContentSecurityPolicy("bm9uY2U=", { dev: true });
    expect(development).toContain("; script-src 'self' 'nonce-bm9uY2U=' 'strict-dynamic' 'unsafe-eval'; style-src 'self' 'unsafe-inline';");
  });

  it("allow exactly the stylesheet that the installed sonner inserts when it loads", () => {
    const bundle = readFileSync(path.join(process.cwd(), "node_modules/sonner/dist/index.mjs"), "utf8");
    const literal = /\n__insertCSS\(("(?:[^"\\]|\\.)*")\)/.exec(bundle)?.[1];
    expect(literal, "sonner no longer inserts its CSS with __insertCSS: look again at how it loads its styles").toBeDefined();
    const css = JSON.parse(literal ?? "null") as string;
    expect(`sha256-${createHash("sha256").update(css).digest("base64")}`).toBe(SONNER_STYLE_HASH);
  });

  it("tell browsers to use https only when the public URL is https", () => {
    expect(securityHeaders({ publicUrl: "https://calsync.example.com" })["strict-transport-security"]).toBe("max-age=31536000");
    expect(securityHeaders({ publicUrl: "http://calsync.example.test:8080" })).not.toHaveProperty("strict-transport-security");
    expect(securityHeaders({})).not.toHaveProperty("strict-transport-security");
  });
});
