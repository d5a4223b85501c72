import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  sign as cryptoSign,
  verify as cryptoVerify,
  X509Certificate,
  constants,
  type KeyObject,
} from "node:crypto";
import { promisify } from "node:util";
import type { AppCertificate } from "./scenario";

/** Signing key of one simulator instance; its public half is served on every tenant's JWKS. */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: { kty: string; use: string; kid: string; x5t: string; n: string; e: string };
}

export type JwtPayload = Record<string, unknown>;

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: JwtPayload;
  signingInput: string;
  signature: Buffer;
}

const generateKeyPairAsync = promisify(generateKeyPair);

/** A fresh key, or the one in `privateKeyPem` (a persisted simulator keeps signing as before its restart). */
export async function createSigningKey(privateKeyPem?: string): Promise<SigningKey> {
  const { privateKey, publicKey } = privateKeyPem
    ? { privateKey: createPrivateKey(privateKeyPem), publicKey: createPublicKey(createPrivateKey(privateKeyPem)) }
    : await generateKeyPairAsync("rsa", { modulusLength: 2048 });
  const exported = publicKey.export({ format: "jwk" });
  const n = typeof exported.n === "string" ? exported.n : "";
  const e = typeof exported.e === "string" ? exported.e : "AQAB";
  // Entra's kid and x5t are the same base64url SHA-1 thumbprint; a JWK thumbprint is as unique.
  const kid = createHash("sha1").update(JSON.stringify({ e, kty: "RSA", n })).digest("base64url");
  return { kid, privateKey, publicKey, jwk: { kty: "RSA", use: "sig", kid, x5t: kid, n, e } };
}

function b64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

export function signJwt(key: SigningKey, payload: JwtPayload): string {
  const header = { typ: "JWT", alg: "RS256", x5t: key.kid, kid: key.kid };
  const signingInput = `${b64urlJson(header)}.${b64urlJson(payload)}`;
  const signature = cryptoSign("sha256", Buffer.from(signingInput), key.privateKey).toString("base64url");
  return `${signingInput}.${signature}`;
}

function parseJsonObject(segment: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function decodeJwt(token: string): DecodedJwt | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [h, p, s] = parts as [string, string, string];
  const header = parseJsonObject(h);
  const payload = parseJsonObject(p);
  if (!header || !payload) return null;
  return { header, payload, signingInput: `${h}.${p}`, signature: Buffer.from(s, "base64url") };
}

export type AccessTokenCheck =
  | { ok: true; payload: JwtPayload }
  | { ok: false; reason: "malformed" | "signature" | "expired" };

/** Verifies a token this simulator minted: signature with its own key and the validity window. */
export function verifyOwnJwt(key: SigningKey, token: string, nowSeconds: number): AccessTokenCheck {
  const decoded = decodeJwt(token);
  if (!decoded) return { ok: false, reason: "malformed" };
  if (decoded.header.alg !== "RS256" || decoded.header.kid !== key.kid) return { ok: false, reason: "signature" };
  if (!cryptoVerify("sha256", Buffer.from(decoded.signingInput), key.publicKey, decoded.signature)) {
    return { ok: false, reason: "signature" };
  }
  const exp = decoded.payload.exp;
  const nbf = decoded.payload.nbf;
  if (typeof exp !== "number" || exp <= nowSeconds) return { ok: false, reason: "expired" };
  if (typeof nbf === "number" && nbf > nowSeconds + 300) return { ok: false, reason: "expired" };
  return { ok: true, payload: decoded.payload };
}

export interface ResolvedCertificate {
  publicKey: KeyObject;
  sha1: Buffer;
  sha256?: Buffer;
  expiresAt?: number;
}

export function resolveCertificate(certificate: AppCertificate): ResolvedCertificate | null {
  try {
    if (certificate.pem) {
      const x509 = new X509Certificate(certificate.pem);
      return {
        publicKey: x509.publicKey,
        sha1: Buffer.from(x509.fingerprint.replace(/:/g, ""), "hex"),
        sha256: Buffer.from(x509.fingerprint256.replace(/:/g, ""), "hex"),
        expiresAt: certificate.expiresAt ? Date.parse(certificate.expiresAt) : Date.parse(x509.validTo),
      };
    }
    if (certificate.publicKeyPem && certificate.thumbprint) {
      return {
        publicKey: createPublicKey(certificate.publicKeyPem),
        sha1: Buffer.from(certificate.thumbprint, "hex"),
        sha256: certificate.thumbprintSha256 ? Buffer.from(certificate.thumbprintSha256, "hex") : undefined,
        expiresAt: certificate.expiresAt ? Date.parse(certificate.expiresAt) : undefined,
      };
    }
  } catch {
    return null;
  }
  return null;
}

export type AssertionCheck =
  | { ok: true }
  | {
      ok: false;
      /** AADSTS code that ESTS answers with for this failure. */
      code: 700027 | 700024 | 700023 | 50027 | 700021;
      detail: string;
    };

/**
 * Validates a private_key_jwt client assertion like ESTS: the header thumbprint (x5t or x5t#S256) must
 * name a registered certificate, the RS256/PS256 signature must verify with its key, and iss/sub/aud/exp
 * must fit. Returns the AADSTS code ESTS uses for each failure.
 */
export function verifyClientAssertion(options: {
  assertion: string;
  clientId: string;
  /** Every spelling of this tenant's token endpoint (GUID or domain in the path). */
  tokenEndpoints: string[];
  certificates: readonly AppCertificate[];
  nowSeconds: number;
}): AssertionCheck {
  const decoded = decodeJwt(options.assertion);
  if (!decoded) return { ok: false, code: 50027, detail: "JWT token is invalid or malformed." };
  const { header, payload } = decoded;
  const x5t = typeof header.x5t === "string" ? Buffer.from(header.x5t, "base64url") : undefined;
  const x5t256 = typeof header["x5t#S256"] === "string" ? Buffer.from(header["x5t#S256"], "base64url") : undefined;
  if (!x5t && !x5t256) {
    return { ok: false, code: 700027, detail: "Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '']" };
  }
  const match = options.certificates
    .map(resolveCertificate)
    .find((cert): cert is ResolvedCertificate =>
      cert !== null && ((x5t !== undefined && cert.sha1.equals(x5t)) || (x5t256 !== undefined && cert.sha256?.equals(x5t256) === true)),
    );
  const thumb = (x5t ?? x5t256 ?? Buffer.alloc(0)).toString("hex").toUpperCase();
  if (!match) {
    return {
      ok: false,
      code: 700027,
      detail: `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${thumb}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${options.clientId}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query request URL, such as 'https://graph.microsoft.com/beta/applications/${options.clientId}'].`,
    };
  }
  if (match.expiresAt !== undefined && match.expiresAt < options.nowSeconds * 1000) {
    return { ok: false, code: 700027, detail: `Client assertion failed signature validation. [Reason - The key used is expired., Thumbprint of key used by client: '${thumb}']` };
  }
  const data = Buffer.from(decoded.signingInput);
  let valid = false;
  if (header.alg === "RS256") {
    valid = cryptoVerify("sha256", data, match.publicKey, decoded.signature);
  } else if (header.alg === "PS256") {
    valid = cryptoVerify(
      "sha256",
      data,
      { key: match.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
      decoded.signature,
    );
  }
  if (!valid) {
    return { ok: false, code: 700027, detail: `Client assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '${thumb}']` };
  }
  const sameClient = (value: unknown): boolean => typeof value === "string" && value.toLowerCase() === options.clientId.toLowerCase();
  if (!sameClient(payload.iss) || !sameClient(payload.sub)) {
    return { ok: false, code: 700021, detail: "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials ." };
  }
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audiences.some((aud) => typeof aud === "string" && options.tokenEndpoints.includes(aud.split("?")[0]?.toLowerCase() ?? ""))) {
    return {
      ok: false,
      code: 700023,
      detail: "Client assertion audience claim does not match Realm issuer. Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .",
    };
  }
  if (typeof payload.exp !== "number" || payload.exp < options.nowSeconds) {
    return { ok: false, code: 700024, detail: "Client assertion is not within its valid time range." };
  }
  return { ok: true };
}
