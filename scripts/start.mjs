// `npm start`: build when the sources changed since the last build, then serve. Migrations, the key
// ring and the first-run setup code happen inside the server at start (instrumentation.ts).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfigurationOrExit } from "../lib/env-files.ts";
import { configurationWarnings } from "../lib/env.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const dev = process.argv.includes("--dev");
const buildOnly = process.argv.includes("--build");

// Before the build too: Next embeds NEXT_SERVER_ACTIONS_ENCRYPTION_KEY in it.
const env = loadConfigurationOrExit({ dev });
for (const warning of configurationWarnings(env)) console.warn(`Warning: ${warning}`);
const stampFile = path.join(root, ".next", "calsync-build-stamp");
const inputs = ["app", "components", "lib", "public", "prisma/schema.prisma", "instrumentation.ts", "instrumentation-client.ts", "proxy.ts", "next.config.js", "postcss.config.mjs", "package-lock.json", "tsconfig.json"];

function* files(entry) {
  const full = path.join(root, entry);
  if (!existsSync(full)) return;
  const stat = statSync(full);
  if (!stat.isDirectory()) {
    yield [entry, stat];
    return;
  }
  for (const child of readdirSync(full).sort()) {
    if (entry === "lib/db" && child === "generated") continue;
    yield* files(path.join(entry, child));
  }
}

// The server-action key is part of the build, so a new key needs a new build; only its hash is kept.
function sourceStamp() {
  const hash = createHash("sha256");
  for (const input of inputs) for (const [file, stat] of files(input)) hash.update(`${file}:${stat.size}:${stat.mtimeMs}\n`);
  hash.update(`server-action-key:${env.NEXT_SERVER_ACTIONS_ENCRYPTION_KEY ?? ""}\n`);
  return hash.digest("hex");
}

function run(args) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!existsSync(path.join(root, "lib/db/generated/client.ts"))) run(["scripts/prisma-generate.mjs"]);

if (!dev) {
  const stamp = sourceStamp();
  const built = existsSync(path.join(root, ".next", "BUILD_ID")) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp;
  if (!built || buildOnly) {
    console.log("Building the console (first start, or the sources changed)…");
    run(["node_modules/next/dist/bin/next", "build"]);
    writeFileSync(stampFile, stamp);
  }
}

if (!buildOnly) await import("./server.mjs");
