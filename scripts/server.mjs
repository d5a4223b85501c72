// The HTTP server around Next.js. It exists so that the console knows who is calling: Next.js keeps
// a client-sent X-Forwarded-For as it is, which would let anyone dodge the sign-in rate limit or
// forge the IP address in the audit log. Here the socket address (or, only when CALSYNC_TRUST_PROXY
// is set, the proxy's header) is written to a private header that clients cannot set, or handed to
// the API fast path directly.
//
// HOST, PORT and CALSYNC_TRUST_PROXY are read here because the socket must be bound before the app
// loads; lib/env.ts validates them again, with every other setting, when the app starts.
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import next from "next";

const dev = process.argv.includes("--dev");
const host = process.env.HOST || "127.0.0.1";
const port = Number(process.env.PORT || 3000);
const trustProxy = ["true", "1", "yes"].includes(process.env.CALSYNC_TRUST_PROXY ?? "");

const app = next({ dev, hostname: host, port });
const handle = app.getRequestHandler();
await app.prepare();

// The sync engine's API, served by the same handlers as Next serves, without Next's page machinery
// and without Fetch objects (see app/api/v1/dispatch.ts). Built by `npm run build`; without the
// bundle, Next serves these routes.
const fastPathFile = new URL("../.next/calsync-api.mjs", import.meta.url);
const api = !dev && existsSync(fastPathFile) ? await import(pathToFileURL(fastPathFile.pathname).href) : null;

// The request body, for lib/api/request.ts to count against its size limit. When it stops reading a
// body that is too large, the rest is discarded rather than the socket destroyed (which the stream's
// own iterator would do), so the 400 still reaches the engine.
async function* bodyOf(req) {
  try {
    yield* req.iterator({ destroyOnReturn: false });
  } finally {
    req.resume();
  }
}

function writeFailure(res, error) {
  console.error(`API request failed: ${error instanceof Error ? error.name : "error"}`);
  if (!res.headersSent) res.writeHead(500, { "content-type": "application/problem+json" });
  res.end(JSON.stringify({ type: "about:blank", title: "Internal Server Error", status: 500 }));
}

function writeAnswer(res, answer) {
  try {
    if (answer.body !== undefined) answer.headers["content-length"] = Buffer.byteLength(answer.body);
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  } catch (error) {
    writeFailure(res, error);
  }
}

createServer((req, res) => {
  const forwardedFor = req.headers["x-forwarded-for"];
  const proxiedIp = trustProxy && typeof forwardedFor === "string" ? forwardedFor.split(",").pop()?.trim() : undefined;
  const clientIp = proxiedIp || req.socket.remoteAddress || "unknown";
  if (api && req.url?.startsWith("/api/v1/connections")) {
    const method = req.method ?? "GET";
    const answer = api.dispatchApiRequest({ method, url: req.url, headers: req.headers, clientIp, body: method === "GET" || method === "HEAD" ? undefined : bodyOf(req) });
    if (answer) {
      answer.then(
        (served) => writeAnswer(res, served),
        (error) => writeFailure(res, error),
      );
      return;
    }
  }
  delete req.headers["x-calsync-client-ip"];
  delete req.headers["x-calsync-proto"];
  req.headers["x-calsync-client-ip"] = clientIp;
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
