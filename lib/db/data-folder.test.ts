import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getDatabase, useDatabase } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { accessesByOtherAccount, runningAsRoot } from "@/test-support/other-account";

/**
 * PGlite writes its files with mode 0666 whatever the umask, so the data folder is what keeps other
 * local accounts away from password hashes and sessions. These tests open the database the way the
 * console does at start (getDatabase with CALSYNC_DATA_DIR) and then look at the folder as another
 * account would.
 */

function tree(folder: string): string[] {
  return [folder, ...readdirSync(folder, { recursive: true, withFileTypes: true }).map((entry) => path.join(entry.parentPath, entry.name))];
}

const modeOf = (file: string) => lstatSync(file).mode & 0o777;

let root: string;
let dataDir: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "calsync-data-folder-"));
  // mkdtemp makes the folder 0700; opened up, only the data folder itself can keep others out.
  chmodSync(root, 0o755);
  dataDir = path.join(root, "data");
  process.env.CALSYNC_DATA_DIR = dataDir;
  delete process.env.DATABASE_URL;
  resetEnvCache();
  useDatabase(undefined);
});

afterEach(async () => {
  const opened = await getDatabase().catch(() => undefined);
  await opened?.close();
  useDatabase(undefined);
  delete process.env.CALSYNC_DATA_DIR;
  resetEnvCache();
  rmSync(root, { recursive: true, force: true });
});

describe("the embedded database's data folder", () => {
  it("is closed to every other local account after a start on a folder that already holds 0666 files", { timeout: 180_000 }, async () => {
    // As an earlier version left it: folders open to everyone, PGlite's own files 0666.
    const pgliteDir = path.join(dataDir, "pglite");
    mkdirSync(pgliteDir, { recursive: true });
    chmodSync(dataDir, 0o777);
    chmodSync(pgliteDir, 0o777);
    const earlier = new PGlite(pgliteDir);
    await earlier.waitReady;
    await earlier.close();
    writeFileSync(path.join(pgliteDir, "left-behind"), "x");
    chmodSync(path.join(pgliteDir, "left-behind"), 0o666);
    const openBefore = tree(dataDir).filter((file) => lstatSync(file).isFile() && modeOf(file) === 0o666);
    expect(openBefore.length).toBeGreaterThan(900);

    await getDatabase();

    const uid = process.getuid?.();
    for (const folder of [dataDir, pgliteDir]) {
      expect(modeOf(folder).toString(8), folder).toBe("700");
      expect(lstatSync(folder).uid).toBe(uid);
    }
    const loose = tree(dataDir).filter((file) => (lstatSync(file).isDirectory() ? modeOf(file) !== 0o700 : modeOf(file) !== 0o600));
    expect(loose).toEqual([]);
    if (runningAsRoot) expect(accessesByOtherAccount(tree(dataDir))).toEqual([]);
  });

  it("is created private on a first start", { timeout: 180_000 }, async () => {
    await getDatabase();
    expect(modeOf(dataDir).toString(8)).toBe("700");
    expect(modeOf(path.join(dataDir, "pglite")).toString(8)).toBe("700");
    if (runningAsRoot) expect(accessesByOtherAccount(tree(dataDir))).toEqual([]);
  });

  it("refuses a shared sticky folder such as /tmp as the data folder, changing nothing", async () => {
    mkdirSync(dataDir, { mode: 0o777 });
    chmodSync(dataDir, 0o1777);
    const failure = await getDatabase().catch((error: unknown) => error);
    expect((failure as Error).message).toMatch(/is a shared folder \(sticky bit set, like \/tmp\)/);
    expect(modeOf(dataDir).toString(8)).toBe("777");
    expect(statSync(dataDir).mode & 0o7777).toBe(0o1777);
    expect(existsSync(path.join(dataDir, "pglite"))).toBe(false);
  });

  it("refuses to start, changing nothing, when the data folder belongs to another user", { timeout: 180_000 }, async () => {
    let foreign: string;
    if (runningAsRoot) {
      mkdirSync(dataDir, { mode: 0o755 });
      chownSync(dataDir, 65534, 65534);
      foreign = dataDir;
    } else {
      // Not root, so no folder can be given away; the file system's root belongs to root.
      foreign = path.parse(root).root;
      process.env.CALSYNC_DATA_DIR = foreign;
      resetEnvCache();
    }
    const failure = await getDatabase().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toContain(foreign);
    expect((failure as Error).message).toMatch(/belongs to another user/);
    if (runningAsRoot) {
      expect(existsSync(path.join(dataDir, "pglite"))).toBe(false);
      expect(modeOf(dataDir).toString(8)).toBe("755");
    }
  });
});
