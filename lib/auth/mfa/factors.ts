import "server-only";
import QRCode from "qrcode";
import { recordAudit, type AuditActor } from "@/lib/audit/audit";
import { sealContext, type KeyRing } from "@/lib/crypto/seal";
import type { DbClient } from "@/lib/db/types";
import { UserFacingError } from "@/lib/errors";
import { emailSchema } from "@/lib/auth/password-policy";
import type { Role } from "@/lib/auth/roles";
import { replaceRecoveryCodes, unusedRecoveryCodeCount } from "@/lib/auth/mfa/recovery-codes";
import { matchTotpCode, newTotpSecret, totpUri } from "@/lib/auth/mfa/totp-codes";

export function totpSecretContext(userId: string): string {
  return sealContext("mfa_totp", "secret_sealed", userId);
}

export type MfaStatus = { totp: boolean; passkeys: number; recoveryCodesLeft: number };

export function hasSecondFactor(status: MfaStatus): boolean {
  return status.totp || status.passkeys > 0;
}

export async function getMfaStatus(db: DbClient, userId: string): Promise<MfaStatus> {
  const [totp, passkeys, recoveryCodesLeft] = await Promise.all([
    db.mfaTotp.count({ where: { userId, confirmedAt: { not: null } } }),
    db.mfaPasskey.count({ where: { userId } }),
    unusedRecoveryCodeCount(db, userId),
  ]);
  return { totp: totp > 0, passkeys, recoveryCodesLeft };
}

export type TotpEnrolment = { secret: string; uri: string; qrSvg: string };

/**
 * How long a secret waiting for its first code is shown again. Long enough for a reload while setting
 * the app up; short enough that a secret someone else saw at an earlier, abandoned enrolment (with the
 * password alone) is not the one the account's owner later confirms.
 */
const UNCONFIRMED_SECRET_MINUTES = 10;

/**
 * The authenticator app the person is setting up: a new secret, or the one they were shown minutes
 * ago and have not confirmed yet (so that reloading the page does not invalidate a QR code they just scanned).
 */
export async function pendingTotpEnrolment(db: DbClient, ring: KeyRing, user: { id: string; email: string }, now = new Date()): Promise<TotpEnrolment | null> {
  const existing = await db.mfaTotp.findUnique({ where: { userId: user.id }, select: { confirmedAt: true, secretSealed: true, createdAt: true } });
  if (existing?.confirmedAt) return null;
  let secret: string;
  if (existing && existing.createdAt.getTime() > now.getTime() - UNCONFIRMED_SECRET_MINUTES * 60_000) {
    secret = ring.open(existing.secretSealed, totpSecretContext(user.id));
  } else {
    secret = newTotpSecret();
    const secretSealed = ring.seal(secret, totpSecretContext(user.id));
    await db.mfaTotp.upsert({
      where: { userId: user.id },
      create: { userId: user.id, secretSealed, createdAt: now },
      update: { secretSealed, createdAt: now, lastUsedStep: null },
      select: { userId: true },
    });
  }
  const uri = totpUri(secret, user.email);
  return { secret, uri, qrSvg: await QRCode.toString(uri, { type: "svg", margin: 2, errorCorrectionLevel: "M" }) };
}

/** Sets an app up and marks its code's step used: true when the code came from the pending secret. */
export async function confirmTotp(db: DbClient, ring: KeyRing, userId: string, code: string, now = new Date()): Promise<boolean> {
  const row = await db.mfaTotp.findUnique({ where: { userId }, select: { confirmedAt: true, secretSealed: true } });
  if (!row || row.confirmedAt) return false;
  const step = matchTotpCode(ring.open(row.secretSealed, totpSecretContext(userId)), code, now, null);
  if (step === null) return false;
  const done = await db.mfaTotp.updateMany({ where: { userId, confirmedAt: null }, data: { confirmedAt: now, lastUsedStep: step } });
  return done.count === 1;
}

/** Checks a code from the person's app; a code's step is used once (two requests cannot both use it). */
export async function checkTotp(db: DbClient, ring: KeyRing, userId: string, code: string, now = new Date()): Promise<boolean> {
  const row = await db.mfaTotp.findUnique({ where: { userId }, select: { confirmedAt: true, secretSealed: true, lastUsedStep: true } });
  if (!row?.confirmedAt) return false;
  const step = matchTotpCode(ring.open(row.secretSealed, totpSecretContext(userId)), code, now, row.lastUsedStep);
  if (step === null) return false;
  const used = await db.mfaTotp.updateMany({
    where: { userId, OR: [{ lastUsedStep: null }, { lastUsedStep: { lt: step } }] },
    data: { lastUsedStep: step },
  });
  return used.count === 1;
}

/**
 * After the first factor is set up, the person gets recovery codes; later factors keep the codes
 * they already have. Returns the new codes, or null when none were made.
 */
export async function recoveryCodesAfterEnrolment(db: DbClient, userId: string, now = new Date()): Promise<string[] | null> {
  if ((await db.mfaRecoveryCode.count({ where: { userId } })) > 0) return null;
  return replaceRecoveryCodes(db, userId, now);
}

export const LAST_REQUIRED_FACTOR = "Your account must have a second factor. Set up another one before you remove this one.";

export async function removeTotp(db: DbClient, user: { id: string; email: string }, required: boolean, ip: string | null): Promise<void> {
  const status = await getMfaStatus(db, user.id);
  if (!status.totp) throw new UserFacingError("No authenticator app is set up.");
  if (required && status.passkeys === 0) throw new UserFacingError(LAST_REQUIRED_FACTOR);
  await db.mfaTotp.deleteMany({ where: { userId: user.id } });
  await clearRecoveryCodesWithoutFactors(db, user.id);
  await recordAudit(db, { actor: user, action: "mfa.totp-removed", target: { type: "user", id: user.id, label: user.email }, summary: "Removed their authenticator app", ip });
}

/** Recovery codes stand in for a factor; with no factor left they would be a second way in for no one. */
export async function clearRecoveryCodesWithoutFactors(db: DbClient, userId: string): Promise<void> {
  if (!hasSecondFactor(await getMfaStatus(db, userId))) await db.mfaRecoveryCode.deleteMany({ where: { userId } });
}

/**
 * Removes every second factor of a person (an administrator's action, or `npm run users:reset-mfa`
 * on the console's host), and any half-finished sign-in. Audited with who did it and how.
 */
export async function resetMfa(
  db: DbClient,
  target: { id: string; email: string },
  context: { actor: AuditActor; ip?: string | null; via: string },
): Promise<void> {
  await db.mfaTotp.deleteMany({ where: { userId: target.id } });
  await db.mfaPasskey.deleteMany({ where: { userId: target.id } });
  await db.mfaRecoveryCode.deleteMany({ where: { userId: target.id } });
  await db.pendingSignIn.deleteMany({ where: { userId: target.id } });
  await db.mfaChallenge.deleteMany({ where: { userId: target.id } });
  await recordAudit(db, {
    actor: context.actor,
    action: "user.mfa-reset",
    target: { type: "user", id: target.id, label: target.email },
    summary: `Turned off multi-factor authentication for ${target.email} (${context.via}); they set it up again at their next sign-in where it is required`,
    ip: context.ip,
  });
}

export type UserMfaView = { id: string; email: string; displayName: string; role: Role; active: boolean; totp: boolean; passkeys: number; recoveryCodesLeft: number };

/** Every account with what it has set up, for the administrator's MFA page. */
export async function listUserMfa(db: DbClient): Promise<UserMfaView[]> {
  const users = await db.user.findMany({
    select: {
      id: true,
      email: true,
      displayName: true,
      role: true,
      active: true,
      totp: { select: { confirmedAt: true } },
      _count: { select: { passkeys: true, recoveryCodes: { where: { usedAt: null } } } },
    },
    orderBy: { email: "asc" },
  });
  return users.map(({ totp, _count, ...user }) => ({ ...user, totp: Boolean(totp?.confirmedAt), passkeys: _count.passkeys, recoveryCodesLeft: _count.recoveryCodes }));
}

/** The command line's reset: by email address, with no signed-in actor. Returns the address. */
export async function resetMfaByEmail(db: DbClient, typed: string): Promise<string> {
  const email = emailSchema.safeParse(typed);
  if (!email.success) throw new UserFacingError(`"${typed}" is not an email address.`);
  const user = await db.user.findUnique({ where: { email: email.data }, select: { id: true, email: true } });
  if (!user) throw new UserFacingError(`No account has the email address ${email.data}. Nothing was changed.`);
  await resetMfa(db, user, { actor: null, via: "npm run users:reset-mfa on the console's host" });
  return user.email;
}
