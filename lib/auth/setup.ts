import "server-only";
import { randomInt } from "node:crypto";
import { recordAudit } from "@/lib/audit/audit";
import { constantTimeEqual, hashToken } from "@/lib/crypto/tokens";
import type { AppPrismaClient, DbClient } from "@/lib/db/types";
import { UserFacingError } from "@/lib/errors";
import { assertAcceptablePassword } from "@/lib/auth/password-policy";
import { hashPassword } from "@/lib/auth/passwords";
import { logRefusedAttempt, recordAuthFailure } from "@/lib/auth/auth-failures";
import { FAILURE_LIMITS, fullBucket, setupCodeBuckets } from "@/lib/auth/rate-limit";

/**
 * First run: until an administrator exists, whoever reaches the port must also present the one-time
 * code printed in the server log, so that a console exposed too early cannot be claimed by a stranger.
 */

const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // no 0/O or 1/I
const CODE_TTL_MS = 24 * 3_600_000;
// Per address: a limit on the code itself would let anyone who reaches the port make it unusable.
export const MAX_SETUP_CODE_FAILURES = FAILURE_LIMITS.setupCodePerAddress;

export function formatSetupCode(raw: string): string {
  return raw.match(/.{1,4}/g)!.join("-");
}

export function normaliseSetupCode(input: string): string {
  return input.toUpperCase().replace(/[^A-Z0-9]/g, "");
}

export async function hasAdministrator(db: DbClient): Promise<boolean> {
  return (await db.user.count({ where: { role: "admin" } })) > 0;
}

/** Issues a fresh code (replacing any earlier one) when nobody has claimed the console; otherwise null. */
export async function issueSetupCode(db: DbClient, now = new Date()): Promise<string | null> {
  if (await hasAdministrator(db)) return null;
  const raw = Array.from({ length: 12 }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
  const data = { codeHash: hashToken(raw), createdAt: now, expiresAt: new Date(now.getTime() + CODE_TTL_MS), failures: 0 };
  await db.setupCode.upsert({ where: { id: 1 }, create: { id: 1, ...data }, update: data, select: { id: true } });
  return formatSetupCode(raw);
}

export const WRONG_SETUP_CODE = "That setup code is not right. Copy it from the console's server log.";
export const SETUP_CODE_USED_UP = "The setup code has expired. Restart the console to print a new one.";
export const SETUP_CODE_RATE_LIMITED = "Too many wrong setup codes from your address. Wait 15 minutes, then try again.";

export async function claimConsole(
  db: AppPrismaClient,
  input: { code: string; email: string; displayName: string; password: string; ip: string | null },
  now = new Date(),
): Promise<{ userId: string; email: string; role: "admin" }> {
  assertAcceptablePassword(input.password, [input.email, input.displayName]);
  const buckets = setupCodeBuckets(input.ip);
  if (await fullBucket(db, buckets, now)) {
    logRefusedAttempt("setup-code", input.ip);
    throw new UserFacingError(SETUP_CODE_RATE_LIMITED, { code: SETUP_CODE_RATE_LIMITED });
  }
  const passwordHash = await hashPassword(input.password);
  return db.$transaction(
    async (tx) => {
      if (await hasAdministrator(tx)) throw new UserFacingError("This console already has an administrator. Sign in instead.");
      const setup = await tx.setupCode.findUnique({ where: { id: 1 }, select: { codeHash: true, expiresAt: true } });
      if (!setup || setup.expiresAt <= now) {
        throw new UserFacingError(SETUP_CODE_USED_UP, { code: SETUP_CODE_USED_UP });
      }
      if (!constantTimeEqual(hashToken(normaliseSetupCode(input.code)), setup.codeHash)) {
        await tx.setupCode.update({ where: { id: 1 }, data: { failures: { increment: 1 } }, select: { id: true } });
        return null;
      }
      const user = await tx.user.create({
        data: { email: input.email, displayName: input.displayName, role: "admin", passwordHash },
        select: { id: true, email: true },
      });
      await tx.setupCode.delete({ where: { id: 1 }, select: { id: true } });
      await recordAudit(tx, {
        actor: { id: user.id, email: user.email },
        action: "console.claim",
        target: { type: "user", id: user.id, label: user.email },
        summary: `Claimed the console as its first administrator`,
        ip: input.ip,
      });
      return { userId: user.id, email: user.email, role: "admin" as const };
    },
    { isolationLevel: "Serializable" },
  ).then(async (result) => {
    // The failure must be counted outside the transaction, which a thrown error would roll back.
    if (!result) {
      await recordAuthFailure(db, { kind: "setup-code", buckets, actor: null, summary: "Wrong setup code entered to claim the console", ip: input.ip }, now);
      throw new UserFacingError(WRONG_SETUP_CODE, { code: WRONG_SETUP_CODE });
    }
    return result;
  });
}
