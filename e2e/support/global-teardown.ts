import { readFileSync } from "node:fs";
import path from "node:path";
import { E2E_ROOT } from "./server";

export default async function globalTeardown(): Promise<void> {
  const pid = Number(readFileSync(path.join(E2E_ROOT, "server.pid"), "utf8"));
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    // already gone
  }
}
