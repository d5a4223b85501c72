/**
 * @peculiar/x509 resolves its algorithms through tsyringe, which refuses to load unless the
 * `reflect-metadata` API exists on `Reflect`. That package is not a dependency of this repo, so this
 * shim supplies the handful of functions tsyringe and tslib's `__metadata` call. Import it before
 * `@peculiar/x509`. It never replaces a real polyfill that is already installed.
 */
type MetadataKey = unknown;
type PropertyKeyOrNone = string | symbol | undefined;

const store = new WeakMap<object, Map<PropertyKeyOrNone, Map<MetadataKey, unknown>>>();

function bucket(target: object, property: PropertyKeyOrNone, create: boolean): Map<MetadataKey, unknown> | undefined {
  let byProperty = store.get(target);
  if (!byProperty) {
    if (!create) return undefined;
    byProperty = new Map();
    store.set(target, byProperty);
  }
  let entries = byProperty.get(property);
  if (!entries && create) {
    entries = new Map();
    byProperty.set(property, entries);
  }
  return entries;
}

function getOwnMetadata(key: MetadataKey, target: object, property?: string | symbol): unknown {
  return bucket(target, property, false)?.get(key);
}

function hasOwnMetadata(key: MetadataKey, target: object, property?: string | symbol): boolean {
  return bucket(target, property, false)?.has(key) ?? false;
}

function getMetadata(key: MetadataKey, target: object, property?: string | symbol): unknown {
  for (let current: object | null = target; current !== null; current = Object.getPrototypeOf(current) as object | null) {
    if (hasOwnMetadata(key, current, property)) return getOwnMetadata(key, current, property);
  }
  return undefined;
}

function hasMetadata(key: MetadataKey, target: object, property?: string | symbol): boolean {
  for (let current: object | null = target; current !== null; current = Object.getPrototypeOf(current) as object | null) {
    if (hasOwnMetadata(key, current, property)) return true;
  }
  return false;
}

function defineMetadata(key: MetadataKey, value: unknown, target: object, property?: string | symbol): void {
  bucket(target, property, true)?.set(key, value);
}

function metadata(key: MetadataKey, value: unknown): (target: object, property?: string | symbol) => void {
  return (target, property) => defineMetadata(key, value, target, property);
}

const api: Record<string, unknown> = { getOwnMetadata, hasOwnMetadata, getMetadata, hasMetadata, defineMetadata, metadata };
const reflect = Reflect as unknown as Record<string, unknown>;
for (const [name, fn] of Object.entries(api)) {
  if (typeof reflect[name] !== "function") reflect[name] = fn;
}

export {};
