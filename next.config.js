import { SERVER_ACTION_BODY_LIMIT_BYTES } from "./lib/server/server-action-guard.ts";

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // The test command runs `tsc --noEmit` over the whole project (tests and scripts too, which the
  // build never sees), so repeating a partial check here would only cost build time.
  typescript: { ignoreBuildErrors: true },
  experimental: {
    // `forbidden()` answers 403 to signed-in users who lack the role for a page.
    authInterrupts: true,
    // scripts/server.mjs refuses a larger body with a 413 first; Next's own check must not be stricter.
    serverActions: { bodySizeLimit: SERVER_ACTION_BODY_LIMIT_BYTES },
  },
  // Native and WASM packages load from node_modules at run time instead of being bundled.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "@node-rs/argon2", "@azure/msal-node", "pg", "undici"],
  // Security headers are set by scripts/server.mjs on every response (lib/security-headers.ts), and
  // a page's nonce policy by proxy.ts.
};

export default nextConfig;
