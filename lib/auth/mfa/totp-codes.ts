import { Secret, TOTP } from "otpauth";

/**
 * The RFC 6238 parameters every authenticator app understands: SHA-1, six digits, 30 seconds. One
 * step either side is accepted, for a phone whose clock is a little off.
 */
const PERIOD_SECONDS = 30;
const WINDOW = 1;
export const TOTP_ISSUER = "Calsync Console";

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpFor(secret: string, label = "account"): TOTP {
  return new TOTP({ issuer: TOTP_ISSUER, label, algorithm: "SHA1", digits: 6, period: PERIOD_SECONDS, secret: Secret.fromBase32(secret) });
}

/** The `otpauth://` URI an authenticator app reads from the QR code. */
export function totpUri(secret: string, accountName: string): string {
  return totpFor(secret, accountName).toString();
}

export function totpStep(now: Date): number {
  return Math.floor(now.getTime() / 1000 / PERIOD_SECONDS);
}

/**
 * The time step a code belongs to, or null when it is not a current code. A code is refused for a
 * step at or before `lastUsedStep`, so one seen over a shoulder or in a log cannot be used again.
 */
export function matchTotpCode(secret: string, code: string, now: Date, lastUsedStep: number | null): number | null {
  const token = code.replace(/\s+/g, "");
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totpFor(secret).validate({ token, timestamp: now.getTime(), window: WINDOW });
  if (delta === null) return null;
  const step = totpStep(now) + delta;
  return lastUsedStep !== null && step <= lastUsedStep ? null : step;
}

/** The code an authenticator app shows at `now` (tests and the demo use it). */
export function currentTotpCode(secret: string, now = new Date()): string {
  return totpFor(secret).generate({ timestamp: now.getTime() });
}
