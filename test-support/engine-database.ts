import { afterAll, beforeAll } from "vitest";
import type { Database } from "@/lib/db/client";
import type { TestEngine } from "@/test-support/databases";

/**
 * A fresh database on `engine` for the enclosing describe block, closed after it. Call it first in the
 * block: Vitest runs beforeAll hooks in the order they were registered (and afterAll hooks in reverse),
 * and what the suite seeds needs the database open. It opens asynchronously, so the block gets a
 * stand-in that forwards to it from then on.
 */
export function openDatabaseForSuite(engine: TestEngine): Database {
  let open: Database | undefined;
  beforeAll(async () => {
    open = await engine.open();
  });
  afterAll(async () => {
    await open?.close();
  });
  return new Proxy({} as Database, {
    get: (_target, key) => {
      if (!open) throw new Error("the suite's database is used before its beforeAll opened it");
      return Reflect.get(open, key);
    },
  });
}
