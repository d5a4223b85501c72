import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@/": root,
      // `server-only` throws outside React's server condition; Vitest runs server code directly.
      "server-only": fileURLToPath(new URL("./test-support/server-only-stub.ts", import.meta.url)),
    },
  },
  test: {
    include: ["lib/**/*.test.ts", "app/**/*.test.ts", "scripts/**/*.test.ts", "test-support/**/*.test.ts", "simulator/**/*.test.ts"],
    environment: "node",
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // The simulator CA must be trusted before workers start (NODE_EXTRA_CA_CERTS is read at start).
    globalSetup: ["./test-support/simulator-global-setup.ts", "./test-support/global-setup.ts"],
  },
});
