import type { TestProject } from "vitest/node";
import { startPostgresCluster, type PostgresCluster } from "./postgres-cluster";
import { findPostgresBin } from "./system-tools";

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string | null;
  }
}

let cluster: PostgresCluster | undefined;

/** Starts the PostgreSQL cluster that the database suites run against, besides PGlite. */
export default async function setup(project: TestProject): Promise<() => void> {
  const required = process.env.CI === "true";
  if (process.env.CALSYNC_TEST_POSTGRES === "off" && !required) {
    project.provide("postgresUrl", null);
    return () => undefined;
  }
  const postgres = findPostgresBin();
  if (postgres.found) {
    cluster = await startPostgresCluster();
    project.provide("postgresUrl", cluster.url);
  } else if (!postgres.installable) {
    // A PG_BIN that names the wrong folder is a mistake to fix, not a reason to skip the suite.
    throw new Error(postgres.problem);
  } else if (required) {
    throw new Error(`CI=true requires the PostgreSQL suite. ${postgres.problem}`);
  } else {
    process.stdout.write(`\nNOTE: the database suites run against PGlite only (CI runs both). ${postgres.problem}\n\n`);
    project.provide("postgresUrl", null);
  }
  return () => cluster?.stop();
}
