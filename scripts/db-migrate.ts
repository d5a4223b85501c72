// `npm run db:migrate`: applies pending migrations to the configured database and says what it did.
// The server also migrates on start; this is for deployments that migrate as a separate step.
import { describeTarget, databaseTargetFromEnv, openDatabase } from "@/lib/db/client";
import { getEnv } from "@/lib/env";
import { loadEnvFiles } from "@/lib/env-files";

loadEnvFiles();

async function main(): Promise<void> {
  const target = databaseTargetFromEnv(getEnv());
  const database = await openDatabase(target);
  try {
    const rows = await database.sql.query<{ migration_name: string }>(`SELECT migration_name FROM _prisma_migrations ORDER BY migration_name`);
    console.log(`${describeTarget(target)} is up to date (${rows.length} migration(s) applied).`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
