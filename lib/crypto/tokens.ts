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
