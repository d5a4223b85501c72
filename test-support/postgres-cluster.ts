import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { postgresBin } from "./system-tools";

/**
 * A throwaway PostgreSQL cluster for tests (15 in CI; test-support/system-tools.ts finds the server
 * programs): initdb into a temporary folder, pg_ctl start on a free loopback port, trust
 * authentication (only local processes can connect). PostgreSQL refuses to run as root, so as root
 * every command runs as the `postgres` OS user.
 */

/**
 * `pause` freezes every process of the cluster (SIGSTOP), as a hung server or a dead network link would
 * look to the console: connections stay open and nothing answers. `resume` lets them go on (SIGCONT).
 */
export type PostgresCluster = { url: string; stop(): void; pause(): void; resume(): void };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function asPostgres(bin: string, command: string, args: string[]): void {
  const isRoot = process.getuid?.() === 0;
  const program = path.join(bin, command);
  const [file, fullArgs] = isRoot ? ["runuser", ["-u", "postgres", "--", program, ...args]] : [program, args];
  const result = spawnSync(file, fullArgs, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr || result.stdout}`);
}

function postmasterPid(dataDir: string): number {
  const pid = Number(readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`No postmaster pid in ${dataDir}/postmaster.pid`);
  return pid;
}

function childrenOf(pid: number): number[] {
  // pgrep exits 1 when there are none.
  const result = spawnSync("pgrep", ["-P", String(pid)], { encoding: "utf8" });
  return result.stdout.split("\n").filter(Boolean).map(Number);
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = postgresBin();
  const dir = mkdtempSync(path.join(tmpdir(), "calsync-pg-"));
  chmodSync(dir, 0o777);
  const dataDir = path.join(dir, "data");
  if (process.getuid?.() === 0) execFileSync("chown", ["postgres", dir]);
  const port = await freePort();
  asPostgres(bin, "initdb", ["-D", dataDir, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"]);
  asPostgres(bin, "pg_ctl", [
    "-D", dataDir, "-l", path.join(dir, "server.log"), "-w", "-t", "60",
    "-o", `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
    "start",
  ]);
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    pause() {
      const postmaster = postmasterPid(dataDir);
      // The postmaster first, so that it cannot start a backend after the others are listed.
      process.kill(postmaster, "SIGSTOP");
      for (const child of childrenOf(postmaster)) process.kill(child, "SIGSTOP");
    },
    resume() {
      const postmaster = postmasterPid(dataDir);
      // A backend listed here may have ended since (its client gave up while it was stopped).
      for (const child of childrenOf(postmaster)) signalIfRunning(child, "SIGCONT");
      process.kill(postmaster, "SIGCONT");
    },
    stop() {
      try {
        asPostgres(bin, "pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function signalIfRunning(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}
