import "server-only";
import { hash, randomBytes, timingSafeEqual } from "node:crypto";

/** A random bearer token for cookies, links and API keys: 256 bits, URL-safe. */
export function generateToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/**
 * Bearer tokens are high-entropy, so a fast hash is enough to make a stolen database useless for
 * replay; passwords, which are not, use argon2id instead.
 */
export function hashToken(token: string): string {
  // The one-shot form: about a third of createHash's cost, and every API request pays it.
  return hash("sha256", token, "hex");
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Only something generateToken could have made is worth a database lookup. */
export function isWellFormedToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{20,100}$/.test(token);
}

export type OneTimeLinkState = "valid" | "expired" | "used" | "unknown";

/** Invitation and connect links: used (or replaced) beats expired, so the message says what happened. */
export function oneTimeLinkState(link: { usedAt: Date | null; revokedAt: Date | null; expiresAt: Date } | null, now: Date): OneTimeLinkState {
  if (!link) return "unknown";
  if (link.usedAt || link.revokedAt) return "used";
  return link.expiresAt <= now ? "expired" : "valid";
}
