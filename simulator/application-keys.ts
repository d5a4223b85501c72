import { randomUUID, verify as cryptoVerify, X509Certificate } from "node:crypto";
import { sendGraphError } from "./errors";
import { readBody, send, sendJson, type RequestContext } from "./http";
import { decodeJwt, resolveCertificate, verifyOwnJwt } from "./jwt";
import type { AppCertificate, ScenarioApp, ScenarioTenant } from "./scenario";
import { applicationObjectId } from "./applications";

/**
 * An application rolling its own certificate (Graph `POST /applications/{id}/addKey` and
 * `removeKey`), and the scenario API that stands in for an admin's upload in the portal.
 *
 * addKey and removeKey need no Graph permission, only the app's own token and a proof of possession:
 * a JWT signed by one of the app's still-valid certificates, with `aud` the Azure AD Graph app id,
 * `iss` the application's object id, and `exp` at most 10 minutes after `nbf`
 * (https://learn.microsoft.com/graph/api/application-addkey). Error bodies: `recorded/graph-errors.json`.
 *
 * A key Entra has just accepted is not known to the token endpoint at once: for
 * `settings.keyReplicationSeconds` (default 0) the token endpoint answers AADSTS700027 for it.
 */

export const PROOF_AUDIENCE = "00000002-0000-0000-c000-000000000000";
const MAX_PROOF_LIFETIME_SECONDS = 10 * 60;

export { applicationObjectId };

/** The certificates the token endpoint already knows (replication done). */
export function replicatedCertificates(app: ScenarioApp, nowMs: number): AppCertificate[] {
  return app.certificates.filter((certificate) => !certificate.usableFrom || Date.parse(certificate.usableFrom) <= nowMs);
}

/** Adds a certificate to an app as the portal's "Upload certificate" (or addKey) does; returns its keyId. */
export function uploadCertificate(app: ScenarioApp, pem: string, options: { replicationSeconds?: number; now?: number } = {}): { keyId: string; thumbprint: string } {
  const certificate = new X509Certificate(pem);
  const keyId = randomUUID();
  const now = options.now ?? Date.now();
  app.certificates.push({
    pem: certificate.toString(),
    keyId,
    ...(options.replicationSeconds ? { usableFrom: new Date(now + options.replicationSeconds * 1000).toISOString() } : {}),
  });
  return { keyId, thumbprint: certificate.fingerprint.replaceAll(":", "") };
}

type ProofCheck = { ok: true } | { ok: false; status: number; code: string; message: string };

const invalidProof = (reason: string): ProofCheck => ({ ok: false, status: 400, code: "Request_BadRequest", message: `Invalid proof. ${reason}` });

/** Checks a proof of possession as Graph does for addKey and removeKey. */
export function verifyProof(tenant: ScenarioTenant, app: ScenarioApp, proof: unknown, nowSeconds: number): ProofCheck {
  const valid = app.certificates.map(resolveCertificate).filter((certificate) => certificate !== null && (certificate.expiresAt === undefined || certificate.expiresAt > nowSeconds * 1000));
  if (valid.length === 0) {
    return { ok: false, status: 400, code: "Request_BadRequest", message: "The application does not have any valid certificate credentials to verify the proof of possession." };
  }
  if (typeof proof !== "string") return invalidProof("The proof is missing.");
  const decoded = decodeJwt(proof);
  if (!decoded) return invalidProof("The proof is not a JWT.");
  const { header, payload } = decoded;
  const x5t = typeof header.x5t === "string" ? Buffer.from(header.x5t, "base64url") : undefined;
  const x5t256 = typeof header["x5t#S256"] === "string" ? Buffer.from(header["x5t#S256"], "base64url") : undefined;
  const signer = valid.find((certificate) => certificate && ((x5t && certificate.sha1.equals(x5t)) || (x5t256 && certificate.sha256?.equals(x5t256))));
  if (!signer) return invalidProof("The key used to sign the proof is not a valid certificate of the application.");
  if (header.alg !== "RS256" || !cryptoVerify("sha256", Buffer.from(decoded.signingInput), signer.publicKey, decoded.signature)) {
    return invalidProof("The signature of the proof does not verify.");
  }
  if (payload.aud !== PROOF_AUDIENCE) return invalidProof(`The audience must be ${PROOF_AUDIENCE}.`);
  if (typeof payload.iss !== "string" || payload.iss.toLowerCase() !== applicationObjectId(tenant, app)) {
    return invalidProof("The issuer must be the object id of the application.");
  }
  if (typeof payload.nbf !== "number" || typeof payload.exp !== "number") return invalidProof("The proof needs nbf and exp.");
  if (payload.exp - payload.nbf > MAX_PROOF_LIFETIME_SECONDS) return invalidProof("The proof's lifetime (exp - nbf) exceeds 10 minutes.");
  if (payload.nbf > nowSeconds + 300 || payload.exp < nowSeconds) return invalidProof("The proof has expired or is not yet valid.");
  return { ok: true };
}

export function keyCredentialView(certificate: AppCertificate): Record<string, unknown> {
  const x509 = new X509Certificate(certificate.pem!);
  return {
    customKeyIdentifier: x509.fingerprint.replaceAll(":", ""),
    displayName: x509.subject.replace(/\n/g, ", "),
    endDateTime: new Date(x509.validTo).toISOString(),
    key: null,
    keyId: certificate.keyId,
    startDateTime: new Date(x509.validFrom).toISOString(),
    type: "AsymmetricX509Cert",
    usage: "Verify",
  };
}

function findByObjectId(ctx: RequestContext, objectId: string): { tenant: ScenarioTenant; app: ScenarioApp } | undefined {
  for (const tenant of ctx.state.scenario.tenants) {
    const app = tenant.apps.find((candidate) => applicationObjectId(tenant, candidate) === objectId.toLowerCase());
    if (app) return { tenant, app };
  }
  return undefined;
}

async function readJson(ctx: RequestContext): Promise<Record<string, unknown> | null> {
  try {
    const value: unknown = JSON.parse(await readBody(ctx.req));
    return value && typeof value === "object" ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * `POST /v1.0/applications/{id}/addKey` and `/removeKey`. Returns false for any other path so the
 * rest of Graph (and the application-management endpoints) can answer it.
 */
export async function handleApplicationKeys(ctx: RequestContext, segments: string[]): Promise<boolean> {
  const [root, objectId, action, ...rest] = segments;
  if (root !== "applications" || !objectId || (action !== "addKey" && action !== "removeKey") || rest.length > 0) return false;
  if (ctx.record.method !== "POST") {
    sendGraphError(ctx, 405, "Request_BadRequest", "Method not allowed.");
    return true;
  }
  const header = ctx.req.headers.authorization ?? "";
  const token = header.toLowerCase().startsWith("bearer ") ? header.slice(7).trim() : "";
  const nowSeconds = Math.floor(Date.now() / 1000);
  const check = token ? verifyOwnJwt(ctx.signingKey, token, nowSeconds) : ({ ok: false } as const);
  if (!check.ok) {
    sendGraphError(ctx, 401, "InvalidAuthenticationToken", "Access token validation failure.");
    return true;
  }
  const target = findByObjectId(ctx, objectId);
  // An app may roll only its own keys: any other object is invisible to it.
  if (!target || check.payload.appid !== target.app.clientId || check.payload.tid !== target.tenant.id) {
    sendGraphError(ctx, 404, "Request_ResourceNotFound", `Resource '${objectId}' does not exist or one of its queried reference-property objects are not present.`);
    return true;
  }
  const body = await readJson(ctx);
  if (!body) {
    sendGraphError(ctx, 400, "BadRequest", "Unable to read JSON request payload.");
    return true;
  }
  const proof = verifyProof(target.tenant, target.app, body.proof, nowSeconds);
  if (!proof.ok) {
    sendGraphError(ctx, proof.status, proof.code, proof.message);
    return true;
  }
  const { settings } = ctx.state.scenario;
  if (action === "addKey") {
    const credential = body.keyCredential as { type?: unknown; usage?: unknown; key?: unknown } | undefined;
    if (!credential || credential.type !== "AsymmetricX509Cert" || credential.usage !== "Verify" || typeof credential.key !== "string") {
      sendGraphError(ctx, 400, "Request_BadRequest", "Invalid value specified for property 'keyCredential' of resource 'Application'.");
      return true;
    }
    let pem: string;
    try {
      pem = new X509Certificate(Buffer.from(credential.key, "base64")).toString();
    } catch {
      sendGraphError(ctx, 400, "Request_BadRequest", "Invalid value specified for property 'key' of resource 'KeyCredential'.");
      return true;
    }
    const thumbprint = new X509Certificate(pem).fingerprint256;
    if (target.app.certificates.some((certificate) => certificate.pem && new X509Certificate(certificate.pem).fingerprint256 === thumbprint)) {
      sendGraphError(ctx, 400, "Request_BadRequest", "The key credential already exists on the application.");
      return true;
    }
    const { keyId } = uploadCertificate(target.app, pem, { replicationSeconds: settings.keyReplicationSeconds ?? 0 });
    const added = target.app.certificates.find((certificate) => certificate.keyId === keyId)!;
    sendJson(ctx, 200, { "@odata.context": `${ctx.origin}/v1.0/$metadata#microsoft.graph.keyCredential`, ...keyCredentialView(added) });
    return true;
  }
  const keyId = typeof body.keyId === "string" ? body.keyId.toLowerCase() : "";
  const index = target.app.certificates.findIndex((certificate) => certificate.keyId === keyId);
  if (index < 0) {
    sendGraphError(ctx, 404, "Request_ResourceNotFound", `No credential with keyId '${keyId}' was found on the application.`);
    return true;
  }
  target.app.certificates.splice(index, 1);
  send(ctx, 204, "");
  return true;
}

/**
 * The scenario API for an admin's upload in the portal: `POST /_scenario/apps/{clientId}/certificates`
 * with the certificate (PEM) as the body. Answers the keyId and the thumbprint Entra would list.
 */
export async function handleScenarioUpload(ctx: RequestContext, segments: string[]): Promise<boolean> {
  const [apps, clientId, certificates, ...rest] = segments;
  if (apps !== "apps" || !clientId || certificates !== "certificates" || rest.length > 0 || ctx.record.method !== "POST") return false;
  const app = ctx.state.scenario.tenants.flatMap((tenant) => tenant.apps).find((candidate) => candidate.clientId === clientId.toLowerCase());
  if (!app) {
    sendJson(ctx, 404, { error: `no app with client id ${clientId}` });
    return true;
  }
  try {
    sendJson(ctx, 200, uploadCertificate(app, await readBody(ctx.req, 64 * 1024)));
  } catch {
    sendJson(ctx, 400, { error: "the body is not a PEM certificate" });
  }
  return true;
}
