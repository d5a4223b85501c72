// The HTTP server around Next.js. It exists so that the console knows who is calling: Next.js keeps
// a client-sent X-Forwarded-For as it is, which would let anyone dodge the sign-in rate limit or
// forge the IP address in the audit log. Here the socket address (or, only when CALSYNC_TRUST_PROXY
// is set, the proxy's header) is written to a private header that clients cannot set.
//
// HOST, PORT and CALSYNC_TRUST_PROXY are read here because the socket must be bound before the app
// loads; lib/env.ts validates them again, with every other setting, when the app starts.
import { createServer } from "node:http";
import next from "next";

const dev = process.argv.includes("--dev");
const host = process.env.HOST || "127.0.0.1";
const port = Number(process.env.PORT || 3000);
const trustProxy = ["true", "1", "yes"].includes(process.env.CALSYNC_TRUST_PROXY ?? "");

const app = next({ dev, hostname: host, port });
const handle = app.getRequestHandler();
await app.prepare();

createServer((req, res) => {
  delete req.headers["x-calsync-client-ip"];
  delete req.headers["x-calsync-proto"];
  const forwardedFor = req.headers["x-forwarded-for"];
  const proxiedIp = trustProxy && typeof forwardedFor === "string" ? forwardedFor.split(",").pop()?.trim() : undefined;
  req.headers["x-calsync-client-ip"] = proxiedIp || req.socket.remoteAddress || "unknown";
  const forwardedProto = trustProxy ? req.headers["x-forwarded-proto"] : undefined;
  req.headers["x-calsync-proto"] = forwardedProto === "https" ? "https" : "http";
  handle(req, res);
})
  .on("error", (error) => {
    console.error(`Calsync Console cannot listen on ${host}:${port}: ${error.message}`);
    process.exit(1);
  })
  .listen(port, host);

// SIGTERM is handled at start-up (lib/startup.ts), where the scheduler hands its work back first.
process.on("SIGINT", () => process.exit(0));
