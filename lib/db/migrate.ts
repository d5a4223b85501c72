import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { SqlConnection } from "@/lib/db/sql-connection";

/**
 * Applies prisma/migrations the way `prisma migrate deploy` does, without Prisma's schema engine
 * (it cannot be downloaded here). Rows in `_prisma_migrations` use Prisma's own table and checksum
 * (SHA-256 of migration.sql), so `prisma migrate deploy` treats them as applied wherever it runs.
 * Each migration and its bookkeeping row commit in one transaction: a failure leaves the database
 * exactly as it was.
 */

export const DEFAULT_MIGRATIONS_DIR = path.resolve(process.cwd(), "prisma/migrations");

// Prisma's own advisory-lock key, so this runner and `prisma migrate deploy` exclude each other.
const PRISMA_ADVISORY_LOCK_KEY = 72707369;

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export type MigrationFile = { name: string; sql: string; checksum: string };

export type MigrationResult = { applied: string[]; alreadyApplied: string[] };

/** Stops the migration run; `migrationName` is the migration the message is about. */
export class MigrationError extends Error {
  override name = "MigrationError";
  constructor(
    readonly migrationName: string,
    message: string,
  ) {
    super(message);
  }
}

function failedMigration(name: string, reason: string): MigrationError {
  return new MigrationError(name, `Migration ${name} failed and was rolled back; the database is unchanged. Cause: ${reason}`);
}

// The database was built by the file as it was when applied, so its schema is not the one the edited
// file describes; migrating on would build later migrations and Prisma's client on a guess.
function editedMigrations(names: string[]): MigrationError {
  const one = names.length === 1;
  return new MigrationError(
    names[0]!,
    `${one ? "Migration" : "Migrations"} ${names.join(", ")} ${one ? "was" : "were"} changed after ${one ? "it was" : "they were"} applied to this database: ` +
      `${names.map((name) => `prisma/migrations/${name}/migration.sql`).join(", ")} no longer ${one ? "matches" : "match"} the checksum recorded in _prisma_migrations. ` +
      "Nothing was migrated. Restore the applied file from version control and put the change in a new migration.",
  );
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

// A checkout with Windows line endings is the same migration, so either ending matches, as with
// Prisma's own check.
function isUnchanged(file: MigrationFile, recordedChecksum: string): boolean {
  if (recordedChecksum === file.checksum) return true;
  const lf = file.sql.replace(/\r\n/g, "\n");
  return recordedChecksum === sha256(lf) || recordedChecksum === sha256(lf.replace(/\n/g, "\r\n"));
}

export async function listMigrations(migrationsDir = DEFAULT_MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const entries = await readdir(/*turbopackIgnore: true*/ migrationsDir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(/*turbopackIgnore: true*/ path.join(migrationsDir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: sha256(sql) };
    }),
  );
}

type AppliedRow = { migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null };

export async function migrate(
  connection: SqlConnection,
  { migrationsDir = DEFAULT_MIGRATIONS_DIR, migrations }: { migrationsDir?: string; migrations?: MigrationFile[] } = {},
): Promise<MigrationResult> {
  const files = migrations ?? (await listMigrations(migrationsDir));
  const result: MigrationResult = { applied: [], alreadyApplied: [] };
  const locked = connection.engine === "postgres";
  if (locked) await connection.query("SELECT pg_advisory_lock($1)", [PRISMA_ADVISORY_LOCK_KEY]);
  try {
    await connection.exec(CREATE_MIGRATIONS_TABLE);
    const rows = await connection.query<AppliedRow>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
    );
    const applied = new Map(
      rows.filter((row) => row.finished_at !== null && row.rolled_back_at === null).map((row) => [row.migration_name, row]),
    );
    const unfinished = rows.find((row) => row.finished_at === null && row.rolled_back_at === null);
    if (unfinished) {
      throw new MigrationError(
        unfinished.migration_name,
        `Migration ${unfinished.migration_name} is marked as started but not finished in _prisma_migrations by an earlier run; resolve it with \`prisma migrate resolve\` before migrating again.`,
      );
    }
    const edited = files.filter((file) => {
      const existing = applied.get(file.name);
      return existing !== undefined && !isUnchanged(file, existing.checksum);
    });
    if (edited.length > 0) throw editedMigrations(edited.map((file) => file.name));
    for (const file of files) {
      if (applied.has(file.name)) {
        result.alreadyApplied.push(file.name);
        continue;
      }
      const startedAt = new Date();
      try {
        await connection.transaction(async (tx) => {
          await tx.exec(file.sql);
          await tx.query(
            `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
             VALUES ($1, $2, now(), $3, NULL, NULL, $4, 1)`,
            [randomUUID(), file.checksum, file.name, startedAt],
          );
        });
      } catch (error) {
        throw failedMigration(file.name, error instanceof Error ? error.message : String(error));
      }
      result.applied.push(file.name);
    }
    return result;
  } finally {
    if (locked) await connection.query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK_KEY]);
  }
}
