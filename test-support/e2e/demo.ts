import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { RoleName } from "./server";
import { DEMO_E2E_DIR, DEMO_E2E_PORT, REPO_ROOT } from "./server";

/**
 * `npm run demo -- --reset` as a newcomer runs it, in its own process group: the spec reads the
 * accounts from what it prints, and stops it as Ctrl-C does.
 */

export type RunningDemo = {
  url: string;
  accounts: Record<RoleName, { email: string; password: string }>;
  apiKey: string;
  output: () => string;
  /** Ctrl-C, then waits until no process of the demo is left. */
  stop: () => Promise<void>;
};

const READY_LINE = "Ctrl-C stops the demo";

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, deadlineMs: number, what: string): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startDemo(): Promise<RunningDemo> {
  const child: ChildProcess = spawn("npm", ["run", "demo", "--", "--reset"], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(DEMO_E2E_PORT), CALSYNC_DEMO_DIR: DEMO_E2E_DIR },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    lines.on("line", (line) => {
      output += `${line}\n`;
      if (line.includes(READY_LINE)) resolve();
    });
    child.once("exit", (code) => reject(new Error(`npm run demo exited (${code}) before it was ready:\n${output}`)));
  });
  const account = (role: RoleName) => {
    const match = new RegExp(`^\\s+${role}\\s+(\\S+@\\S+)\\s+(\\S+)$`, "m").exec(output);
    if (!match) throw new Error(`the demo printed no ${role} account:\n${output}`);
    return { email: match[1]!, password: match[2]! };
  };
  const apiKey = /^\s+(csk_\S+)$/m.exec(output)?.[1];
  if (!apiKey) throw new Error(`the demo printed no API key:\n${output}`);
  const pgid = child.pid!;
  return {
    url: /Open:\s+(\S+)/.exec(output)![1]!,
    accounts: { admin: account("admin"), helpdesk: account("helpdesk"), member: account("member") },
    apiKey,
    output: () => output,
    stop: async () => {
      if (!groupAlive(pgid)) return;
      process.kill(-pgid, "SIGINT");
      await until(() => !groupAlive(pgid), 30_000, "every process of the demo to end");
    },
  };
}
