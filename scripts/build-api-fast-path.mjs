// Bundles the sync engine's API route handlers (app/api/v1/dispatch.ts) into one module that
// scripts/server.mjs serves directly, outside Next.js's rendering pipeline. Packages stay external (the
// same node_modules as Next's server uses); only `server-only`, a build-time marker, is stubbed out.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

export async function buildApiFastPath() {
  await build({
    absWorkingDir: root,
    entryPoints: ["app/api/v1/dispatch.ts"],
    outfile: ".next/calsync-api.mjs",
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node24",
    packages: "external",
    tsconfig: "tsconfig.json",
    logLevel: "warning",
    // ESM output still needs `require` for the few CommonJS paths inside bundled TypeScript.
    banner: { js: "import { createRequire as __calsyncCreateRequire } from 'node:module'; const require = __calsyncCreateRequire(import.meta.url);" },
    plugins: [
      {
        name: "server-only-marker",
        setup(context) {
          context.onResolve({ filter: /^server-only$/ }, () => ({ path: "server-only", namespace: "marker" }));
          context.onLoad({ filter: /.*/, namespace: "marker" }, () => ({ contents: "export {};", loader: "js" }));
        },
      },
    ],
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildApiFastPath();
