import "server-only";
import { Prisma } from "@/lib/db/generated/client";
import type { DbClient } from "@/lib/db/types";

/**
 * Prunes check runs older than the retention period, in batches so a large backlog never holds a
 * long lock. Kept regardless of age: each connection's latest run (the status pages show it) and
 * every run a state change points at (the timeline links a change to the run that caused it; there
 * are few of them, one per change). State changes themselves are never deleted.
 */
export async function pruneCheckRuns(
  db: DbClient,
  { now = new Date(), retentionDays, batchSize = 500 }: { now?: Date; retentionDays: number; batchSize?: number },
): Promise<{ deleted: number }> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  let deleted = 0;
  for (;;) {
    const count = await db.$executeRaw(Prisma.sql`
      DELETE FROM check_runs WHERE id IN (
        SELECT old.id FROM check_runs old
        WHERE old.started_at < ${cutoff}
          AND NOT EXISTS (SELECT 1 FROM state_changes sc WHERE sc.check_run_id = old.id)
          AND EXISTS (
            SELECT 1 FROM check_runs newer
            WHERE newer.connection_id = old.connection_id
              AND (newer.started_at > old.started_at OR (newer.started_at = old.started_at AND newer.id > old.id))
          )
        LIMIT ${batchSize}
      )`);
    deleted += count;
    if (count < batchSize) return { deleted };
  }
}
