import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { openDatabase, type Database, type DatabaseTarget } from "@/lib/db/client";

/**
 * The engines every database suite runs against: PGlite always, and the throwaway PostgreSQL cluster
 * from global-setup when it is there. Each call to `open` gives a fresh, migrated database.
 */
export type TestEngine = { name: "pglite" | "postgres"; target(): Promise<DatabaseTarget>; open(): Promise<Database> };

/** A new, empty database on the cluster at `baseUrl`; returns its URL. */
export async function freshPostgresDatabase(baseUrl: string): Promise<string> {
  const name = `t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export function testEngines(): TestEngine[] {
  const engines: TestEngine[] = [
    {
      name: "pglite",
      target: async () => ({ kind: "pglite" }),
      open: () => openDatabase({ kind: "pglite" }),
    },
  ];
  const postgresUrl = inject("postgresUrl");
  if (postgresUrl) {
    const target = async (): Promise<DatabaseTarget> => ({ kind: "postgres", url: await freshPostgresDatabase(postgresUrl) });
    engines.push({ name: "postgres", target, open: async () => openDatabase(await target()) });
  }
  return engines;
}
