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
});
