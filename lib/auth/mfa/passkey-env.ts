import "server-only";
import { getEnv } from "@/lib/env";
import { UserFacingError } from "@/lib/errors";
import { passkeySupport, type PasskeySupport } from "@/lib/auth/mfa/passkeys";

/** For actions: the relying party, or the reason passkeys are off as the person's error. */
export function requirePasskeySupport(): Extract<PasskeySupport, { ok: true }> {
  const support = passkeySupport(getEnv());
  if (!support.ok) throw new UserFacingError(support.reason);
  return support;
}
