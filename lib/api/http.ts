/**
 * The sync-engine API's requests and answers as plain data. Engines poll the API hard, and building
 * a Fetch Request, Response, Headers and URL per request costs more than everything the handlers do
 * on a cache hit; so the handlers take and return these, scripts/server.mjs writes them to the socket
 * directly, and only what it leaves to Next.js goes through the Fetch adapter in
 * lib/api/next-adapter.ts.
 */

export type ApiRequest = {
  method: string;
  /** The path and query as on the request line, without scheme or host. */
  url: string;
  /** Names in lower case; a repeated header is one value joined with ", " (as Node and Fetch do). */
  headers: Readonly<Record<string, string | undefined>>;
  /**
   * The caller's address as scripts/server.mjs determined it from the socket (or a trusted proxy),
   * never from a header the client sent.
   */
  clientIp: string | null;
  /**
   * Read only after authorisation, and never past MAX_BODY_BYTES (lib/api/request.ts): the source
   * decides what stopping early means, which must not close the connection before the answer is sent.
   */
  body?: AsyncIterable<Uint8Array>;
};

export type ApiResponse = {
  status: number;
  /** Names in lower case, so merging never leaves two spellings of one header. */
  headers: Record<string, string>;
  body?: string;
};

/** The path without the query, as `instance` of a problem names it. */
export function pathOf(request: ApiRequest): string {
  const query = request.url.indexOf("?");
  return query === -1 ? request.url : request.url.slice(0, query);
}

/** The query string without its `?`, or "". */
export function queryOf(request: ApiRequest): string {
  const query = request.url.indexOf("?");
  return query === -1 ? "" : request.url.slice(query + 1);
}
