/**
 * A one-second memory of connections read for the sync engine's API, which engines poll: the hot
 * read costs no database round trip while it is fresh. Writes in this process forget the entry at
 * once; another instance's write shows here within the second. It lives on globalThis because the
 * API's fast path (scripts/server.mjs) and Next.js load this module separately in one process.
 */
const TTL_MS = 1_000;
const MAX_ENTRIES = 20_000;

type Entry = { value: unknown; loadedAt: number };
const store = globalThis as typeof globalThis & { __calsyncConnectionReads?: Map<string, Entry> };

function entries(): Map<string, Entry> {
  store.__calsyncConnectionReads ??= new Map();
  return store.__calsyncConnectionReads;
}

export async function readThrough<T>(id: string, load: () => Promise<T>, now = Date.now()): Promise<T> {
  const hit = entries().get(id);
  if (hit && now - hit.loadedAt < TTL_MS) return hit.value as T;
  const value = await load();
  const map = entries();
  if (map.size >= MAX_ENTRIES) map.clear();
  map.set(id, { value, loadedAt: now });
  return value;
}

/** Called by every write to a connection in this process; without an id, forgets everything. */
export function forgetConnectionRead(id?: string): void {
  if (id === undefined) entries().clear();
  else entries().delete(id);
}
