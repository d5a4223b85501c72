import "server-only";
import { randomBytes } from "node:crypto";
import { hashToken } from "@/lib/crypto/tokens";
import type { DbClient } from "@/lib/db/types";

/**
 * Ten codes of 50 random bits each: too many to guess, so a fast hash is enough (as for bearer
 * tokens). The alphabet leaves out letters that are easily misread on paper.
 */
export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

function newRecoveryCode(): string {
  const bytes = randomBytes(10);
  const chars = [...bytes].map((byte) => ALPHABET[byte % ALPHABET.length]!).join("");
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** What was typed, as it was generated: case, spaces and a missing dash do not matter. */
export function normalizeRecoveryCode(typed: string): string | null {
  const compact = typed.toLowerCase().replace(/[\s-]+/g, "");
  if (compact.length !== 10 || [...compact].some((char) => !ALPHABET.includes(char))) return null;
  return `${compact.slice(0, 5)}-${compact.slice(5)}`;
}

/** Replaces every earlier code of the person; the codes returned are shown once and never again. */
export async function replaceRecoveryCodes(db: DbClient, userId: string, now = new Date()): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await db.mfaRecoveryCode.deleteMany({ where: { userId } });
  await db.mfaRecoveryCode.createMany({ data: codes.map((code) => ({ userId, codeHash: hashToken(code), createdAt: now })) });
  return codes;
}

/** Spends one code: true when it was the person's and unused (two requests cannot both spend it). */
export async function spendRecoveryCode(db: DbClient, userId: string, typed: string, now = new Date()): Promise<boolean> {
  const code = normalizeRecoveryCode(typed);
  if (!code) return false;
  const spent = await db.mfaRecoveryCode.updateMany({ where: { userId, codeHash: hashToken(code), usedAt: null }, data: { usedAt: now } });
  return spent.count === 1;
}

export async function unusedRecoveryCodeCount(db: DbClient, userId: string): Promise<number> {
  return db.mfaRecoveryCode.count({ where: { userId, usedAt: null } });
}
