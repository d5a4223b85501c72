import "server-only";
import { randomUUID } from "node:crypto";
import { ConfidentialClientApplication, CryptoProvider, type AccountInfo } from "@azure/msal-node";
import { browserFacingUrl, type Cloud } from "@/lib/entra/clouds";
import type { TransportError, RequestPolicy } from "@/lib/entra/http-transport";
import { msalAuthorityOptions, msalCredentialOptions, PolicyNetworkClient, silentMsalLogger, tokenFailureOf } from "@/lib/entra/msal-client";
import type { TokenFailure } from "@/lib/entra/token-error";
import { UserFacingError } from "@/lib/errors";
import { signInTenant, type DelegatedAppConfig } from "@/lib/delegated/delegated-app";

/**
 * msal-node for a member's own mailbox: the authorization code flow with PKCE, and silent renewal
 * from msal's token cache, which the caller keeps sealed per connection. A fresh client per call,
 * loaded with that one connection's cache, so no token can leak from one mailbox to another.
 */

/** What the console asks for: read the signed-in user and read/write their calendar, and stay signed in. */
export function delegatedScopes(cloud: Cloud): string[] {
  return [`${cloud.graphHost}/User.Read`, `${cloud.graphHost}/Calendars.ReadWrite`, "offline_access"];
}

type DelegatedClientConfig = Pick<DelegatedAppConfig, "cloud" | "clientId" | "credential" | "audience" | "homeTenant">;

function delegatedClient(config: DelegatedClientConfig, tenant: string, networkClient: PolicyNetworkClient): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    auth: { clientId: config.clientId, ...msalCredentialOptions(config.credential), ...msalAuthorityOptions(config.cloud, tenant) },
    system: { networkClient, loggerOptions: silentMsalLogger },
  });
}

/**
 * The same app can sign someone in to the console rather than connect their mailbox: other scopes,
 * and an authority narrowed to the trusted tenant.
 */
export type SignInPurpose = { scopes?: string[]; authority?: string };

export function newPkcePair(): Promise<{ verifier: string; challenge: string }> {
  return new CryptoProvider().generatePkceCodes();
}

export async function authorizationUrl(
  config: DelegatedClientConfig,
  request: { redirectUri: string; state: string; nonce: string; codeChallenge: string; loginHint?: string } & SignInPurpose,
  policy: RequestPolicy,
): Promise<string> {
  const app = delegatedClient(config, request.authority ?? signInTenant(config), new PolicyNetworkClient(policy));
  const url = await app.getAuthCodeUrl({
    scopes: request.scopes ?? delegatedScopes(config.cloud),
    redirectUri: request.redirectUri,
    state: request.state,
    nonce: request.nonce,
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: "S256",
    responseMode: "query",
    // Someone may be signed in to Microsoft as another account (their admin account, a colleague's), so
    // they choose; a reconnect names its account instead (msal drops login_hint under select_account).
    ...(request.loginHint ? { loginHint: request.loginHint } : { prompt: "select_account" }),
  });
  return browserFacingUrl(config.cloud, url);
}

/**
 * The authorization URL, or the person's explanation: msal may look up the authority's metadata
 * first, and that is the only way building a URL fails, before anything was stored.
 */
export async function authorizationUrlOrRefusal(
  config: DelegatedClientConfig,
  request: Parameters<typeof authorizationUrl>[1],
  policy: RequestPolicy,
): Promise<string> {
  try {
    return await authorizationUrl(config, request, policy);
  } catch {
    throw new UserFacingError(`Microsoft's sign-in service (${config.cloud.label}) could not be reached, so nothing was started. Try again in a few minutes.`);
  }
}

export type SignedInAccount = {
  homeAccountId: string;
  username: string;
  tenantId: string;
  /** The user's object id in their tenant. */
  objectId: string;
  name: string | null;
};

export type DelegatedFailure = { ok: false; failure: TokenFailure; transport?: TransportError };

export type RedeemedCode =
  | { ok: true; account: SignedInAccount; cacheJson: string; correlationId: string; idTokenClaims: Record<string, unknown>; accessToken: string }
  | DelegatedFailure;

function accountOf(account: AccountInfo): SignedInAccount {
  return {
    homeAccountId: account.homeAccountId,
    username: account.username,
    tenantId: account.tenantId,
    objectId: account.localAccountId,
    name: account.name ?? null,
  };
}

/** Redeems the code (PKCE verifier and nonce checked by msal) and returns msal's cache with the new tokens. */
export async function redeemCode(
  config: DelegatedClientConfig,
  request: { code: string; codeVerifier: string; nonce: string; redirectUri: string } & SignInPurpose,
  policy: RequestPolicy,
): Promise<RedeemedCode> {
  const networkClient = new PolicyNetworkClient(policy);
  const correlationId = randomUUID();
  try {
    const app = delegatedClient(config, request.authority ?? signInTenant(config), networkClient);
    const result = await app.acquireTokenByCode({
      code: request.code,
      codeVerifier: request.codeVerifier,
      nonce: request.nonce,
      redirectUri: request.redirectUri,
      scopes: request.scopes ?? delegatedScopes(config.cloud),
      correlationId,
    });
    if (!result.account) return { ok: false, failure: { code: "unexpected-response", correlationId } };
    return {
      ok: true,
      account: accountOf(result.account),
      cacheJson: app.getTokenCache().serialize(),
      correlationId,
      idTokenClaims: { ...result.idTokenClaims },
      accessToken: result.accessToken,
    };
  } catch (error) {
    return tokenFailureOf(networkClient.observed, error, correlationId);
  }
}

export type SilentToken =
  | { ok: true; accessToken: string; expiresOn: Date; scopes: string[]; cacheJson: string; cacheChanged: boolean; correlationId: string }
  | DelegatedFailure;

/**
 * A Graph access token for the cached account: from the cache while it is valid, otherwise renewed
 * with the refresh token. `forceRefresh` always renews, which is how a check proves the saved sign-in
 * still works. The refresh token never leaves this function except inside the (sealed) cache.
 */
export async function acquireSilent(
  config: DelegatedClientConfig,
  request: { cacheJson: string; homeAccountId: string; tenantId: string; forceRefresh?: boolean },
  policy: RequestPolicy,
): Promise<SilentToken> {
  const networkClient = new PolicyNetworkClient(policy);
  const correlationId = randomUUID();
  try {
    // Renew against the account's own tenant: that is where its refresh token was issued.
    const app = delegatedClient(config, request.tenantId, networkClient);
    const cache = app.getTokenCache();
    cache.deserialize(request.cacheJson);
    const account = await cache.getAccountByHomeId(request.homeAccountId);
    if (!account) return { ok: false, failure: { code: "no-saved-sign-in", correlationId } };
    const result = await app.acquireTokenSilent({
      account,
      scopes: delegatedScopes(config.cloud).filter((scope) => scope !== "offline_access"),
      forceRefresh: request.forceRefresh ?? false,
      correlationId,
    });
    if (!result?.accessToken || !result.expiresOn) return { ok: false, failure: { code: "unexpected-response", correlationId } };
    const cacheJson = cache.serialize();
    return {
      ok: true,
      accessToken: result.accessToken,
      expiresOn: result.expiresOn,
      scopes: result.scopes,
      cacheJson,
      cacheChanged: cacheJson !== request.cacheJson,
      correlationId,
    };
  } catch (error) {
    return tokenFailureOf(networkClient.observed, error, correlationId);
  }
}
