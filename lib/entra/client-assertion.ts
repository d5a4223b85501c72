import "server-only";
import { constants, createHash, randomUUID, sign } from "node:crypto";
import { ClientAssertion, type ClientAssertionCallback } from "@azure/msal-node";

/**
 * Signed client assertions (private_key_jwt) for certificate credentials, cached per credential.
 *
 * Why the assertion and not the ConfidentialClientApplication is what gets reused: a client instance
 * carries its network module (each call's timeout, cancellation and retry budget, and the observation
 * that explains a failure), a token cache and throttling state. Sharing it would mix concurrent
 * calls' policies and could answer a validation from a cached token or a replayed 429 instead of
 * asking Microsoft. The only costly part of a fresh client is the RSA signature (about 10–30 ms of
 * blocked event loop for a 3072-bit key), so msal gets the documented `clientAssertion` callback and
 * this cache answers it: every token request still goes to the token endpoint and still proves the
 * key, because Entra checks the signature on every request.
 *
 * Signing runs through node's asynchronous `crypto.sign`, on the libuv thread pool, so even a cold
 * cache does not hold up other requests; an assertion past half its life is re-signed in the
 * background while the current one is still handed out.
 */

/** msal-node's own lifetime for the assertions it signs; Entra accepts up to this. */
export const ASSERTION_LIFETIME_SECONDS = 10 * 60;
/** Left for the request's own retries and for Microsoft's clock running ahead of ours. */
const MIN_REMAINING_SECONDS = 2 * 60;
const REFRESH_AFTER_SECONDS = ASSERTION_LIFETIME_SECONDS / 2;
const MAX_ENTRIES = 1_000;

export type AssertionCertificate = { privateKeyPem: string; certificatePem: string; thumbprintSha256: string };

type Signed = { jwt: string; expiresAt: number; signedAt: number };
type Entry = { signed?: Signed; pending?: Promise<Signed> };

export type AssertionCache = {
  /** A signed assertion for this client at this token endpoint, reused while enough of its life remains. */
  assertionFor(certificate: AssertionCertificate, clientId: string, tokenEndpoint: string): Promise<string>;
  /** How many assertions were signed: lets tests prove reuse. */
  readonly signatures: number;
  readonly size: number;
  clear(): void;
};

function signAsync(input: string, privateKeyPem: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    sign("sha256", Buffer.from(input), { key: privateKeyPem, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, (error, signature) =>
      error ? reject(error) : resolve(signature),
    );
  });
}

/** The same header and claims msal-node puts in its own certificate assertions (PS256, `x5t#S256`, `x5c`). */
async function signAssertion(certificate: AssertionCertificate, clientId: string, tokenEndpoint: string, nowSeconds: number): Promise<Signed> {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const header = {
    alg: "PS256",
    typ: "JWT",
    "x5t#S256": Buffer.from(certificate.thumbprintSha256, "hex").toString("base64url"),
    x5c: ClientAssertion.parseCertificate(certificate.certificatePem),
  };
  const expiresAt = nowSeconds + ASSERTION_LIFETIME_SECONDS;
  const payload = { aud: tokenEndpoint, exp: expiresAt, iss: clientId, sub: clientId, nbf: nowSeconds, jti: randomUUID() };
  const input = `${encode(header)}.${encode(payload)}`;
  const signature = await signAsync(input, certificate.privateKeyPem);
  return { jwt: `${input}.${signature.toString("base64url")}`, expiresAt, signedAt: nowSeconds };
}

/**
 * The cache key is a digest of everything the assertion depends on, the private key included, so a
 * renewed or replaced certificate, a different key for the same certificate, another app, tenant or
 * cloud never meets an old assertion, and no key material is kept in the key itself.
 */
function keyOf(certificate: AssertionCertificate, clientId: string, tokenEndpoint: string): string {
  return createHash("sha256")
    .update([tokenEndpoint, clientId, certificate.thumbprintSha256, certificate.certificatePem, certificate.privateKeyPem].join("\0"))
    .digest("base64url");
}

export function createAssertionCache(options: { now?: () => number; maxEntries?: number } = {}): AssertionCache {
  const nowSeconds = () => Math.floor((options.now ?? Date.now)() / 1000);
  const maxEntries = options.maxEntries ?? MAX_ENTRIES;
  // Map order is the recency order: a hit is moved to the end, the first entry is the least recently used.
  const entries = new Map<string, Entry>();
  let signatures = 0;

  const usable = (signed: Signed | undefined, now: number): signed is Signed => signed !== undefined && signed.expiresAt - now >= MIN_REMAINING_SECONDS;

  function makeRoom(now: number): void {
    for (const [key, entry] of entries) if (!entry.pending && !usable(entry.signed, now)) entries.delete(key);
    for (const key of entries.keys()) {
      if (entries.size < maxEntries) break;
      entries.delete(key);
    }
  }

  function startSigning(key: string, entry: Entry, certificate: AssertionCertificate, clientId: string, tokenEndpoint: string): Promise<Signed> {
    signatures += 1;
    const pending = signAssertion(certificate, clientId, tokenEndpoint, nowSeconds()).then(
      (signed) => {
        entry.signed = signed;
        entry.pending = undefined;
        return signed;
      },
      (error: unknown) => {
        // A key that cannot sign is not remembered: the next request tries again and reports it again.
        entry.pending = undefined;
        // The entry may have been evicted and replaced meanwhile; only this one is forgotten.
        if (!entry.signed && entries.get(key) === entry) entries.delete(key);
        throw error;
      },
    );
    entry.pending = pending;
    return pending;
  }

  return {
    async assertionFor(certificate, clientId, tokenEndpoint) {
      const key = keyOf(certificate, clientId, tokenEndpoint);
      const now = nowSeconds();
      let entry = entries.get(key);
      if (entry) {
        entries.delete(key);
        entries.set(key, entry);
      } else {
        makeRoom(now);
        entry = {};
        entries.set(key, entry);
      }
      if (usable(entry.signed, now)) {
        if (now - entry.signed.signedAt >= REFRESH_AFTER_SECONDS && !entry.pending) {
          startSigning(key, entry, certificate, clientId, tokenEndpoint).catch(() => undefined);
        }
        return entry.signed.jwt;
      }
      // Concurrent first requests for one credential share a single signature.
      return (await (entry.pending ?? startSigning(key, entry, certificate, clientId, tokenEndpoint))).jwt;
    },
    get signatures() {
      return signatures;
    },
    get size() {
      return entries.size;
    },
    clear() {
      entries.clear();
    },
  };
}

/** The process-wide cache behind every certificate token request. */
export const clientAssertions = createAssertionCache();

/** msal's `clientAssertion` callback for a certificate: it names the client and token endpoint of each request. */
export function certificateAssertionCallback(certificate: AssertionCertificate, cache: AssertionCache = clientAssertions): ClientAssertionCallback {
  return async ({ clientId, tokenEndpoint }) => {
    if (!tokenEndpoint) throw new Error("msal gave no token endpoint to address the client assertion to");
    return cache.assertionFor(certificate, clientId, tokenEndpoint);
  };
}
