import { IncomingMessage, type ServerResponse } from "node:http";

/**
 * Next.js answers 500 both to a server action whose body is over its limit and to one sent from
 * another origin, so scripts/server.mjs refuses those first, with the status that says why (413,
 * 403) and a short plain message, before Next.js reads a byte. Next's own checks stay in place
 * behind this one and agree with it: the same limit (next.config.js takes it from here), and an
 * origin this lets through is one Next.js accepts as well, given the host the browser asked for.
 *
 * proxy.ts could not do this: it runs only where its matcher says, after Next.js has buffered up
 * to 10 MB of the body for it.
 *
 * scripts/server.mjs loads this file with Node's type stripping: erasable TypeScript, no `@/` imports.
 */

export const SERVER_ACTION_BODY_LIMIT_BYTES = 1024 * 1024;

export type ServerActionGuard = {
  /** CALSYNC_PUBLIC_URL: its origin is the only one a form may come from. Unset: the host the request names. */
  publicUrl: string | undefined;
  /** With a trusted proxy, the host it was asked for (X-Forwarded-Host) is the request's. */
  trustProxy: boolean;
  bodyLimit: number;
};

const FORM_TYPE = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data)\b/i;

function tooLarge(limit: number): string {
  const size = limit >= 1024 * 1024 ? `${Math.round((limit / 1024 / 1024) * 10) / 10} MB` : `${Math.round(limit / 1024)} kB`;
  return `The form sent more than ${size}, more than the console accepts. Nothing was changed.`;
}

const FOREIGN = "This form was sent from another site, so the console refused it. Nothing was changed.";

/**
 * What Next.js runs as a server action: a POST to a page with a Next-Action header, or a plain form
 * post (a form submitted before the page's scripts have loaded). Route handlers under /api/ check
 * their own callers and bodies.
 */
export function isPossibleServerAction(req: IncomingMessage): boolean {
  if (req.method !== "POST" || (req.url ?? "/").startsWith("/api/")) return false;
  return req.headers["next-action"] !== undefined || FORM_TYPE.test(req.headers["content-type"] ?? "");
}

function requestHost(req: IncomingMessage, trustProxy: boolean): string | undefined {
  const forwarded = trustProxy ? req.headers["x-forwarded-host"] : undefined;
  const host = (typeof forwarded === "string" ? forwarded.split(",")[0]?.trim() : undefined) || req.headers.host;
  return host?.toLowerCase();
}

function isOwnOrigin(req: IncomingMessage, guard: ServerActionGuard): boolean {
  const origin = req.headers.origin;
  // Browsers send Origin with every POST; a request without one was not sent by a page (Next.js
  // lets it through as well).
  if (origin === undefined) return true;
  if (guard.publicUrl) return origin === new URL(guard.publicUrl).origin;
  try {
    return new URL(origin).host === requestHost(req, guard.trustProxy);
  } catch {
    // "null" (a sandboxed frame, a privacy-sensitive redirect) or not an origin at all.
    return false;
  }
}

/** The whole body, or "too-large" as soon as it passes the limit; undefined when the client went away. */
async function bodyWithin(req: IncomingMessage, limit: number): Promise<Buffer | "too-large" | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    // Not destroyed when the loop stops early: the rest is discarded, so the 413 still arrives.
    for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) return "too-large";
      chunks.push(chunk);
    }
  } catch {
    return undefined;
  }
  return Buffer.concat(chunks, size);
}

/** The request as it arrived, its body readable again, for Next.js to read as it would the original. */
function replayed(req: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = new IncomingMessage(req.socket);
  copy.method = req.method;
  copy.url = req.url;
  copy.httpVersion = req.httpVersion;
  copy.httpVersionMajor = req.httpVersionMajor;
  copy.httpVersionMinor = req.httpVersionMinor;
  copy.headers = req.headers;
  copy.rawHeaders = req.rawHeaders;
  copy.trailers = req.trailers;
  copy.rawTrailers = req.rawTrailers;
  copy.complete = true;
  if (body.length > 0) copy.push(body);
  copy.push(null);
  return copy;
}

function refuse(req: IncomingMessage, res: ServerResponse, status: 403 | 413, message: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": String(Buffer.byteLength(message)), "cache-control": "no-store" });
  res.end(message);
  req.resume();
}

/**
 * A possible server action, checked: the request for Next.js to answer, or undefined when it has
 * been refused here (or the client went away).
 */
export async function checkServerAction(req: IncomingMessage, res: ServerResponse, guard: ServerActionGuard): Promise<IncomingMessage | undefined> {
  if (!isOwnOrigin(req, guard)) {
    refuse(req, res, 403, FOREIGN);
    return undefined;
  }
  if (Number(req.headers["content-length"]) > guard.bodyLimit) {
    refuse(req, res, 413, tooLarge(guard.bodyLimit));
    return undefined;
  }
  const body = await bodyWithin(req, guard.bodyLimit);
  if (body === "too-large") refuse(req, res, 413, tooLarge(guard.bodyLimit));
  return body instanceof Buffer ? replayed(req, body) : undefined;
}
