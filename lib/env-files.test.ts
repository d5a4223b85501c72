import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

/**
 * Each case is a fresh Node process in a folder of its own, loading lib/env-files.ts the way the
 * start scripts do (natively), because a process loads its files once.
 */

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function folderWith(files: Record<string, string>): string {
  const folder = mkdtempSync(path.join(tmpdir(), "calsync-env-files-"));
  folders.push(folder);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(folder, name), text);
  return folder;
}

function loadIn(folder: string, env: Record<string, string> = {}, options = "{}"): { files: string[]; values: Record<string, string | undefined> } {
  const moduleUrl = pathToFileURL(path.resolve("lib/env-files.ts")).href;
  const script = `
    const { loadEnvFiles } = await import(${JSON.stringify(moduleUrl)});
    const files = loadEnvFiles(${options});
    const names = ["PORT", "CALSYNC_PUBLIC_URL", "CALSYNC_TRUST_PROXY", "CALSYNC_LOG_LEVEL"];
    console.log(JSON.stringify({ files, values: Object.fromEntries(names.map((name) => [name, process.env[name]])) }));`;
  // Without NODE_ENV, as `npm start` runs: Next's loader then reads the production files.
  const childEnv: Record<string, string> = { PATH: process.env.PATH ?? "", ...env };
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: folder,
    env: childEnv as NodeJS.ProcessEnv,
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as { files: string[]; values: Record<string, string | undefined> };
}

describe("loadEnvFiles", () => {
  it("reads .env from the folder it runs in", () => {
    const folder = folderWith({ ".env": "PORT=4000\nCALSYNC_PUBLIC_URL=https://calsync.example.com\n" });
    expect(loadIn(folder)).toEqual({ files: [".env"], values: { PORT: "4000", CALSYNC_PUBLIC_URL: "https://calsync.example.com" } });
  });

  it("lets the environment win over every file, and the files win in Next.js's order", () => {
    const folder = folderWith({
      ".env": "PORT=4000\nCALSYNC_TRUST_PROXY=false\nCALSYNC_LOG_LEVEL=info\n",
      ".env.production": "CALSYNC_TRUST_PROXY=true\nCALSYNC_LOG_LEVEL=warn\n",
      ".env.local": "CALSYNC_LOG_LEVEL=debug\n",
      ".env.development": "CALSYNC_PUBLIC_URL=https://dev.example.com\n",
    });
    expect(loadIn(folder, { PORT: "5000" })).toEqual({
      files: [".env.local", ".env.production", ".env"],
      values: { PORT: "5000", CALSYNC_TRUST_PROXY: "true", CALSYNC_LOG_LEVEL: "debug" },
    });
    expect(loadIn(folder, {}, "{ dev: true }").values.CALSYNC_PUBLIC_URL).toBe("https://dev.example.com");
  });

  it("reads nothing, and changes nothing, without files", () => {
    expect(loadIn(folderWith({}), { PORT: "5000" })).toEqual({ files: [], values: { PORT: "5000" } });
  });
});
