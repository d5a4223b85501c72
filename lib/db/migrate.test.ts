import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/lib/db/client";
import { listMigrations, migrate, MigrationError } from "@/lib/db/migrate";
import { testEngines } from "@/test-support/databases";

async function migrationsFolder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "calsync-migrations-"));
  for (const [name, sql] of Object.entries(files)) {
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, "migration.sql"), sql);
  }
  return dir;
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

  it("reports migrations whose file changed after they were applied", async () => {
    database = await openDatabase(await engine.target());
    const [first] = await listMigrations();
    const result = await migrate(database.sql, { migrations: [{ ...first!, checksum: "0".repeat(64) }] });
    expect(result.checksumMismatches).toEqual([first!.name]);
  });
});
