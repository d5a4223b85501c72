import { spawnSync } from "node:child_process";
import { REPO_ROOT } from "./console-process";

/**
 * Runs one of test-support's seed scripts (engine-api-seed.ts, deployment-seed.ts) in a process of its
 * own, with React's server condition, for callers that cannot load the console's server modules
 * (Playwright's workers). Returns what the script printed last, a line of JSON.
 */
export function runSeedScript<T>(script: string, args: Record<string, string>): T {
  const flags = Object.entries(args).flatMap(([name, value]) => [`--${name}`, value]);
  const seeded = spawnSync(process.execPath, ["--conditions=react-server", "--import", "tsx", script, ...flags], { cwd: REPO_ROOT, encoding: "utf8" });
  if (seeded.status !== 0) throw new Error(`${script} failed: ${seeded.stderr}`);
  // Its log lines come first.
  return JSON.parse(seeded.stdout.trim().split("\n").at(-1)!) as T;
}
