// The HTTP server around Next.js. It exists so that the console knows who is calling: Next.js keeps
// a client-sent X-Forwarded-For as it is, which would let anyone dodge the sign-in rate limit or
// forge the IP address in the audit log. Here the socket address (or, only when CALSYNC_TRUST_PROXY
// is set, the proxy's header) is written to a private header that clients cannot set.
//
// HOST, PORT and CALSYNC_TRUST_PROXY are read here because the socket must be bound before the app
// loads; lib/env.ts validates them again, with every other setting, when the app starts.
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { Readable } from "node:stream";
import { pathToFileURL } from "node:url";
import next from "next";

const dev = process.argv.includes("--dev");
const host = process.env.HOST || "127.0.0.1";
const port = Number(process.env.PORT || 3000);
const trustProxy = ["true", "1", "yes"].includes(process.env.CALSYNC_TRUST_PROXY ?? "");

const app = next({ dev, hostname: host, port });
const handle = app.getRequestHandler();
await app.prepare();

// The sync engine's API, served by the same route handlers without Next's page machinery (see
// app/api/v1/dispatch.ts). Built by `npm run build`; without the bundle, Next serves these routes.
const fastPathFile = new URL("../.next/calsync-api.mjs", import.meta.url);
const api = !dev && existsSync(fastPathFile) ? await import(pathToFileURL(fastPathFile.pathname).href) : null;

async function serveApi(req, res) {
  const method = req.method ?? "GET";
  const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url}`, {
    method,
    headers: Object.entries(req.headers).flatMap(([name, value]) => (Array.isArray(value) ? value.map((item) => [name, item]) : value === undefined ? [] : [[name, value]])),
    ...(method === "GET" || method === "HEAD" ? {} : { body: Readable.toWeb(req), duplex: "half" }),
  });
  const response = await api.dispatchApiRequest(request);
  if (!response) return false;
  const headers = {};
  for (const [name, value] of response.headers) headers[name] = value;
  res.writeHead(response.status, headers);
  res.end(response.body ? Buffer.from(await response.arrayBuffer()) : undefined);
  return true;
}

createServer((req, res) => {
  delete req.headers["x-calsync-client-ip"];
  delete req.headers["x-calsync-proto"];
  const forwardedFor = req.headers["x-forwarded-for"];
  const proxiedIp = trustProxy && typeof forwardedFor === "string" ? forwardedFor.split(",").pop()?.trim() : undefined;
  req.headers["x-calsync-client-ip"] = proxiedIp || req.socket.remoteAddress || "unknown";
  const forwardedProto = trustProxy ? req.headers["x-forwarded-proto"] : undefined;
  req.headers["x-calsync-proto"] = forwardedProto === "https" ? "https" : "http";
  if (api && req.url?.startsWith("/api/v1/connections")) {
    serveApi(req, res)
      .then((served) => {
        if (!served) handle(req, res);
      })
      .catch((error) => {
        console.error(`API request failed: ${error instanceof Error ? error.name : "error"}`);
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/problem+json" });
        res.end(JSON.stringify({ type: "about:blank", title: "Internal Server Error", status: 500 }));
      });
    return;
  }
  handle(req, res);
})
  .on("error", (error) => {
    console.error(`Calsync Console cannot listen on ${host}:${port}: ${error.message}`);
    process.exit(1);
  })
  .listen(port, host);

// SIGTERM is handled at start-up (lib/startup.ts), where the scheduler hands its work back first.
process.on("SIGINT", () => process.exit(0));
