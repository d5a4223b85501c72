import "server-only";
import { loadKeyRing, setKeyRing } from "@/lib/crypto/key-store";
import { describeTarget, getDatabase } from "@/lib/db/client";
import { getEnv } from "@/lib/env";
import { ensureScheduler } from "@/lib/jobs/scheduler";
import { publicUrl } from "@/lib/public-url";
import { issueSetupCode } from "@/lib/auth/setup";
import { log } from "@/lib/log";

/**
 * Runs once per server process before it takes requests: configuration, database and migrations,
 * the seal key ring, and on first run the one-time setup code. Any failure here stops start-up with
 * a message that says what to fix; nothing is changed or destroyed on the way out.
 */
export async function startConsole(): Promise<void> {
  const env = getEnv();
  const database = await getDatabase();
  setKeyRing(await loadKeyRing(env, database.sql));
  // Scheduled checks and alerts; a no-op with CALSYNC_SCHEDULER=off. On SIGTERM, running checks hand
  // their leases back before the process exits, so another instance can take them at once.
  const scheduler = ensureScheduler();
  process.once("SIGTERM", () => {
    void scheduler.stop().finally(() => process.exit(0));
  });
  const url = publicUrl(env);
  const code = await issueSetupCode(database.prisma);
  log.info("Calsync Console is ready", { url, database: describeTarget(database.target) });
  if (code) {
    process.stdout.write(
      [
        "",
        "  No administrator yet. Open the console and claim it with this one-time setup code:",
        "",
        `    Setup URL:  ${url}/setup`,
        `    Setup code: ${code}`,
        "",
        "  The code is valid for 24 hours and a new one is printed at every start until the console is claimed.",
        "",
      ].join("\n") + "\n",
    );
  }
}

export async function startConsoleOrExit(): Promise<void> {
  try {
    await startConsole();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`\nCalsync Console cannot start:\n${message}\n\n`);
    process.exit(1);
  }
}
