import "server-only";

/**
 * Per-key fixed-window request counting, in memory. Each console process counts on its own, so
 * behind N instances a key can reach N × the limit; that is acceptable for a guard against a runaway
 * engine, and it keeps a database write off every request.
 */

export const RATE_WINDOW_SECONDS = 60;
const POLICY_NAME = "default";

export type RateDecision = {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (at least 1). */
  resetSeconds: number;
};

type Window = { startedAt: number; count: number };

export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  private lastSweep = 0;

  consume(key: string, limit: number, now = Date.now()): RateDecision {
    const windowMs = RATE_WINDOW_SECONDS * 1000;
    this.sweep(now, windowMs);
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= windowMs) {
      window = { startedAt: now, count: 0 };
      this.windows.set(key, window);
    }
    const resetSeconds = Math.max(1, Math.ceil((window.startedAt + windowMs - now) / 1000));
    if (window.count >= limit) return { allowed: false, limit, remaining: 0, resetSeconds };
    window.count += 1;
    return { allowed: true, limit, remaining: limit - window.count, resetSeconds };
  }

  /** Forgets every window; for tests that need a fresh budget. */
  reset(): void {
    this.windows.clear();
  }

  // Windows of keys that stopped calling would otherwise stay in the map for the life of the process.
  private sweep(now: number, windowMs: number): void {
    if (now - this.lastSweep < windowMs) return;
    this.lastSweep = now;
    for (const [key, window] of this.windows) if (now - window.startedAt >= windowMs) this.windows.delete(key);
  }
}

/** IETF draft-ietf-httpapi-ratelimit-headers (structured fields), plus Retry-After when refused. */
export function rateLimitHeaders(decision: RateDecision): Record<string, string> {
  return {
    "RateLimit-Policy": `"${POLICY_NAME}";q=${decision.limit};w=${RATE_WINDOW_SECONDS}`,
    RateLimit: `"${POLICY_NAME}";r=${decision.remaining};t=${decision.resetSeconds}`,
    ...(decision.allowed ? {} : { "Retry-After": String(decision.resetSeconds) }),
  };
}

// One budget per key in a process: the fast path runs in instrumentation.ts's module instance, while
// Next's route files (HEAD, which Next derives from GET, and the test route) run in the app's; Next
// keeps the two instances apart, so the counts live on globalThis.
const globalLimiter = globalThis as typeof globalThis & { __calsyncApiRateLimiter?: RateLimiter };

export function apiRateLimiter(): RateLimiter {
  globalLimiter.__calsyncApiRateLimiter ??= new RateLimiter();
  return globalLimiter.__calsyncApiRateLimiter;
}
