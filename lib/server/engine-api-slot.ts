import type { ApiRequest, ApiResponse } from "../api/http.ts";

/**
 * How the sync-engine API compiled by Next.js reaches scripts/server.mjs, which is plain Node and
 * cannot import Next's build output. instrumentation.ts, which Next compiles and runs once when the
 * app starts (in development and production alike), offers the dispatcher here once the console
 * has started; until then the server leaves engine requests to Next. Both load this file, the
 * server natively and Next inside its bundle, so the two copies meet on a registered symbol of
 * globalThis.
 *
 * scripts/server.mjs loads this file with Node's type stripping: erasable TypeScript, relative
 * imports with their extension.
 */

export type EngineApi = {
  /** An engine route's answer, or null, at once and before reading anything, for any other request. */
  dispatch(request: ApiRequest): Promise<ApiResponse> | null;
  /** The problem answer (logged, with a request id) when answering failed unexpectedly. */
  failed(request: ApiRequest, error: unknown): ApiResponse;
};

type Slot = { offered: Promise<EngineApi>; offer: (api: EngineApi) => void };

const SLOT: unique symbol = Symbol.for("calsync.engine-api");

function slot(): Slot {
  const holder = globalThis as typeof globalThis & { [SLOT]?: Slot };
  if (!holder[SLOT]) {
    let offer!: (api: EngineApi) => void;
    const offered = new Promise<EngineApi>((resolve) => (offer = resolve));
    holder[SLOT] = { offered, offer };
  }
  return holder[SLOT];
}

export function offerEngineApi(api: EngineApi): void {
  slot().offer(api);
}

export function engineApiOffered(): Promise<EngineApi> {
  return slot().offered;
}
