import "server-only";
import { getDatabase } from "@/lib/db/client";

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
    const reason = error instanceof Error ? error.message.split("\n")[0]!.replace(/postgres(ql)?:\/\/[^\s]*/g, "<DATABASE_URL>") : "unknown error";
    return { live: true, ready: false, checks: { database: { ok: false, reason: `database unavailable: ${reason}` } } };
  }
}
