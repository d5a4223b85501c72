import "server-only";
import type { KeyRing } from "@/lib/crypto/seal";
import type { DbClient } from "@/lib/db/types";
import type { RequestPolicy } from "@/lib/entra/http-transport";
import { getDelegatedApp, type DelegatedAppConfig } from "@/lib/delegated/delegated-app";
import { openTokenCache, storeRenewedTokenCache } from "@/lib/delegated/mailbox-connections";
import { acquireSilent, type DelegatedFailure } from "@/lib/delegated/msal-delegated";

export type MailboxToken =
  | { ok: true; accessToken: string; expiresOn: Date; scopes: string[]; correlationId: string; app: DelegatedAppConfig }
  | (DelegatedFailure & { app: DelegatedAppConfig | null });

/**
 * A delegated Graph token for a mailbox connection, renewed from its sealed cache when needed; a
 * renewed cache is sealed back. Used by the checks and by the engine's token broker.
 */
export async function mailboxAccessToken(
  db: DbClient,
  ring: KeyRing,
  connectionId: string,
  options: { policy: RequestPolicy; forceRefresh?: boolean },
): Promise<MailboxToken> {
  const app = await getDelegatedApp(db, ring);
  if (!app) return { ok: false, failure: { code: "mailbox-app-missing" }, app: null };
  const cache = await openTokenCache(db, ring, connectionId);
  if (!cache) return { ok: false, failure: { code: "no-saved-sign-in" }, app };
  const result = await acquireSilent(
    app,
    { cacheJson: cache.cacheJson, homeAccountId: cache.homeAccountId, tenantId: cache.tenantId, forceRefresh: options.forceRefresh ?? false },
    options.policy,
  );
  if (!result.ok) return { ...result, app };
  if (result.cacheChanged) await storeRenewedTokenCache(db, ring, cache, result.cacheJson);
  return { ok: true, accessToken: result.accessToken, expiresOn: result.expiresOn, scopes: result.scopes, correlationId: result.correlationId, app };
}
