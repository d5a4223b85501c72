import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, securityHeaders } from "@/lib/security-headers";

describe("security headers", () => {
  it("forbid framing, sniffing, foreign referrers, foreign bases and form targets, and plugins", () => {
    expect(securityHeaders()).toEqual({
      "x-frame-options": "DENY",
      "x-content-type-options": "nosniff",
      "referrer-policy": "same-origin",
      "content-security-policy": "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
    });
  });

  it("keep the base policy in a page's own policy", () => {
    expect(contentSecurityPolicy(["script-src 'self' 'nonce-abc'"])).toBe("frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'; script-src 'self' 'nonce-abc'");
  });

  it("tell browsers to use https only when the public URL is https", () => {
    expect(securityHeaders({ publicUrl: "https://calsync.example.com" })["strict-transport-security"]).toBe("max-age=31536000");
    expect(securityHeaders({ publicUrl: "http://calsync.example.test:8080" })).not.toHaveProperty("strict-transport-security");
    expect(securityHeaders({})).not.toHaveProperty("strict-transport-security");
  });
});
