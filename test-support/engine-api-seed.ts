import { parseArgs } from "node:util";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createApiKey } from "@/lib/api/api-keys";
import type { ApiScope } from "@/lib/auth/access-policy";
import { createSession } from "@/lib/auth/sessions";
import { createConnection } from "@/lib/connections/connections";
import { loadKeyRing } from "@/lib/crypto/key-store";
import type { KeyRing } from "@/lib/crypto/seal";
import { openDatabase } from "@/lib/db/client";
import type { DbClient } from "@/lib/db/types";
import { parseEnv } from "@/lib/env";
import { cannedReport } from "@/test-support/jobs";

/**
 * A console's data for exercising the sync-engine API over HTTP: one organisation connection with a
 * client secret, API keys with the scopes asked for, and a signed-in session of the administrator who
 * made them, written before the console starts (the embedded database allows one process at a time).
 * The seal key comes from CALSYNC_SEAL_KEYS with PostgreSQL, or is the key file the console will find
 * in the data folder.
 *
 * Run it as a script where the caller cannot load the console's modules (Playwright's workers), with
 * test-support/seed-script.ts:
 *   node --conditions=react-server --import tsx test-support/engine-api-seed.ts --data-dir DIR --keys '{"read":["connections:read"]}'
 *   … --data-dir DIR --database-url postgresql://… --seal-keys k1:… --keys …
 * Its last line of output is `{"connectionId":…,"keys":{"read":"csk_…"},"adminSession":…}`.
 */

export const SEEDED_CLIENT_SECRET = "seeded~engine~secret~00000000000000000";

/** `adminSession` is the token of the session cookie, for a console with the default session limits. */
export type EngineApiSeed = { connectionId: string; keys: Record<string, string>; adminSession: string };

export type SeedTarget = { dataDir: string; postgres?: { url: string; sealKeys: string } };

/** Into an open database, with the ring the console will hold. */
export async function seedEngineApiData(db: DbClient, ring: KeyRing, keyScopes: Record<string, ApiScope[]>): Promise<EngineApiSeed> {
  const actor = await db.user.create({ data: { email: "seed@example.com", displayName: "Seed", role: "admin" }, select: { id: true, email: true } });
  const connection = await createConnection(
    db,
    ring,
    {
      name: "Seeded connection",
      cloud: "global",
      tenant: "contoso.com",
      clientId: "11111111-1111-4111-8111-111111111111",
      clientSecret: SEEDED_CLIENT_SECRET,
      secretExpiresAt: new Date("2027-01-01T00:00:00Z"),
      mailboxScope: { kind: "all" },
      testMailbox: null,
      outOfScopeMailbox: null,
      writeTest: false,
      report: cannedReport("pass"),
    },
    { actor },
  );
  const keys: Record<string, string> = {};
  for (const [name, scopes] of Object.entries(keyScopes)) {
    keys[name] = (await createApiKey(db, { name, scopes, expiresAt: null }, { actor })).key;
  }
  const { token: adminSession } = await createSession(db, { userId: actor.id }, { idleMinutes: 120, absoluteHours: 12 });
  return { connectionId: connection.id, keys, adminSession };
}

/**
 * Opens a console's database before it starts (migrating it, as the console would), with the key ring
 * the console will hold, and closes it after `seed`.
 */
export async function seedConsoleDatabase<T>(target: SeedTarget, seed: (db: DbClient, ring: KeyRing) => Promise<T>): Promise<T> {
  const { dataDir, postgres } = target;
  const db = await openDatabase(postgres ? { kind: "postgres", url: postgres.url } : { kind: "pglite", dataDir: path.join(dataDir, "pglite") });
  try {
    const ring = await loadKeyRing(
      parseEnv(postgres ? { CALSYNC_DATA_DIR: dataDir, DATABASE_URL: postgres.url, CALSYNC_SEAL_KEYS: postgres.sealKeys } : { CALSYNC_DATA_DIR: dataDir }),
      db.sql,
    );
    return await seed(db.prisma, ring);
  } finally {
    await db.close();
  }
}

/** Into a console's database before it starts. */
export async function seedEngineApi(target: SeedTarget, keyScopes: Record<string, ApiScope[]>): Promise<EngineApiSeed> {
  return seedConsoleDatabase(target, (db, ring) => seedEngineApiData(db, ring, keyScopes));
}

/** `--data-dir DIR`, and for PostgreSQL `--database-url URL --seal-keys KEYS` as well. */
export const seedTargetOptions = {
  "data-dir": { type: "string" },
  "database-url": { type: "string" },
  "seal-keys": { type: "string" },
} as const;

export function seedTargetFrom(values: { "data-dir"?: string; "database-url"?: string; "seal-keys"?: string }): SeedTarget {
  const dataDir = values["data-dir"];
  if (!dataDir) throw new Error("--data-dir is required");
  const url = values["database-url"];
  const sealKeys = values["seal-keys"];
  if (Boolean(url) !== Boolean(sealKeys)) throw new Error("--database-url and --seal-keys go together");
  return url && sealKeys ? { dataDir, postgres: { url, sealKeys } } : { dataDir };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { ...seedTargetOptions, keys: { type: "string" } } });
  if (!values.keys) throw new Error("--keys is required");
  const seeded = await seedEngineApi(seedTargetFrom(values), JSON.parse(values.keys) as Record<string, ApiScope[]>);
  process.stdout.write(`${JSON.stringify(seeded)}\n`);
}
