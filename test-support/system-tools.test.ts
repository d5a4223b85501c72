import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findChromium, findNginx, findPostgresBin, findShellcheck, systemTools, type SystemToolDefaults } from "@/test-support/system-tools";

const root = path.resolve(import.meta.dirname, "..");
const work = mkdtempSync(path.join(tmpdir(), "calsync-system-tools-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let dirCount = 0;
function folder(): string {
  const dir = path.join(work, `dir-${++dirCount}`);
  mkdirSync(dir);
  return dir;
}

function program(dir: string, name: string, body = "exit 0", mode = 0o755): string {
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, mode);
  return file;
}

function postgresFolder(...programs: string[]): string {
  const dir = folder();
  for (const name of programs) program(dir, name);
  return dir;
}

/** Defaults that point into the temporary folder, so the machine's own installs play no part. */
function defaults(overrides: Partial<SystemToolDefaults> = {}): SystemToolDefaults {
  return { chromium: path.join(work, "no-chromium"), postgresBin: path.join(work, "no-postgres"), nginx: path.join(work, "no-nginx"), ...overrides };
}

const emptyPath = () => folder();

describe("findChromium", () => {
  it("takes CHROMIUM_PATH first", () => {
    const chrome = program(folder(), "chrome");
    const debianChromium = program(folder(), "chromium");
    expect(findChromium({ CHROMIUM_PATH: chrome }, defaults({ chromium: debianChromium }))).toEqual({ found: true, path: chrome });
  });

  it("says that a CHROMIUM_PATH without an executable needs changing, not an install", () => {
    const missing = path.join(work, "nowhere", "chromium");
    const lookup = findChromium({ CHROMIUM_PATH: missing }, defaults({ chromium: program(folder(), "chromium") }));
    expect(lookup).toMatchObject({ found: false, installable: false });
    expect(!lookup.found && lookup.problem).toContain(`CHROMIUM_PATH is ${missing}, which is not an executable file`);
  });

  it("does not take a file that cannot be executed", () => {
    const plain = program(folder(), "chromium", "exit 0", 0o644);
    expect(findChromium({ CHROMIUM_PATH: plain }, defaults())).toMatchObject({ found: false });
    expect(findChromium({}, defaults({ chromium: plain }))).toMatchObject({ found: false, installable: true });
  });

  it("falls back to the default location", () => {
    const debianChromium = program(folder(), "chromium");
    expect(findChromium({}, defaults({ chromium: debianChromium }))).toEqual({ found: true, path: debianChromium });
  });

  it("names the package to install and the variable when neither exists", () => {
    const lookup = findChromium({}, defaults());
    expect(lookup).toMatchObject({ found: false, installable: true });
    expect(!lookup.found && lookup.problem).toMatch(/apt-get install chromium.*CHROMIUM_PATH/);
  });
});

describe("findPostgresBin", () => {
  it("takes PG_BIN first", () => {
    const configured = postgresFolder("initdb", "pg_ctl");
    expect(findPostgresBin({ PG_BIN: configured }, defaults({ postgresBin: postgresFolder("initdb", "pg_ctl") }))).toEqual({ found: true, path: configured });
  });

  it("says that a PG_BIN without initdb and pg_ctl needs changing", () => {
    const half = postgresFolder("initdb");
    const lookup = findPostgresBin({ PG_BIN: half }, defaults({ postgresBin: postgresFolder("initdb", "pg_ctl") }));
    expect(lookup).toMatchObject({ found: false, installable: false });
    expect(!lookup.found && lookup.problem).toContain(`PG_BIN is ${half}, which does not hold PostgreSQL's initdb and pg_ctl`);
  });

  it("asks pg_config on PATH next", () => {
    const server = postgresFolder("initdb", "pg_ctl");
    const bin = folder();
    program(bin, "pg_config", `[ "$1" = --bindir ] && echo '${server}'`);
    expect(findPostgresBin({ PATH: bin }, defaults({ postgresBin: postgresFolder("initdb", "pg_ctl") }))).toEqual({ found: true, path: server });
  });

  it("falls back to the default folder when pg_config's folder has no server programs", () => {
    const clientOnly = postgresFolder("psql");
    const bin = folder();
    program(bin, "pg_config", `echo '${clientOnly}'`);
    const debianBin = postgresFolder("initdb", "pg_ctl");
    expect(findPostgresBin({ PATH: bin }, defaults({ postgresBin: debianBin }))).toEqual({ found: true, path: debianBin });

    const lookup = findPostgresBin({ PATH: bin }, defaults());
    expect(lookup).toMatchObject({ found: false, installable: true });
    expect(!lookup.found && lookup.problem).toContain(`pg_config --bindir names ${clientOnly}, which lacks them`);
  });

  it("names the package to install and PG_BIN when nothing is found", () => {
    const lookup = findPostgresBin({ PATH: emptyPath() }, defaults());
    expect(lookup).toMatchObject({ found: false, installable: true });
    expect(!lookup.found && lookup.problem).toMatch(/pg_config is not on PATH.*apt-get install postgresql-15.*PG_BIN/);
  });
});

describe("findShellcheck", () => {
  it("finds shellcheck in the first PATH folder that has it", () => {
    const first = folder();
    const second = folder();
    program(first, "shellcheck", "exit 0", 0o644);
    const found = program(second, "shellcheck");
    expect(findShellcheck({ PATH: [emptyPath(), first, second].join(path.delimiter) })).toEqual({ found: true, path: found });
  });

  it("names the package when it is not on PATH", () => {
    const lookup = findShellcheck({ PATH: emptyPath() });
    expect(lookup).toMatchObject({ found: false, installable: true });
    expect(!lookup.found && lookup.problem).toContain("apt-get install shellcheck");
  });
});

describe("findNginx", () => {
  it("takes NGINX_PATH first, then Debian's location", () => {
    const configured = program(folder(), "nginx");
    const debianNginx = program(folder(), "nginx");
    expect(findNginx({ NGINX_PATH: configured }, defaults({ nginx: debianNginx }))).toEqual({ found: true, path: configured });
    expect(findNginx({}, defaults({ nginx: debianNginx }))).toEqual({ found: true, path: debianNginx });
  });

  it("says that an NGINX_PATH that is no program needs changing, and names the package otherwise", () => {
    const wrong = path.join(work, "no-such-nginx");
    const configured = findNginx({ NGINX_PATH: wrong }, defaults());
    expect(configured).toMatchObject({ found: false, installable: false });
    expect(!configured.found && configured.problem).toContain(`NGINX_PATH is ${wrong}, which is not an executable file`);
    const lookup = findNginx({}, defaults());
    expect(lookup).toMatchObject({ found: false, installable: true });
    expect(!lookup.found && lookup.problem).toMatch(/apt-get install nginx.*NGINX_PATH/);
  });
});

describe("systemTools", () => {
  it("pairs each tool with the Debian 12 package that installs it", () => {
    expect(systemTools({ PATH: emptyPath() }, defaults()).map((tool) => [tool.name, tool.debianPackage, tool.lookup.found])).toEqual([
      ["Chromium", "chromium", false],
      ["PostgreSQL", "postgresql-15", false],
      ["ShellCheck", "shellcheck", false],
      ["nginx", "nginx", false],
    ]);
  });
});

describe("the command scripts/test-all.sh runs", () => {
  function run(args: string[], env: Record<string, string>) {
    return spawnSync(process.execPath, ["--import", "tsx", "test-support/system-tools.ts", ...args], { cwd: root, encoding: "utf8", env: { NODE_ENV: "test", ...env } });
  }

  it("lists only packages that an install would supply", () => {
    const nowhere = path.join(work, "nowhere");
    const result = run(["--missing-debian-packages"], { PATH: emptyPath(), CHROMIUM_PATH: nowhere, PG_BIN: nowhere, NGINX_PATH: nowhere });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("shellcheck\n");
  });

  it("fails the check with what to do", () => {
    const missing = path.join(work, "nowhere");
    const result = run(["--check"], { PATH: emptyPath(), CHROMIUM_PATH: missing });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`Chromium: MISSING. CHROMIUM_PATH is ${missing}`);
    expect(result.stdout).toContain("ShellCheck: MISSING. ShellCheck is not on PATH");
  });

  it("passes the check and says where each tool is", () => {
    const chrome = program(folder(), "chrome");
    const server = postgresFolder("initdb", "pg_ctl");
    const bin = folder();
    const shellcheck = program(bin, "shellcheck");
    const nginx = program(folder(), "nginx");
    const result = run(["--check"], { PATH: bin, CHROMIUM_PATH: chrome, PG_BIN: server, NGINX_PATH: nginx });
    expect(result.stdout).toBe(`Chromium: ${chrome}\nPostgreSQL: ${server}\nShellCheck: ${shellcheck}\nnginx: ${nginx}\n`);
    expect(result.status).toBe(0);
  });

  it("rejects an unknown option", () => {
    expect(run(["--install"], { PATH: emptyPath() }).status).toBe(2);
  });
});
