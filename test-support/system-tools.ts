import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The programs the tests need besides npm packages: Chromium for Playwright, PostgreSQL's server
 * programs for the second database suite and the deployment suite, ShellCheck for the generated setup
 * scripts, and nginx as the deployment suite's TLS proxy. CI runs on
 * Debian 12, so Debian's locations are the defaults; variables point at installs anywhere else. This
 * is the only file that names these locations, so a machine with another layout changes one thing.
 */

export type SystemToolDefaults = { chromium: string; postgresBin: string; nginx: string };

export const debianDefaults: SystemToolDefaults = {
  chromium: "/usr/bin/chromium",
  postgresBin: "/usr/lib/postgresql/15/bin",
  nginx: "/usr/sbin/nginx",
};

/**
 * `installable` is false when a variable names something that does not exist: installing the Debian
 * package would not help, the variable has to change.
 */
export type ToolLookup = { found: true; path: string } | { found: false; problem: string; installable: boolean };

type Env = Record<string, string | undefined>;

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string, env: Env): string | undefined {
  return (env.PATH ?? "")
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => path.join(dir, name))
    .find(isExecutableFile);
}

/** A program named by a variable, else at its default location. */
function findProgram(configured: string | undefined, program: { variable: string; defaultPath: string; name: string; debianPackage: string; what: string }): ToolLookup {
  if (configured) {
    return isExecutableFile(configured)
      ? { found: true, path: configured }
      : {
          found: false,
          installable: false,
          problem: `${program.variable} is ${configured}, which is not an executable file. Point it at ${program.what}, or unset it to use ${program.defaultPath}.`,
        };
  }
  if (isExecutableFile(program.defaultPath)) return { found: true, path: program.defaultPath };
  return {
    found: false,
    installable: true,
    problem: `${program.name} is not installed at ${program.defaultPath}. Install it (Debian: apt-get install ${program.debianPackage}), or set ${program.variable} to ${program.what}.`,
  };
}

export function findChromium(env: Env = process.env, defaults: SystemToolDefaults = debianDefaults): ToolLookup {
  return findProgram(env.CHROMIUM_PATH, {
    variable: "CHROMIUM_PATH",
    defaultPath: defaults.chromium,
    name: "Chromium",
    debianPackage: "chromium",
    what: "a Chromium or Google Chrome executable",
  });
}

export function findNginx(env: Env = process.env, defaults: SystemToolDefaults = debianDefaults): ToolLookup {
  return findProgram(env.NGINX_PATH, { variable: "NGINX_PATH", defaultPath: defaults.nginx, name: "nginx", debianPackage: "nginx", what: "an nginx executable" });
}

const postgresPrograms = ["initdb", "pg_ctl"];

function holdsPostgresServer(dir: string): boolean {
  return postgresPrograms.every((program) => isExecutableFile(path.join(dir, program)));
}

/** `pg_config --bindir`, when pg_config is on PATH and answers. */
function pgConfigBindir(env: Env): string | undefined {
  const pgConfig = findOnPath("pg_config", env);
  if (!pgConfig) return undefined;
  const result = spawnSync(pgConfig, ["--bindir"], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() || undefined : undefined;
}

/** The folder with PostgreSQL's initdb and pg_ctl: PG_BIN, else `pg_config --bindir`, else Debian's. */
export function findPostgresBin(env: Env = process.env, defaults: SystemToolDefaults = debianDefaults): ToolLookup {
  const configured = env.PG_BIN;
  if (configured) {
    return holdsPostgresServer(configured)
      ? { found: true, path: configured }
      : {
          found: false,
          installable: false,
          problem: `PG_BIN is ${configured}, which does not hold PostgreSQL's ${postgresPrograms.join(" and ")}. Point it at the bin folder of a PostgreSQL server install, or unset it.`,
        };
  }
  // libpq's development package ships pg_config without the server, so its folder may lack initdb.
  const bindir = pgConfigBindir(env);
  if (bindir && holdsPostgresServer(bindir)) return { found: true, path: bindir };
  if (holdsPostgresServer(defaults.postgresBin)) return { found: true, path: defaults.postgresBin };
  const pgConfigSays = bindir ? `pg_config --bindir names ${bindir}, which lacks them` : "pg_config is not on PATH";
  return {
    found: false,
    installable: true,
    problem: `PostgreSQL's ${postgresPrograms.join(" and ")} are not installed: PG_BIN is unset, ${pgConfigSays}, and ${defaults.postgresBin} lacks them. Install PostgreSQL 15 (Debian: apt-get install postgresql-15), or set PG_BIN to the folder that holds them.`,
  };
}

export function findShellcheck(env: Env = process.env): ToolLookup {
  const found = findOnPath("shellcheck", env);
  return found
    ? { found: true, path: found }
    : { found: false, installable: true, problem: "ShellCheck is not on PATH. Install it (Debian: apt-get install shellcheck), or add the folder that holds shellcheck to PATH." };
}

export type SystemTool = { name: string; debianPackage: string; lookup: ToolLookup };

export function systemTools(env: Env = process.env, defaults: SystemToolDefaults = debianDefaults): SystemTool[] {
  return [
    { name: "Chromium", debianPackage: "chromium", lookup: findChromium(env, defaults) },
    { name: "PostgreSQL", debianPackage: "postgresql-15", lookup: findPostgresBin(env, defaults) },
    { name: "ShellCheck", debianPackage: "shellcheck", lookup: findShellcheck(env) },
    { name: "nginx", debianPackage: "nginx", lookup: findNginx(env, defaults) },
  ];
}

function required(lookup: ToolLookup): string {
  if (!lookup.found) throw new Error(lookup.problem);
  return lookup.path;
}

export function chromiumExecutable(): string {
  return required(findChromium());
}

export function postgresBin(): string {
  return required(findPostgresBin());
}

export function nginxExecutable(): string {
  return required(findNginx());
}

/** A missing ShellCheck throws: the test command installs it, so its absence is a broken setup, not a skip. */
export function runShellcheck(file: string): SpawnSyncReturns<string> {
  return spawnSync(required(findShellcheck()), ["--shell=bash", "--severity=style", file], { encoding: "utf8" });
}

/**
 * For scripts/test-all.sh:
 *   --missing-debian-packages  prints the Debian packages that would supply the missing tools, one a line
 *   --check                    prints where each tool is, or what to do about it; exits 1 when one is missing
 */
function main(argv: string[]): number {
  const tools = systemTools();
  if (argv[0] === "--missing-debian-packages") {
    for (const tool of tools) if (!tool.lookup.found && tool.lookup.installable) process.stdout.write(`${tool.debianPackage}\n`);
    return 0;
  }
  if (argv[0] === "--check") {
    for (const tool of tools) process.stdout.write(`${tool.name}: ${tool.lookup.found ? tool.lookup.path : `MISSING. ${tool.lookup.problem}`}\n`);
    return tools.every((tool) => tool.lookup.found) ? 0 : 1;
  }
  process.stderr.write("usage: tsx test-support/system-tools.ts --missing-debian-packages | --check\n");
  return 2;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
