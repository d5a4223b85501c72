import type { TestProject } from "vitest/node";
import { postgresAvailable, startPostgresCluster, type PostgresCluster } from "./postgres-cluster";

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
  } else if (postgresAvailable()) {
    cluster = await startPostgresCluster();
    project.provide("postgresUrl", cluster.url);
  } else if (required) {
    throw new Error("CI=true requires the PostgreSQL suite, but /usr/lib/postgresql/15/bin is missing. Install it: apt-get install -y postgresql-15");
  } else {
    process.stdout.write("\nNOTE: PostgreSQL 15 binaries not found; the database suites run against PGlite only (CI runs both).\n\n");
    project.provide("postgresUrl", null);
  }
  return () => cluster?.stop();
}
