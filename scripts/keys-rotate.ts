// `npm run keys:rotate`: re-seals every sealed value to the newest key.
//  - With CALSYNC_SEAL_KEYS: put the new key first in the list (keep the old ones after it), run this,
//    then remove the old keys.
//  - With the embedded key file: this generates the new key, puts it first in the file and re-seals.
// Stop the console first when it uses the embedded database (PGlite allows one process at a time).
import { generateKeyRingEntry } from "@/lib/crypto/key-generation";
import { keyFilePath, loadKeyRing, resealAll, writeKeyFile } from "@/lib/crypto/key-store";
import { KeyRing } from "@/lib/crypto/seal";
import { databaseTargetFromEnv, describeTarget, openDatabase } from "@/lib/db/client";
import { getEnv } from "@/lib/env";
import { loadEnvFiles } from "@/lib/env-files";

loadEnvFiles();

async function main(): Promise<void> {
  const env = getEnv();
  const target = databaseTargetFromEnv(env);
  const database = await openDatabase(target);
  try {
    let ring = await loadKeyRing(env, database.sql);
    if (!env.CALSYNC_SEAL_KEYS) {
      const entries = [generateKeyRingEntry(), ...ring.entries()];
      ring = new KeyRing(entries);
      await writeKeyFile(keyFilePath(env.dataDir), entries, { create: false });
      console.log(`Added key ${ring.activeKeyId} to ${keyFilePath(env.dataDir)}.`);
    }
    const { resealed } = await resealAll(ring, database.sql);
    console.log(`Re-sealed ${resealed} value(s) in the ${describeTarget(target)} to key ${ring.activeKeyId}. Older keys no longer open anything.`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
