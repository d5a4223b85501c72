import "server-only";
import { isIP } from "node:net";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { recordAudit } from "@/lib/audit/audit";
import type { DbClient } from "@/lib/db/types";
import type { Env } from "@/lib/env";
import { UserFacingError } from "@/lib/errors";
import { publicUrl } from "@/lib/public-url";
import { clearRecoveryCodesWithoutFactors, getMfaStatus, LAST_REQUIRED_FACTOR } from "@/lib/auth/mfa/factors";

/**
 * Browsers allow WebAuthn only in a secure context on a host name: https with a certificate they
 * trust, or http://localhost; never on an IP address. The relying party is the public URL's host,
 * so passkeys are offered only where that URL qualifies, and the reason is said where it does not.
 */
export type PasskeySupport = { ok: true; rpId: string; origin: string } | { ok: false; reason: string };

export function passkeySupport(env: Pick<Env, "CALSYNC_PUBLIC_URL" | "HOST" | "PORT">): PasskeySupport {
  const url = new URL(publicUrl(env as Env));
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host) !== 0) {
    return {
      ok: false,
      reason: `Passkeys are off: browsers never allow them on an IP address (this console is reached at ${url.origin}). Set CALSYNC_PUBLIC_URL to an https:// address with a host name.`,
    };
  }
  if (url.protocol === "https:" || (url.protocol === "http:" && host === "localhost")) return { ok: true, rpId: host, origin: url.origin };
  return {
    ok: false,
    reason: `Passkeys are off: browsers allow them only on https:// (or http://localhost), and this console is reached at ${url.origin}. Serve it over https and set CALSYNC_PUBLIC_URL.`,
  };
}

const CHALLENGE_MINUTES = 5;
const RP_NAME = "Calsync Console";

type Purpose = "register" | "authenticate";

async function storeChallenge(db: DbClient, userId: string, purpose: Purpose, challenge: string, now: Date): Promise<void> {
  await db.mfaChallenge.deleteMany({ where: { OR: [{ userId, purpose }, { expiresAt: { lt: now } }] } });
  await db.mfaChallenge.create({ data: { userId, purpose, challenge, expiresAt: new Date(now.getTime() + CHALLENGE_MINUTES * 60_000) }, select: { id: true } });
}

/** The challenge issued to this person for this purpose, spent by taking it (used at most once). */
async function takeChallenge(db: DbClient, userId: string, purpose: Purpose, now: Date): Promise<string | null> {
  const row = await db.mfaChallenge.findFirst({ where: { userId, purpose, expiresAt: { gt: now } }, select: { id: true, challenge: true } });
  if (!row) return null;
  const taken = await db.mfaChallenge.deleteMany({ where: { id: row.id } });
  return taken.count === 1 ? row.challenge : null;
}

async function transportsOf(db: DbClient, userId: string) {
  const passkeys = await db.mfaPasskey.findMany({ where: { userId }, select: { credentialId: true, transports: true } });
  return passkeys.map((passkey) => ({ id: passkey.credentialId, transports: (passkey.transports ?? []) as AuthenticatorTransport[] }));
}

type AuthenticatorTransport = "ble" | "cable" | "hybrid" | "internal" | "nfc" | "smart-card" | "usb";

export async function passkeyRegistrationOptions(
  db: DbClient,
  support: Extract<PasskeySupport, { ok: true }>,
  user: { id: string; email: string; displayName: string },
  now = new Date(),
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const options = await generateRegistrationOptions({
    rpName: RP_NAME,
    rpID: support.rpId,
    userName: user.email,
    userDisplayName: user.displayName,
    userID: new TextEncoder().encode(user.id),
    attestationType: "none",
    excludeCredentials: await transportsOf(db, user.id),
    authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
  });
  await storeChallenge(db, user.id, "register", options.challenge, now);
  return options;
}

/** Verifies a new passkey against the challenge issued for it and keeps its public key. */
export async function registerPasskey(
  db: DbClient,
  support: Extract<PasskeySupport, { ok: true }>,
  userId: string,
  input: { response: RegistrationResponseJSON; name: string },
  now = new Date(),
): Promise<boolean> {
  const challenge = await takeChallenge(db, userId, "register", now);
  if (!challenge) return false;
  let verification;
  try {
    verification = await verifyRegistrationResponse({ response: input.response, expectedChallenge: challenge, expectedOrigin: support.origin, expectedRPID: support.rpId });
  } catch {
    return false;
  }
  if (!verification.verified) return false;
  const { credential } = verification.registrationInfo;
  await db.mfaPasskey.create({
    data: {
      userId,
      credentialId: credential.id,
      publicKey: Buffer.from(credential.publicKey).toString("base64url"),
      counter: BigInt(credential.counter),
      transports: credential.transports ?? [],
      name: input.name,
      createdAt: now,
    },
    select: { id: true },
  });
  return true;
}

export async function passkeySignInOptions(
  db: DbClient,
  support: Extract<PasskeySupport, { ok: true }>,
  userId: string,
  now = new Date(),
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const options = await generateAuthenticationOptions({ rpID: support.rpId, allowCredentials: await transportsOf(db, userId), userVerification: "preferred" });
  await storeChallenge(db, userId, "authenticate", options.challenge, now);
  return options;
}

/** Verifies a passkey's answer to the challenge issued for this sign-in; a counter that went back is refused. */
export async function checkPasskey(
  db: DbClient,
  support: Extract<PasskeySupport, { ok: true }>,
  userId: string,
  response: AuthenticationResponseJSON,
  now = new Date(),
): Promise<boolean> {
  const challenge = await takeChallenge(db, userId, "authenticate", now);
  if (!challenge) return false;
  const passkey = await db.mfaPasskey.findFirst({ where: { userId, credentialId: response.id }, select: { id: true, credentialId: true, publicKey: true, counter: true, transports: true } });
  if (!passkey) return false;
  let verification;
  try {
    verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: support.origin,
      expectedRPID: support.rpId,
      credential: {
        id: passkey.credentialId,
        publicKey: new Uint8Array(Buffer.from(passkey.publicKey, "base64url")),
        counter: Number(passkey.counter),
        transports: (passkey.transports ?? []) as AuthenticatorTransport[],
      },
    });
  } catch {
    return false;
  }
  if (!verification.verified) return false;
  await db.mfaPasskey.update({ where: { id: passkey.id }, data: { counter: BigInt(verification.authenticationInfo.newCounter), lastUsedAt: now }, select: { id: true } });
  return true;
}

export type PasskeyView = { id: string; name: string; createdAt: Date; lastUsedAt: Date | null };

export async function listPasskeys(db: DbClient, userId: string): Promise<PasskeyView[]> {
  return db.mfaPasskey.findMany({ where: { userId }, select: { id: true, name: true, createdAt: true, lastUsedAt: true }, orderBy: { createdAt: "asc" } });
}

export async function removePasskey(db: DbClient, user: { id: string; email: string }, passkeyId: string, required: boolean, ip: string | null): Promise<void> {
  const passkey = await db.mfaPasskey.findFirst({ where: { id: passkeyId, userId: user.id }, select: { id: true, name: true } });
  if (!passkey) throw new UserFacingError("That passkey is not one of yours, or it was already removed.");
  const status = await getMfaStatus(db, user.id);
  if (required && !status.totp && status.passkeys === 1) throw new UserFacingError(LAST_REQUIRED_FACTOR);
  await db.mfaPasskey.deleteMany({ where: { id: passkey.id } });
  await clearRecoveryCodesWithoutFactors(db, user.id);
  await recordAudit(db, { actor: user, action: "mfa.passkey-removed", target: { type: "user", id: user.id, label: user.email }, summary: `Removed the passkey "${passkey.name}"`, ip });
}
