// `npm run bench:pages`: first-load JavaScript (gzipped) per route of the production build, read from
// Next's build manifests: the framework's root chunks plus every client chunk the route's server
// components reference (layout, page and the error/not-found boundaries the router mounts with them).
// Every route must stay under 200 kB, and the wizard pages may grow by at most 40 kB over their
// figures before the design system (README). Run `npm run build` first.
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { gzipSync } from "node:zlib";

const root = fileURLToPath(new URL("..", import.meta.url));
const nextDir = path.join(root, ".next");
const BUDGET_KB = 200;
const GROWTH_KB = 40;
const before = { "/connections/new": 136.7, "/connections/new/[step]": 142.8 };

function* manifests(dir) {
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) yield* manifests(full);
    else if (entry === "page_client-reference-manifest.js") yield full;
  }
}

const gzipCache = new Map();
function gzipSize(file) {
  if (!gzipCache.has(file)) gzipCache.set(file, gzipSync(readFileSync(path.join(nextDir, file)), { level: 9 }).length);
  return gzipCache.get(file);
}

const kb = (bytes) => (bytes / 1024).toFixed(1);
let failed = false;
const rows = [];
let frameworkBytes = 0;
for (const file of manifests(path.join(nextDir, "server", "app"))) {
  const sandbox = { globalThis: {} };
  sandbox.globalThis = sandbox;
  vm.runInNewContext(readFileSync(file, "utf8"), sandbox);
  const [key, manifest] = Object.entries(sandbox.__RSC_MANIFEST)[0];
  const route = key.replace(/\/page$/, "") || "/";
  const buildManifest = JSON.parse(readFileSync(path.join(path.dirname(file), "page", "build-manifest.json"), "utf8"));
  const framework = new Set(buildManifest.rootMainFiles);
  const files = new Set(framework);
  for (const chunks of Object.values(manifest.entryJSFiles)) for (const chunk of chunks) files.add(chunk);
  frameworkBytes = [...framework].reduce((sum, chunk) => sum + gzipSize(chunk), 0);
  const total = [...files].reduce((sum, chunk) => sum + gzipSize(chunk), 0);
  const limit = Math.min(BUDGET_KB, route in before ? before[route] + GROWTH_KB : BUDGET_KB);
  const over = total / 1024 > limit;
  failed ||= over;
  rows.push({ route, total, own: total - frameworkBytes, flag: over ? `OVER ${limit.toFixed(1)} kB` : `ok (< ${limit.toFixed(1)} kB)` });
}
rows.sort((a, b) => a.route.localeCompare(b.route));
console.log(`First-load JavaScript per route, gzipped (framework alone: ${kb(frameworkBytes)} kB)`);
console.log(`${"route".padEnd(40)} ${"first load".padStart(10)} ${"beyond framework".padStart(17)}  budget`);
for (const row of rows) console.log(`${row.route.padEnd(40)} ${`${kb(row.total)} kB`.padStart(10)} ${`${kb(row.own)} kB`.padStart(17)}  ${row.flag}`);
process.exit(failed ? 1 : 0);
