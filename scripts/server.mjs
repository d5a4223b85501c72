// The HTTP server around Next.js: it puts the security headers on every response, decides who is
// calling (Next.js would believe a client's forwarding headers), refuses server actions from other
// sites or over the size limit, and answers the sync engine's API without Next's page machinery.
// All of that is lib/server/request-listener.ts; this file loads the configuration, starts Next and
// binds the socket.
//
// The lib/ files imported here run natively (Node's type stripping), before Next.js is in the
// process: the socket must be bound with the same validated settings as the app uses.
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { loadConfigurationOrExit, moveToAppFolder } from "../lib/env-files.ts";
import { securityHeaders } from "../lib/security-headers.ts";
import { engineApiOffered } from "../lib/server/engine-api-slot.ts";
import { createRequestListener } from "../lib/server/request-listener.ts";
import { SERVER_ACTION_BODY_LIMIT_BYTES } from "../lib/server/server-action-guard.ts";

const dev = process.argv.includes("--dev");
const appFolder = fileURLToPath(new URL("..", import.meta.url));
const env = loadConfigurationOrExit({ dev });
moveToAppFolder(appFolder, env);

// Imported only now: Next reads some variables as it loads.
const { default: next } = await import("next");
const app = next({ dev, dir: appFolder, hostname: env.HOST, port: env.PORT });
const handle = app.getRequestHandler();
await app.prepare();

const listener = createRequestListener({
  trustProxy: env.CALSYNC_TRUST_PROXY,
  // instrumentation.ts offers it once the console has started (database, key ring).
  engineApi: engineApiOffered(),
  next: handle,
  securityHeaders: securityHeaders({ publicUrl: env.CALSYNC_PUBLIC_URL }),
  testRouteHeader: env.CALSYNC_TEST_ROUTE_HEADER === "on",
  serverActions: { publicUrl: env.CALSYNC_PUBLIC_URL, bodyLimit: SERVER_ACTION_BODY_LIMIT_BYTES },
});

createServer(listener)
  .on("error", (error) => {
    console.error(`Calsync Console cannot listen on ${env.HOST}:${env.PORT}: ${error.message}`);
    process.exit(1);
  })
  .listen(env.PORT, env.HOST);

// SIGTERM is handled at start-up (lib/startup.ts), where the scheduler hands its work back first.
process.on("SIGINT", () => process.exit(0));
