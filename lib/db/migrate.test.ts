import { createHash } from "node:crypto";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/lib/db/client";
import { listMigrations, migrate, MigrationError, type MigrationFile } from "@/lib/db/migrate";
import { testEngines } from "@/test-support/databases";

async function migrationsFolder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "calsync-migrations-"));
  for (const [name, sql] of Object.entries(files)) {
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, "migration.sql"), sql);
  }
  return dir;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

function editedCopy(file: MigrationFile): MigrationFile {
  const sql = `${file.sql}\n-- edited after it was applied\n`;
  return { ...file, sql, checksum: sha256(sql) };
}

describe.each(testEngines())("migration runner on $name", (engine) => {
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  it("records applied migrations in Prisma's format and is idempotent", async () => {
    database = await openDatabase(await engine.target());
    const expected = await listMigrations();
    const rows = await database.sql.query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number; rolled_back_at: Date | null }>(
      `SELECT migration_name, checksum, finished_at, applied_steps_count, rolled_back_at FROM _prisma_migrations ORDER BY migration_name`,
    );
    expect(rows.map((row) => [row.migration_name, row.checksum])).toEqual(expected.map((file) => [file.name, file.checksum]));
    expect(rows.every((row) => row.finished_at instanceof Date && row.rolled_back_at === null && row.applied_steps_count === 1)).toBe(true);
    expect(expected.every((file) => /^[0-9a-f]{64}$/.test(file.checksum))).toBe(true);

    const again = await migrate(database.sql);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toEqual(expected.map((file) => file.name));
  });

  it("rolls back a failing migration completely and names it", async () => {
    database = await openDatabase(await engine.target());
    const dir = await migrationsFolder({
      "20990101000000_good": `CREATE TABLE "good_table" (id int);`,
      "20990102000000_bad": `CREATE TABLE "half_done" (id int);\nINSERT INTO "no_such_table" VALUES (1);`,
    });
    const migrations = [...(await listMigrations()), ...(await listMigrations(dir))];
    const failure = await migrate(database.sql, { migrations }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MigrationError);
    expect((failure as MigrationError).migrationName).toBe("20990102000000_bad");
    expect((failure as Error).message).toMatch(/20990102000000_bad failed.*no_such_table/s);

    const tables = await database.sql.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_name IN ('good_table', 'half_done')`,
    );
    expect(tables.map((row) => row.table_name)).toEqual(["good_table"]);
    const recorded = await database.sql.query<{ migration_name: string }>(`SELECT migration_name FROM _prisma_migrations WHERE migration_name LIKE '2099%'`);
    expect(recorded.map((row) => row.migration_name)).toEqual(["20990101000000_good"]);
  });

  it("refuses to migrate, naming it, when an applied migration's file was changed, and applies nothing", async () => {
    database = await openDatabase(await engine.target());
    const [first, second, ...rest] = await listMigrations();
    const pending = await listMigrations(await migrationsFolder({ "20990101000000_pending": `CREATE TABLE "pending_table" (id int);` }));
    const edited = editedCopy(second!);

    const failure = await migrate(database.sql, { migrations: [first!, edited, ...rest, ...pending] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MigrationError);
    expect((failure as MigrationError).migrationName).toBe(second!.name);
    expect((failure as Error).message).toBe(
      `Migration ${second!.name} was changed after it was applied to this database: prisma/migrations/${second!.name}/migration.sql no longer matches ` +
        "the checksum recorded in _prisma_migrations. Nothing was migrated. Restore the applied file from version control and put the change in a new migration.",
    );
    const tables = await database.sql.query(`SELECT table_name FROM information_schema.tables WHERE table_name = 'pending_table'`);
    expect(tables).toEqual([]);
    const recorded = await database.sql.query(`SELECT migration_name FROM _prisma_migrations WHERE migration_name LIKE '2099%'`);
    expect(recorded).toEqual([]);
  });

  it("names every changed migration", async () => {
    database = await openDatabase(await engine.target());
    const [first, second] = await listMigrations();
    const failure = await migrate(database.sql, { migrations: [first!, second!].map(editedCopy) }).catch((error: unknown) => error);
    expect((failure as MigrationError).migrationName).toBe(first!.name);
    expect((failure as Error).message).toMatch(new RegExp(`^Migrations ${first!.name}, ${second!.name} were changed after they were applied`));
  });

  it("does not mistake a checkout with Windows line endings for a change", async () => {
    database = await openDatabase(await engine.target());
    const files = await listMigrations();
    const crlf = files.map((file) => {
      const sql = file.sql.replace(/\n/g, "\r\n");
      return { ...file, sql, checksum: sha256(sql) };
    });
    expect(crlf.every((file, index) => file.checksum !== files[index]!.checksum)).toBe(true);
    const result = await migrate(database.sql, { migrations: crlf });
    expect(result.alreadyApplied).toEqual(files.map((file) => file.name));
  });

  it("refuses to open a database whose applied migration was changed", async () => {
    // An in-memory PGlite lives only as long as its handle; a data folder survives the reopen. The
    // PGlite folder sits inside a folder of its own: the console makes its parent private.
    const pgliteDir = path.join(await mkdtemp(path.join(tmpdir(), "calsync-data-")), "pglite");
    const target = engine.name === "pglite" ? { kind: "pglite" as const, dataDir: pgliteDir } : await engine.target();
    const first = await openDatabase(target);
    const [applied] = await listMigrations();
    await first.sql.query(`UPDATE _prisma_migrations SET checksum = $1 WHERE migration_name = $2`, ["f".repeat(64), applied!.name]);
    await first.close();
    await expect(openDatabase(target)).rejects.toThrow(`Migration ${applied!.name} was changed after it was applied`);
  });
});
