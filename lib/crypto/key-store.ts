import "server-only";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { generateKeyRingEntry } from "@/lib/crypto/key-generation";
import { KeyRing, SealError, sealContext, sealedKeyId } from "@/lib/crypto/seal";
import type { SqlConnection } from "@/lib/db/sql-connection";
import { parseKeyRing, type Env, type KeyRingEntry } from "@/lib/env";
import { log } from "@/lib/log";

/** Every column that holds sealed values. keys:rotate re-seals exactly these; add new ones here. */
export const SEALED_COLUMNS: ReadonlyArray<{ table: string; column: string; idColumn: string }> = [
  { table: "seal_key_canaries", column: "sealed", idColumn: "key_id" },
  { table: "connections", column: "client_secret_sealed", idColumn: "id" },
  { table: "wizard_drafts", column: "client_secret_sealed", idColumn: "id" },
  { table: "notification_channels", column: "secret_sealed", idColumn: "id" },
  { table: "connections", column: "token_cache_sealed", idColumn: "id" },
  { table: "delegated_apps", column: "credential_sealed", idColumn: "id" },
  { table: "delegated_sign_ins", column: "code_verifier_sealed", idColumn: "id" },
  { table: "provisionings", column: "token_sealed", idColumn: "id" },
  { table: "provisionings", column: "secret_sealed", idColumn: "id" },
  { table: "mfa_totp", column: "secret_sealed", idColumn: "user_id" },
  { table: "connections", column: "certificate_key_sealed", idColumn: "id" },
  { table: "connections", column: "pending_certificate_key_sealed", idColumn: "id" },
  { table: "wizard_drafts", column: "certificate_key_sealed", idColumn: "id" },
  { table: "microsoft_sign_ins", column: "code_verifier_sealed", idColumn: "id" },
  { table: "setup_apps", column: "credential_sealed", idColumn: "id" },
  { table: "setup_sign_ins", column: "code_verifier_sealed", idColumn: "id" },
  { table: "consent_predictions", column: "token_sealed", idColumn: "tenant_id" },
  { table: "console_sign_ins", column: "app_credential_sealed", idColumn: "id" },
  { table: "delegated_apps", column: "pending_certificate_key_sealed", idColumn: "id" },
  { table: "delegated_app_certificate_drafts", column: "key_sealed", idColumn: "id" },
];

export class KeyConfigError extends Error {
  override name = "KeyConfigError";
}

export const KEY_FILE_NAME = "seal-keys";

export function keyFilePath(dataDir: string): string {
  return path.join(dataDir, KEY_FILE_NAME);
}

const CANARY_TEXT = "calsync key canary";

async function countSealedValues(sql: SqlConnection): Promise<number> {
  let total = 0;
  for (const { table, column } of SEALED_COLUMNS) {
    const [row] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" WHERE "${column}" IS NOT NULL`);
    total += row?.n ?? 0;
  }
  return total;
}

async function readKeyFile(file: string): Promise<KeyRingEntry[] | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new KeyConfigError(`Cannot read the seal key file ${file}: ${(error as Error).message}`);
  }
  const entries = parseKeyRing(text.trim());
  if (!entries) {
    throw new KeyConfigError(
      `The seal key file ${file} is corrupt (expected id:base64 entries of 32-byte keys). Nothing was changed. Restore it from your backup.`,
    );
  }
  return entries;
}

export async function writeKeyFile(file: string, entries: KeyRingEntry[], { create }: { create: boolean }): Promise<void> {
  const text = `${entries.map((entry) => `${entry.id}:${entry.key.toString("base64")}`).join(",")}\n`;
  // `wx` refuses to overwrite a key file that appeared in the meantime; mode 0600 keeps it private.
  await writeFile(file, text, { mode: 0o600, flag: create ? "wx" : "w" });
}

/**
 * Finds the key ring for this start: CALSYNC_SEAL_KEYS, or for the embedded database a key file in
 * the data folder, generated on first start. Refuses to start, and changes nothing, when the keys
 * cannot open what the database already holds.
 */
export async function loadKeyRing(env: Env, sql: SqlConnection): Promise<KeyRing> {
  let entries: KeyRingEntry[];
  if (env.CALSYNC_SEAL_KEYS) {
    entries = parseKeyRing(env.CALSYNC_SEAL_KEYS)!;
  } else if (env.DATABASE_URL) {
    throw new KeyConfigError(
      "CALSYNC_SEAL_KEYS is required when DATABASE_URL is set, because every console instance must share the same keys. Generate one with: node -e \"console.log('k1:'+require('crypto').randomBytes(32).toString('base64'))\"",
    );
  } else {
    const file = keyFilePath(env.dataDir);
    const fromFile = await readKeyFile(file);
    if (fromFile) {
      entries = fromFile;
    } else {
      const sealed = await countSealedValues(sql);
      if (sealed > 0) {
        throw new KeyConfigError(
          `The seal key file ${file} is missing, but the database holds ${sealed} sealed value(s) that only that key can open. Nothing was changed. Restore the key file from your backup, or set CALSYNC_SEAL_KEYS.`,
        );
      }
      entries = [generateKeyRingEntry()];
      await writeKeyFile(file, entries, { create: true });
      log.info("Generated a new seal key file", { file });
    }
    if (env.NODE_ENV === "production") {
      log.warn(
        "Sealed secrets use a key file stored next to the data it protects. Back it up separately, or set CALSYNC_SEAL_KEYS from a secret store.",
        { file },
      );
    }
  }
  const ring = new KeyRing(entries);
  await verifyCanaries(ring, sql);
  return ring;
}

async function verifyCanaries(ring: KeyRing, sql: SqlConnection): Promise<void> {
  const canaries = await sql.query<{ key_id: string; sealed: string }>(`SELECT key_id, sealed FROM "seal_key_canaries"`);
  for (const canary of canaries) {
    if (!ring.keyIds.includes(canary.key_id)) {
      throw new KeyConfigError(
        `The database holds values sealed with key "${canary.key_id}", which is not in the key ring. Nothing was changed. Add that key back (after the newest one), then run npm run keys:rotate.`,
      );
    }
    try {
      if (ring.open(canary.sealed, sealContext("seal_key_canaries", "sealed", canary.key_id)) !== CANARY_TEXT) throw new SealError("mismatch");
    } catch {
      throw new KeyConfigError(
        `Key "${canary.key_id}" in the key ring is not the key the database was sealed with. Nothing was changed. Restore the original key.`,
      );
    }
  }
  if (!canaries.some((canary) => canary.key_id === ring.activeKeyId)) {
    await sql.query(`INSERT INTO "seal_key_canaries" (key_id, sealed) VALUES ($1, $2) ON CONFLICT (key_id) DO NOTHING`, [
      ring.activeKeyId,
      ring.seal(CANARY_TEXT, sealContext("seal_key_canaries", "sealed", ring.activeKeyId)),
    ]);
  }
}

/** Re-seals every sealed value to the ring's active key, one transaction per column. */
export async function resealAll(ring: KeyRing, sql: SqlConnection): Promise<{ resealed: number }> {
  let resealed = 0;
  for (const { table, column, idColumn } of SEALED_COLUMNS) {
    if (table === "seal_key_canaries") continue;
    resealed += await sql.transaction(async (tx) => {
      const rows = await tx.query<{ id: string; value: string }>(
        `SELECT "${idColumn}"::text AS id, "${column}" AS value FROM "${table}" WHERE "${column}" IS NOT NULL FOR UPDATE`,
      );
      let count = 0;
      for (const row of rows) {
        if (sealedKeyId(row.value) === ring.activeKeyId) continue;
        const next = ring.reseal(row.value, sealContext(table, column, row.id));
        await tx.query(`UPDATE "${table}" SET "${column}" = $1 WHERE "${idColumn}"::text = $2`, [next, row.id]);
        count += 1;
      }
      return count;
    });
  }
  await verifyCanaries(ring, sql);
  // Nothing is sealed with the older keys any more, so their canaries no longer guard anything.
  await sql.query(`DELETE FROM "seal_key_canaries" WHERE key_id <> $1`, [ring.activeKeyId]);
  return { resealed };
}

// Loaded at start in instrumentation.ts's module instance and used by the app's pages and actions,
// which Next compiles into another: the ring must be on globalThis for both to see it.
const globalRing = globalThis as typeof globalThis & { __calsyncKeyRing?: KeyRing };

export function setKeyRing(ring: KeyRing | undefined): void {
  globalRing.__calsyncKeyRing = ring;
}

export function getKeyRing(): KeyRing {
  if (!globalRing.__calsyncKeyRing) throw new Error("The key ring is not loaded; the console did not finish starting.");
  return globalRing.__calsyncKeyRing;
}
