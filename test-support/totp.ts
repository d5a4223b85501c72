import { Secret, TOTP } from "otpauth";

/**
 * What a person's authenticator app shows: the code for a setup key (base32) at a moment. Written
 * against otpauth directly, not the console's own TOTP module, so that the tests check the console
 * against a real app's behaviour.
 */
export function totpCode(secret: string, at = new Date()): string {
  return new TOTP({ algorithm: "SHA1", digits: 6, period: 30, secret: Secret.fromBase32(secret.replace(/\s+/g, "")) }).generate({ timestamp: at.getTime() });
}

/** The setup key inside an `otpauth://` URI, as an app reads it from the QR code. */
export function secretFromUri(uri: string): string {
  const secret = new URL(uri).searchParams.get("secret");
  if (!secret) throw new Error("the otpauth URI has no secret");
  return secret;
}

/**
 * A code for a step after `usedAt` (the console refuses a step it has seen): the next period's code,
 * valid now because the console accepts one step of clock drift.
 */
export function nextTotpCode(secret: string, now = new Date()): string {
  return totpCode(secret, new Date(now.getTime() + 30_000));
}
