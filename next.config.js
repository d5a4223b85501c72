/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // The test command runs `tsc --noEmit` over the whole project (tests and scripts too, which the
  // build never sees), so repeating a partial check here would only cost build time.
  typescript: { ignoreBuildErrors: true },
  // `forbidden()` answers 403 to signed-in users who lack the role for a page.
  experimental: { authInterrupts: true },
  // Native and WASM packages load from node_modules at run time instead of being bundled.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "@node-rs/argon2", "@azure/msal-node", "pg", "undici"],
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "Content-Security-Policy", value: "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'" },
        ],
      },
    ];
  },
};

export default nextConfig;
