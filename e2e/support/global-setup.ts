import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT, CAPTURE_DIR, E2E_BASE_URL, E2E_DATA_DIR, E2E_PORT, E2E_ROOT, SCREENSHOT_DIR, SERVER_LOG, STATE_DIR } from "./server";

/**
 * Starts the production build of the console (the test command builds it first) on a fresh data
 * folder, exactly as `npm start` does, and keeps its log: the specs read the setup code from it and
 * the secrets spec searches it.
 */
export default async function globalSetup(): Promise<void> {
  rmSync(E2E_ROOT, { recursive: true, force: true });
  for (const dir of [E2E_DATA_DIR, CAPTURE_DIR, STATE_DIR, SCREENSHOT_DIR]) mkdirSync(dir, { recursive: true });
  const log = createWriteStream(SERVER_LOG);
  const server = spawn(process.execPath, ["scripts/start.mjs"], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_ENV: "production", PORT: String(E2E_PORT), HOST: "127.0.0.1", CALSYNC_DATA_DIR: E2E_DATA_DIR, CALSYNC_LOG_LEVEL: "debug" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  server.stdout.pipe(log);
  server.stderr.pipe(log);
  writeFileSync(path.join(E2E_ROOT, "server.pid"), String(server.pid));
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`The console exited during start; see ${SERVER_LOG}`);
    try {
      const response = await fetch(`${E2E_BASE_URL}/api/health`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`The console did not become ready; see ${SERVER_LOG}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
