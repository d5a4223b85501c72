import { spawn, type ChildProcessByStdio } from "node:child_process";
import { createWriteStream } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";

/**
 * A console process as an operator runs it: `npm start` (scripts/start.mjs, which builds first when
 * the sources changed) or the built server alone (scripts/server.mjs), in a working folder of the
 * test's choosing (where its .env files are read), with exactly the environment the test gives.
 * Ready means /api/health answers 200; the console binds its port only once it has started.
 */

export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

export type ConsoleProcessOptions = {
  /** The whole environment of the process; nothing of this one's is added. */
  env: Record<string, string | undefined>;
  /** Where the console will listen, as its environment or .env tells it; used to wait for it. */
  port: number;
  host?: string;
  /** Its working folder; the repository by default. */
  cwd?: string;
  /** `start` (npm start) by default; `server` skips the build check. */
  entry?: "start" | "server";
  /** The whole command line instead of node and the entry script: a systemd unit's ExecStart. */
  command?: string[];
  /** Options for node itself, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** Also writes everything the process prints to this file. */
  logFile?: string;
  readyWithinMs?: number;
};

export type ConsoleProcess = {
  origin: string;
  pid: number;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves with the first match in its output, now or later; rejects when it exits or the time is up. */
  waitForOutput(pattern: RegExp, withinMs?: number): Promise<RegExpExecArray>;
  /** SIGTERM to the process and anything it started (a build), then waits until it has exited. */
  stop(): Promise<void>;
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no free port"))));
    });
  });
}

/**
 * The built console on `port` with its data in `dataDir` and only the given settings: nothing of this
 * process's environment but PATH and HOME, so no setting of the test runner leaks into it.
 */
export function startBuiltConsole(options: { port: number; dataDir: string; settings: Record<string, string> }): Promise<ConsoleProcess> {
  return startConsoleProcess({
    entry: "server",
    port: options.port,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", PORT: String(options.port), CALSYNC_DATA_DIR: options.dataDir, ...options.settings },
  });
}

export async function startConsoleProcess(options: ConsoleProcessOptions): Promise<ConsoleProcess> {
  const host = options.host ?? "127.0.0.1";
  const origin = `http://${host.includes(":") ? `[${host}]` : host}:${options.port}`;
  const script = options.entry === "server" ? "scripts/server.mjs" : "scripts/start.mjs";
  const [program, ...args] = options.command ?? [process.execPath, ...(options.nodeArgs ?? []), path.join(REPO_ROOT, script)];
  // Set by Next's .env loader in a process that already read its files; a child must read its own.
  const { __NEXT_PROCESSED_ENV: _loaded, ...env } = options.env;
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(program!, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so that stop() reaches a build it started too.
    detached: true,
  });
  let output = "";
  const log = options.logFile ? createWriteStream(options.logFile) : undefined;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      output += chunk;
      log?.write(chunk);
    });
  }
  void exited.then(() => log?.end());

  const describe = () => `${options.command?.join(" ") ?? script} in ${options.cwd ?? REPO_ROOT}; its output:\n${output.slice(-4000)}`;

  function waitForOutput(pattern: RegExp, withinMs = 60_000): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = new RegExp(pattern.source, pattern.flags.replace("g", "")).exec(output);
        if (!match) return false;
        done();
        resolve(match);
        return true;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`No output matching ${pattern} within ${withinMs} ms from ${describe()}`));
      }, withinMs);
      const onExit = () => {
        if (check()) return;
        done();
        reject(new Error(`The console exited before printing ${pattern}: ${describe()}`));
      };
      const done = () => {
        clearTimeout(timer);
        child.stdout.off("data", check);
        child.stderr.off("data", check);
        child.off("exit", onExit);
      };
      if (check()) return;
      child.stdout.on("data", check);
      child.stderr.on("data", check);
      child.once("exit", onExit);
    });
  }

  async function stop(): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // Already gone.
      }
    };
    signalGroup("SIGTERM");
    const killed = setTimeout(() => signalGroup("SIGKILL"), 15_000);
    await exited;
    clearTimeout(killed);
  }

  // `npm start` builds first when the sources changed, which can take minutes.
  const deadline = Date.now() + (options.readyWithinMs ?? 300_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`The console exited during start: ${describe()}`);
    try {
      if ((await fetch(`${origin}/api/health`)).status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`The console did not become ready at ${origin}: ${describe()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { origin, pid: child.pid!, output: () => output, waitForOutput, stop };
}
