import "server-only";
import { createHash } from "node:crypto";
import type { AccessToken, MicrosoftProblem } from "@/lib/api/schemas";
import { explainError, microsoftFirstLine } from "@/lib/checks/error-catalog";
import { connectionCheckInput } from "@/lib/connections/connections";
import type { KeyRing } from "@/lib/crypto/seal";
import type { DbClient } from "@/lib/db/types";
import { REAUTH_CODES } from "@/lib/connections/state";
import { mailboxAccessToken } from "@/lib/delegated/mailbox-token";
import { resolveCloud } from "@/lib/entra/cloud-config";
import { graphDefaultScope, type Cloud } from "@/lib/entra/clouds";
import type { TokenFailure } from "@/lib/entra/token-error";
import { createRetryBudget } from "@/lib/entra/http-transport";
import { acquireAppToken } from "@/lib/entra/msal-client";
import { credentialOfInput } from "@/lib/credentials/check-credential";
import { decodeAccessTokenClaims } from "@/lib/graph/access-token";

/**
 * The token broker: the console mints Graph app tokens for a connection so the engine never holds
 * the client secret. Tokens are cached in memory per process until REFRESH_MARGIN_MS before they
 * expire, keyed by everything that decides the token (connection, cloud, tenant, app and a hash of
 * the secret or certificate thumbprint), so a rotated secret, a renewed certificate or an edited connection can never be answered from the cache.
 */

export const REFRESH_MARGIN_MS = 5 * 60_000;
const TOKEN_TIMEOUT_MS = 20_000;
const MAX_CACHED_TOKENS = 10_000;

type CachedToken = { accessToken: string; expiresOn: Date; scope: string };

export type BrokerResult =
  | { ok: true; token: AccessToken; cached: boolean }
  | { ok: false; reason: "not-found" }
  /** No credential to mint with: an organisation connection without a secret, or mailbox sign-in not set up. */
  | { ok: false; reason: "no-secret" }
  | { ok: false; reason: "microsoft"; problem: Omit<MicrosoftProblem, "type" | "title" | "status" | "instance"> };

type TokenCache = { entries: Map<string, CachedToken>; inflight: Map<string, Promise<BrokerResult>> };

// Plain module state: only the engine API mints tokens, and its entries are keyed by everything that
// decides a token, so a second module instance (Next's route files beside the fast path) can only
// start colder, never answer wrongly.
const tokenCache: TokenCache = { entries: new Map(), inflight: new Map() };

/** Forgets every cached token; for tests. */
export function clearTokenCache(): void {
  tokenCache.entries.clear();
  tokenCache.inflight.clear();
}

/**
 * Graph tokens are JWTs, and acquireAppToken hands back only the token, so its lifetime is read from
 * the `exp` claim. A token whose expiry cannot be read is returned but not cached.
 */
function tokenExpiry(accessToken: string): Date | null {
  const exp = decodeAccessTokenClaims(accessToken)?.exp;
  return exp === undefined ? null : new Date(exp * 1000);
}

function store(key: string, token: CachedToken, now: number): void {
  const { entries } = tokenCache;
  if (entries.size >= MAX_CACHED_TOKENS) {
    for (const [candidate, value] of entries) if (value.expiresOn.getTime() - REFRESH_MARGIN_MS <= now) entries.delete(candidate);
    // Still full: drop the oldest insertions (Map keeps insertion order).
    for (const candidate of entries.keys()) {
      if (entries.size < MAX_CACHED_TOKENS) break;
      entries.delete(candidate);
    }
  }
  entries.set(key, token);
}

const toAccessToken = (token: CachedToken): AccessToken => ({
  accessToken: token.accessToken,
  tokenType: "Bearer",
  expiresOn: token.expiresOn.toISOString(),
  scope: token.scope,
});

function microsoftRefusal(failure: TokenFailure, cloud: Cloud, secrets: string[], nextStep?: string): BrokerResult {
  const explanation = explainError(failure.code, { message: failure.description, cloud });
  const microsoftMessage = microsoftFirstLine(failure.description, secrets);
  return {
    ok: false,
    reason: "microsoft",
    problem: {
      detail: [`${explanation.title}.`, explanation.explanation, nextStep ?? explanation.fix?.text].filter(Boolean).join(" "),
      code: explanation.code,
      who: explanation.who,
      ...(failure.correlationId ? { correlationId: failure.correlationId } : {}),
      ...(explanation.fix && !nextStep ? { fix: explanation.fix } : {}),
      ...(explanation.helpUrl ? { helpUrl: explanation.helpUrl } : {}),
      ...(microsoftMessage ? { microsoftMessage } : {}),
    },
  };
}

/**
 * A mailbox connection's delegated token, from its sealed msal cache (msal hands back the cached
 * access token until shortly before it expires, then renews it). Only the access token leaves.
 */
async function issueMailboxToken(db: DbClient, ring: KeyRing, connectionId: string): Promise<BrokerResult> {
  const token = await mailboxAccessToken(db, ring, connectionId, { policy: { signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS), retry: createRetryBudget() } });
  if (!token.ok) {
    if (!token.app) return { ok: false, reason: "no-secret" };
    const reauth = REAUTH_CODES.has(token.failure.code);
    return microsoftRefusal(token.failure, token.app.cloud, [], reauth ? "The mailbox's owner must reconnect it in Calsync Console; helpdesk can send them a reconnect link." : undefined);
  }
  const scope = token.scopes.join(" ");
  return { ok: true, token: { accessToken: token.accessToken, tokenType: "Bearer", expiresOn: token.expiresOn.toISOString(), scope }, cached: false };
}

export async function issueConnectionToken(db: DbClient, ring: KeyRing, connectionId: string, now = () => Date.now()): Promise<BrokerResult> {
  const row = await db.connection.findUnique({ where: { id: connectionId }, select: { kind: true } });
  if (!row) return { ok: false, reason: "not-found" };
  if (row.kind === "mailbox") return issueMailboxToken(db, ring, connectionId);
  const input = await connectionCheckInput(db, ring, connectionId);
  if (!input) return { ok: false, reason: "not-found" };
  if (!input.clientSecret && !input.certificate) return { ok: false, reason: "no-secret" };
  const cloud = resolveCloud(input.cloud);
  if (!cloud) throw new Error(`Cloud "${input.cloud}" is not configured on this server`);
  const scope = graphDefaultScope(cloud);
  const key = createHash("sha256")
    .update([connectionId, cloud.id, cloud.authorityHost, input.tenant, input.clientId, input.clientSecret, input.certificate?.thumbprintSha256 ?? ""].join("\0"))
    .digest("base64url");

  const { entries, inflight } = tokenCache;
  const hit = entries.get(key);
  if (hit && hit.expiresOn.getTime() - REFRESH_MARGIN_MS > now()) return { ok: true, token: toAccessToken(hit), cached: true };
  // Concurrent misses for one connection share a single request to Microsoft.
  const pending = inflight.get(key);
  if (pending) return pending;

  const acquire = (async (): Promise<BrokerResult> => {
    // Not tied to the caller's request: a shared acquisition must not fail because one caller left.
    const result = await acquireAppToken({
      cloud,
      tenant: input.tenant,
      clientId: input.clientId,
      credential: credentialOfInput(input),
      policy: { signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS), retry: createRetryBudget() },
      scope,
    });
    if (!result.ok) return microsoftRefusal(result.failure, cloud, [input.clientSecret]);
    const expiresOn = tokenExpiry(result.accessToken);
    // Without a readable expiry the token is reported as short-lived, so the engine comes back soon.
    const token: CachedToken = { accessToken: result.accessToken, expiresOn: expiresOn ?? new Date(now() + REFRESH_MARGIN_MS), scope };
    if (expiresOn) store(key, token, now());
    return { ok: true, token: toAccessToken(token), cached: false };
  })();
  inflight.set(key, acquire);
  try {
    return await acquire;
  } finally {
    inflight.delete(key);
  }
}
