import "server-only";
import { getDatabase } from "@/lib/db/client";
import { errorReason } from "@/lib/errors";

export type Health = { live: true; ready: boolean; checks: { database: { ok: boolean; reason?: string; latencyMs?: number } } };

const READINESS_TIMEOUT_MS = 3_000;

/** Liveness is answering at all; readiness adds a round trip to the database, bounded in time. */
export async function checkHealth(): Promise<Health> {
  const started = performance.now();
  try {
    await Promise.race([
      getDatabase().then((db) => db.prisma.$queryRaw`SELECT 1`),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${READINESS_TIMEOUT_MS} ms`)), READINESS_TIMEOUT_MS).unref()),
    ]);
    return { live: true, ready: true, checks: { database: { ok: true, latencyMs: Math.round(performance.now() - started) } } };
  } catch (error) {
    return { live: true, ready: false, checks: { database: { ok: false, reason: `database unavailable: ${errorReason(error)}` } } };
  }
}
