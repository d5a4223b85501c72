import { createRequire } from "node:module";
import { EnvError, getEnv, pinDataDirBeforeChdir, type Env } from "./env.ts";

// Required rather than imported: the package is CommonJS whose exports Node cannot name statically,
// and scripts/start.mjs loads this file without a bundler (Node's type stripping).
const { loadEnvConfig } = createRequire(import.meta.url)("@next/env") as typeof import("@next/env");

const quiet = { info: () => undefined, error: (...args: unknown[]) => console.error(...args) };

/**
 * Loads the `.env` files of the folder a command runs in, with Next.js's own loader and therefore
 * the same files and order as Next.js (`.env.production.local` or `.env.development.local`,
 * `.env.local`, `.env.production` or `.env.development`, `.env`); a variable already set in the
 * environment wins over every file. Every entry point calls this before anything reads a
 * variable. Next.js keeps the first load of a process, so its own call inside the server changes
 * nothing afterwards: the port the server binds and the links the app writes come from one source.
 *
 * Returns the files that were read, relative to the folder.
 */
export function loadEnvFiles(options: { dev?: boolean; dir?: string } = {}): string[] {
  return loadEnvConfig(options.dir ?? process.cwd(), options.dev ?? false, quiet).loadedEnvFiles.map((file) => file.path);
}

/**
 * For the commands that start the console (scripts/start.mjs, scripts/server.mjs): the files, then
 * the validated settings, or the message naming what is wrong and exit code 1.
 */
export function loadConfigurationOrExit(options: { dev?: boolean } = {}): Env {
  loadEnvFiles(options);
  try {
    return getEnv();
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    process.stderr.write(`\nCalsync Console cannot start:\n${error.message}\n\n`);
    process.exit(1);
  }
}

/**
 * Next.js and the console find their own files (the build, prisma/migrations) in the working
 * directory, which Next's standalone server arranges by moving to its folder; the server does the
 * same, so it can be started from any folder. A relative CALSYNC_DATA_DIR keeps meaning the folder
 * it was started from.
 */
export function moveToAppFolder(appFolder: string, env: Env): void {
  pinDataDirBeforeChdir(env);
  process.chdir(appFolder);
}
