import "server-only";
import { randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import { recordAudit, type AuditActor } from "@/lib/audit/audit";
import { apiScopes, type ApiScope } from "@/lib/auth/access-policy";
import { generateToken, hashToken } from "@/lib/crypto/tokens";
import type { DbClient } from "@/lib/db/types";
import type { Prisma } from "@/lib/db/generated/client";
import { UserFacingError } from "@/lib/errors";

/**
 * Sync-engine API keys: `csk_<8 id chars>_<43 secret chars>`. The `csk_<id>` prefix is public (it is
 * stored, shown in lists and used to find the row); the whole key is stored only as a SHA-256 hash,
 * which is enough for 256 random bits. The key itself exists once, in the creation result.
 */

export const API_KEY_PREFIX = "csk_";
const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
const keyPattern = /^(csk_[a-z0-9]{8})_([A-Za-z0-9_-]{43})$/;

/** How often a key's `lastUsedAt` may be written: once a minute is enough to see which keys are alive. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export type ApiKeyStatus = "active" | "revoked" | "expired";

export type ApiKeyView = {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  status: ApiKeyStatus;
};

/** What authentication needs: the view plus the hash to compare against. */
export type ApiKeyRecord = ApiKeyView & { secretHash: string };

const scopesSchema = z.array(z.enum(apiScopes)).catch([]);

const apiKeySelect = {
  id: true,
  name: true,
  prefix: true,
  scopes: true,
  createdAt: true,
  expiresAt: true,
  revokedAt: true,
  lastUsedAt: true,
} as const;

type ApiKeyRow = Prisma.ApiKeyGetPayload<{ select: typeof apiKeySelect }>;

export function apiKeyStatus(key: { revokedAt: Date | null; expiresAt: Date | null }, now: Date | number = new Date()): ApiKeyStatus {
  if (key.revokedAt) return "revoked";
  if (key.expiresAt && key.expiresAt.getTime() <= (typeof now === "number" ? now : now.getTime())) return "expired";
  return "active";
}

function toView(row: ApiKeyRow, now = new Date()): ApiKeyView {
  return { ...row, scopes: scopesSchema.parse(row.scopes), status: apiKeyStatus(row, now) };
}

function randomId(length: number): string {
  // 252 is the largest multiple of 36 below 256; bytes above it are dropped so no character is likelier.
  let id = "";
  while (id.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 252 && id.length < length) id += ID_ALPHABET[byte % ID_ALPHABET.length];
    }
  }
  return id;
}

/** Splits a presented key into its public prefix; null when it is not shaped like one of ours. */
export function parseApiKey(presented: string): { prefix: string } | null {
  const match = keyPattern.exec(presented);
  return match ? { prefix: match[1]! } : null;
}

export async function listApiKeys(db: DbClient, now = new Date()): Promise<ApiKeyView[]> {
  const rows = await db.apiKey.findMany({ select: apiKeySelect, orderBy: [{ revokedAt: { sort: "desc", nulls: "first" } }, { createdAt: "desc" }] });
  return rows.map((row) => toView(row, now));
}

export async function getApiKeyByPrefix(db: DbClient, prefix: string, now = new Date()): Promise<ApiKeyRecord | null> {
  const row = await db.apiKey.findUnique({ where: { prefix }, select: { ...apiKeySelect, secretHash: true } });
  if (!row) return null;
  const { secretHash, ...rest } = row;
  return { ...toView(rest, now), secretHash };
}

/**
 * Authentication reads the key row on every request; this keeps it for KEY_CACHE_TTL_MS so a busy
 * engine costs one key read per few seconds instead of one per request (on the embedded database a
 * read is a large share of a request's time). Status is recomputed on each use, so expiry is exact;
 * a revocation is seen at once by this process (revokeApiKey forgets the entry) and within the TTL
 * by other instances sharing a PostgreSQL database.
 */
export const KEY_CACHE_TTL_MS = 5_000;
const MAX_CACHED_KEYS = 1_000;

type CachedKey = { record: ApiKeyRecord; loadedAt: number };

// On globalThis because a key revoked by a server action (the app's module instance) must be
// forgotten at once by the engine API's fast path, which runs in instrumentation.ts's instance.
const globalKeys = globalThis as typeof globalThis & { __calsyncApiKeyCache?: Map<string, CachedKey> };

function keyCache(): Map<string, CachedKey> {
  globalKeys.__calsyncApiKeyCache ??= new Map();
  return globalKeys.__calsyncApiKeyCache;
}

/** Forgets cached key rows: one prefix, or all of them (tests that change rows directly). */
export function forgetCachedApiKeys(prefix?: string): void {
  if (prefix === undefined) keyCache().clear();
  else keyCache().delete(prefix);
}

/**
 * The cached row for `prefix` while it is fresh, without touching the database: on the engines' hot
 * path this lets authentication finish without waiting for anything.
 */
export function cachedApiKeyForRequest(prefix: string, now: number): Readonly<ApiKeyRecord> | undefined {
  const hit = keyCache().get(prefix);
  if (!hit || now - hit.loadedAt >= KEY_CACHE_TTL_MS) return undefined;
  // Copied only once an active key has expired, so a hit allocates nothing.
  const status = apiKeyStatus(hit.record, now);
  return status === hit.record.status ? hit.record : { ...hit.record, status };
}

/** getApiKeyByPrefix through the short-lived cache; unknown prefixes are not cached. */
export async function findApiKeyForRequest(db: DbClient, prefix: string, now = new Date()): Promise<Readonly<ApiKeyRecord> | null> {
  const hit = cachedApiKeyForRequest(prefix, now.getTime());
  if (hit) return hit;
  const cache = keyCache();
  const record = await getApiKeyByPrefix(db, prefix, now);
  if (!record) {
    cache.delete(prefix);
    return null;
  }
  if (cache.size >= MAX_CACHED_KEYS) {
    for (const [candidate, entry] of cache) if (now.getTime() - entry.loadedAt >= KEY_CACHE_TTL_MS) cache.delete(candidate);
    if (cache.size >= MAX_CACHED_KEYS) cache.clear();
  }
  cache.set(prefix, { record, loadedAt: now.getTime() });
  return record;
}

/** Whether updateApiKeyLastUsed would write, so callers can skip it (and the database) when not. */
export function lastUseIsDue(key: { lastUsedAt: Date | null }, now: number): boolean {
  return !key.lastUsedAt || now - key.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS;
}

/**
 * Records that a key was used, at most once per LAST_USED_RESOLUTION_MS: the condition makes
 * concurrent requests (even on other instances) write the row once, not once each.
 */
export async function updateApiKeyLastUsed(db: DbClient, key: { id: string; prefix: string; lastUsedAt: Date | null }, now = new Date()): Promise<void> {
  if (!lastUseIsDue(key, now.getTime())) return;
  await db.apiKey.updateMany({
    where: { id: key.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - LAST_USED_RESOLUTION_MS) } }] },
    data: { lastUsedAt: now },
  });
  const cached = keyCache().get(key.prefix);
  if (cached) cached.record.lastUsedAt = now;
}

export type NewApiKey = { name: string; scopes: ApiScope[]; expiresAt: Date | null };

export async function createApiKey(
  db: DbClient,
  input: NewApiKey,
  context: { actor: AuditActor & object; ip?: string | null },
): Promise<{ key: string; view: ApiKeyView }> {
  // The prefix is unique in the table; with 36^8 possible ids a collision fails this create (and the
  // admin tries again) rather than being worth a retry loop inside the caller's transaction.
  const prefix = `${API_KEY_PREFIX}${randomId(8)}`;
  const key = `${prefix}_${generateToken(32)}`;
  const id = randomUUID();
  const row = await db.apiKey.create({
    data: { id, name: input.name, prefix, secretHash: hashToken(key), scopes: input.scopes, expiresAt: input.expiresAt, createdById: context.actor.id },
    select: apiKeySelect,
  });
  await recordAudit(db, {
    actor: context.actor,
    action: "api-key.create",
    target: { type: "api-key", id, label: input.name },
    summary: `Created API key “${input.name}” (${prefix}) with ${input.scopes.join(", ")}; ${input.expiresAt ? `expires ${input.expiresAt.toISOString().slice(0, 10)}` : "never expires"}`,
    ip: context.ip,
  });
  return { key, view: toView(row) };
}

export async function revokeApiKey(db: DbClient, id: string, context: { actor: AuditActor & object; ip?: string | null }, now = new Date()): Promise<ApiKeyView> {
  const { count } = await db.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });
  const row = await db.apiKey.findUnique({ where: { id }, select: apiKeySelect });
  if (!row) throw new UserFacingError("This API key no longer exists.");
  forgetCachedApiKeys(row.prefix);
  if (count === 0) throw new UserFacingError(`“${row.name}” (${row.prefix}) was already revoked.`);
  await recordAudit(db, {
    actor: context.actor,
    action: "api-key.revoke",
    target: { type: "api-key", id, label: row.name },
    summary: `Revoked API key “${row.name}” (${row.prefix}); engines using it are refused from now on`,
    ip: context.ip,
  });
  return toView(row, now);
}
