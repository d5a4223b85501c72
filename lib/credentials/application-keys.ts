import "server-only";
import { createHash, createPrivateKey, sign } from "node:crypto";
import { certificateDer } from "@/lib/crypto/certificates";
import type { Cloud } from "@/lib/entra/clouds";
import { createRetryBudget, policyFetch } from "@/lib/entra/http-transport";
import { acquireAppToken, type ClientCredential } from "@/lib/entra/msal-client";

/**
 * An app rolling its own certificate through Microsoft Graph: `addKey` adds the new certificate and
 * `removeKey` removes the old one. Neither needs a Graph permission, only the app's own token and a
 * proof of possession signed by a certificate the app already has, exactly as Microsoft documents it
 * (https://learn.microsoft.com/graph/api/application-addkey): `aud` the Azure AD Graph app id, `iss`
 * the application's object id, `nbf`, and `exp` 10 minutes after `nbf`. The header names the signing
 * certificate by `x5t`, as the documented sample's X509SigningCredentials does.
 */

export const PROOF_AUDIENCE = "00000002-0000-0000-c000-000000000000";
const PROOF_LIFETIME_SECONDS = 10 * 60;
const KEYS_TIMEOUT_MS = 20_000;

type Certificate = Extract<ClientCredential, { kind: "certificate" }>;

export function proofOfPossession(signer: Pick<Certificate, "privateKeyPem" | "certificatePem">, applicationObjectId: string, now = new Date()): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const x5t = createHash("sha1").update(certificateDer(signer.certificatePem)).digest("base64url");
  const nbf = Math.floor(now.getTime() / 1000);
  const input = `${encode({ alg: "RS256", typ: "JWT", x5t })}.${encode({ aud: PROOF_AUDIENCE, iss: applicationObjectId, nbf, exp: nbf + PROOF_LIFETIME_SECONDS })}`;
  return `${input}.${sign("sha256", Buffer.from(input), createPrivateKey(signer.privateKeyPem)).toString("base64url")}`;
}

export type KeyCallResult<T> = { ok: true; value: T } | { ok: false; status: number; code: string; message: string };

type App = { cloud: Cloud; tenant: string; clientId: string; applicationObjectId: string };

async function callKeys<T>(app: App, signer: Certificate, action: "addKey" | "removeKey", body: object, read: (response: Response) => Promise<T>): Promise<KeyCallResult<T>> {
  const policy = { signal: AbortSignal.timeout(KEYS_TIMEOUT_MS), retry: createRetryBudget() };
  const token = await acquireAppToken({ cloud: app.cloud, tenant: app.tenant, clientId: app.clientId, credential: signer, policy });
  if (!token.ok) return { ok: false, status: 401, code: token.failure.code, message: token.failure.description ?? "Microsoft refused the app's token request." };
  let response: Response;
  try {
    response = await policyFetch(
      `${app.cloud.graphHost}/v1.0/applications/${encodeURIComponent(app.applicationObjectId)}/${action}`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${token.accessToken}`, "content-type": "application/json" },
        body: JSON.stringify({ ...body, proof: proofOfPossession(signer, app.applicationObjectId) }),
      },
      policy,
    );
  } catch (error) {
    return { ok: false, status: 0, code: "network", message: error instanceof Error ? error.message : "Microsoft Graph could not be reached." };
  }
  if (!response.ok) {
    const parsed = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    return { ok: false, status: response.status, code: parsed?.error?.code ?? `HTTP ${response.status}`, message: parsed?.error?.message ?? "" };
  }
  return { ok: true, value: await read(response) };
}

/**
 * Adds `certificatePem` to the app under the caller-chosen `keyId` (a keyCredential's `keyId` is the
 * GUID that names it), proving possession with `signer`. The caller records `keyId` before the call,
 * so a run that never saw the answer still knows which key removeKey must take out later. Entra's
 * answer is authoritative: when it names another keyId, that one is returned.
 *
 * Keeping the caller's keyId is an assumption Microsoft's documentation does not back: the addKey
 * page (https://learn.microsoft.com/graph/api/application-addkey) names only type, usage and key as
 * required in keyCredential and says nothing about a supplied keyId, and the keyCredential page
 * (https://learn.microsoft.com/graph/api/resources/keycredential) only calls keyId "The unique
 * identifier (GUID) for the key". The answer is "a new keyCredential object", so the keyId read from
 * it is the one to trust; a resume that never saw it relies on the assumption.
 */
export function addKey(app: App, signer: Certificate, certificatePem: string, keyId: string): Promise<KeyCallResult<{ keyId: string }>> {
  return callKeys(
    app,
    signer,
    "addKey",
    { keyCredential: { type: "AsymmetricX509Cert", usage: "Verify", keyId, key: certificateDer(certificatePem).toString("base64") }, passwordCredential: null },
    async (response) => {
      const added = (await response.json()) as { keyId?: unknown };
      return { keyId: typeof added.keyId === "string" ? added.keyId.toLowerCase() : keyId };
    },
  );
}

/** Removes the credential `keyId` from the app, proving possession with `signer` (a certificate that stays). */
export function removeKey(app: App, signer: Certificate, keyId: string): Promise<KeyCallResult<null>> {
  return callKeys(app, signer, "removeKey", { keyId }, async () => null);
}
