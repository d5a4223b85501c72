/**
 * A one-second memory of connections read for the sync engine's API, which engines poll: the hot
 * read costs no database round trip while it is fresh. Writes in this process forget the entry at
 * once; another instance's write shows here within the second. It lives on globalThis because the
 * API's fast path reads in instrumentation.ts's module instance while writes that must forget an
 * entry (server actions, checks started from a page) run in the app's, and Next keeps them apart.
 *
 * The entry is the load's promise, stored before it settles: a hit hands back that same promise (no
 * new one per request), requests arriving while a load is under way share it instead of each reading
 * the row, and a write that forgets the entry meanwhile cannot have the older load put it back.
 */
const TTL_MS = 1_000;
const MAX_ENTRIES = 20_000;

type Entry = { value: Promise<unknown>; loadedAt: number };
const store = globalThis as typeof globalThis & { __calsyncConnectionReads?: Map<string, Entry> };

function entries(): Map<string, Entry> {
  store.__calsyncConnectionReads ??= new Map();
  return store.__calsyncConnectionReads;
}

export function readThrough<T>(id: string, load: () => Promise<T>, now = Date.now()): Promise<T> {
  const map = entries();
  const hit = map.get(id);
  if (hit && now - hit.loadedAt < TTL_MS) return hit.value as Promise<T>;
  const value = load();
  if (map.size >= MAX_ENTRIES) map.clear();
  const entry: Entry = { value, loadedAt: now };
  map.set(id, entry);
  // A failed read is not remembered: the next request tries again.
  value.catch(() => {
    if (map.get(id) === entry) map.delete(id);
  });
  return value;
}

/** Called by every write to a connection in this process; without an id, forgets everything. */
export function forgetConnectionRead(id?: string): void {
  if (id === undefined) entries().clear();
  else entries().delete(id);
}
