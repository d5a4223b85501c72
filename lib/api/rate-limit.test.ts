import { describe, expect, it } from "vitest";
import { RateLimiter, rateLimitHeaders } from "@/lib/api/rate-limit";

describe("RateLimiter", () => {
  it("allows the limit per window and key, then refuses until the window resets", () => {
    const limiter = new RateLimiter();
    const start = 1_000_000;
    expect([1, 2, 3].map(() => limiter.consume("a", 3, start).allowed)).toEqual([true, true, true]);
    const refused = limiter.consume("a", 3, start + 20_000);
    expect(refused).toEqual({ allowed: false, limit: 3, remaining: 0, resetSeconds: 40 });
    expect(rateLimitHeaders(refused)).toEqual({ "RateLimit-Policy": `"default";q=3;w=60`, RateLimit: `"default";r=0;t=40`, "Retry-After": "40" });
    expect(limiter.consume("b", 3, start + 20_000).allowed).toBe(true);
    const fresh = limiter.consume("a", 3, start + 60_000);
    expect(fresh).toEqual({ allowed: true, limit: 3, remaining: 2, resetSeconds: 60 });
    expect(rateLimitHeaders(fresh)).not.toHaveProperty("Retry-After");
  });
});
