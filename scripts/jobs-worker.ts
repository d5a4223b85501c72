/**
 * One scheduler instance as its own process, for the multi-instance tests (and for trying leasing by
 * hand against a shared PostgreSQL):
 *
 *   DATABASE_URL=postgres://… CALSYNC_SEAL_KEYS=… node --conditions=react-server --import tsx scripts/jobs-worker.ts \
 *     --instance a [--tick-ms 50] [--lease-ms 2000] [--concurrency 2] [--check-timeout-ms 15000]
 *
 * Prints `{"event":"ready"}` once running, then one JSON line per scheduled check it handled
 * (`{"event":"check","instance":…,"connectionId":…,"outcome":…}`). SIGTERM or SIGINT stops it cleanly.
 */
import { parseArgs } from "node:util";
import { KeyRing } from "@/lib/crypto/seal";
import { getDatabase } from "@/lib/db/client";
import { getEnv, parseKeyRing } from "@/lib/env";
import { startScheduler } from "@/lib/jobs/scheduler";
import { loadEnvFiles } from "@/lib/env-files";

loadEnvFiles();

const { values } = parseArgs({
  options: {
    instance: { type: "string" },
    "tick-ms": { type: "string", default: "1000" },
    "lease-ms": { type: "string", default: String(5 * 60_000) },
    concurrency: { type: "string" },
    "check-timeout-ms": { type: "string", default: "15000" },
  },
});

function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    process.stderr.write(`--${name} must be a positive whole number\n`);
    process.exit(2);
  }
  return number;
}

const line = (value: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(value)}\n`);

async function main(): Promise<void> {
  const env = getEnv();
  // The worker never writes canaries or key files: several of them share one key ring from the environment.
  const entries = env.CALSYNC_SEAL_KEYS ? parseKeyRing(env.CALSYNC_SEAL_KEYS) : null;
  if (!entries) throw new Error("CALSYNC_SEAL_KEYS is required");
  const ring = new KeyRing(entries);
  const database = await getDatabase();
  // Prisma loads its query compiler on the first typed query; do it before saying "ready".
  await database.prisma.connection.count({ where: { leaseOwner: values.instance ?? null } });
  const concurrency = positive("concurrency", values.concurrency);
  const handle = startScheduler({
    force: true,
    ...(values.instance ? { instanceId: values.instance } : {}),
    tickMs: positive("tick-ms", values["tick-ms"])!,
    leaseMs: positive("lease-ms", values["lease-ms"])!,
    checkTimeoutMs: positive("check-timeout-ms", values["check-timeout-ms"])!,
    ...(concurrency ? { concurrency } : {}),
    database: async () => database.prisma,
    keyRing: () => ring,
    onCheck: (lease, outcome) => line({ event: "check", instance: handle.instanceId, connectionId: lease.id, outcome: outcome.outcome }),
  });
  line({ event: "ready", instance: handle.instanceId });
  const shutdown = async () => {
    await handle.stop();
    await database.close();
    line({ event: "stopped", instance: handle.instanceId });
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown());
  process.once("SIGINT", () => void shutdown());
}

main().catch((error: unknown) => {
  process.stderr.write(`jobs-worker failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
