import { createHash, createPrivateKey, randomUUID, sign } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { addKey, PROOF_AUDIENCE, proofOfPossession, removeKey } from "@/lib/credentials/application-keys";
import { certificateDer, type CertificateCredential } from "@/lib/crypto/certificates";
import { customCloud, type Cloud } from "@/lib/entra/clouds";
import { createRetryBudget } from "@/lib/entra/http-transport";
import { acquireAppToken } from "@/lib/entra/msal-client";
import { applicationObjectId, uploadCertificate } from "@/simulator/application-keys";
import { startSimulator, type Simulator } from "@/simulator/server";
import { fixtureCertificatePair, fixtureKeys } from "@/test-support/certificate-fixtures";
import { appIds, assertSimulatorCaTrusted, contosoId, testScenario } from "@/test-support/check-scenario";
import { testSimulatorStateDir } from "@/test-support/simulator-ca";

/** addKey and removeKey end to end: the console's proof and calls against the simulator's Graph. */

assertSimulatorCaTrusted();

let sim: Simulator;
let cloud: Cloud;
let objectId: string;
let first: CertificateCredential;
let second: CertificateCredential;

const liveApp = () => sim.scenario.tenants[0]!.apps.find((app) => app.clientId === appIds.healthy)!;
const asCredential = (certificate: CertificateCredential) => ({ kind: "certificate" as const, ...certificate });
const app = () => ({ cloud, tenant: contosoId, clientId: appIds.healthy, applicationObjectId: objectId });
const tokenWith = (certificate: CertificateCredential) =>
  acquireAppToken({ cloud, tenant: contosoId, clientId: appIds.healthy, credential: asCredential(certificate), policy: { signal: AbortSignal.timeout(5_000), retry: createRetryBudget() } });

beforeAll(async () => {
  sim = await startSimulator({ scenario: testScenario(), stateDir: testSimulatorStateDir });
  cloud = customCloud({ authorityHost: sim.origin, graphHost: sim.origin });
  [first, second] = await fixtureCertificatePair();
});
afterAll(async () => {
  await sim?.close();
});
afterEach(() => {
  sim.setScenario(testScenario());
});

function withFirstUploaded(replicationSeconds?: number): string {
  const scenario = testScenario();
  if (replicationSeconds !== undefined) scenario.settings = { ...scenario.settings, keyReplicationSeconds: replicationSeconds };
  sim.setScenario(scenario);
  objectId = applicationObjectId(sim.scenario.tenants[0]!, liveApp());
  return uploadCertificate(liveApp(), first.certificatePem).keyId;
}

describe("addKey and removeKey", () => {
  it("adds the new certificate with a proof from the current one, then removes the old one with a proof from the new one", async () => {
    const firstKeyId = withFirstUploaded();
    expect((await tokenWith(second)).ok).toBe(false);
    const chosen = randomUUID();
    const added = await addKey(app(), asCredential(first), second.certificatePem, chosen);
    expect(added).toEqual({ ok: true, value: { keyId: chosen } });
    expect((await tokenWith(second)).ok).toBe(true);
    const removed = await removeKey(app(), asCredential(second), firstKeyId);
    expect(removed.ok).toBe(true);
    expect(liveApp().certificates.map((certificate) => certificate.keyId)).toEqual([added.ok && added.value.keyId]);
    const refused = await tokenWith(first);
    expect(refused.ok === false && refused.failure.code).toBe("AADSTS700027");
  });

  it("keeps the caller's keyId, so a caller that never saw the answer can still remove the key by it", async () => {
    withFirstUploaded();
    const chosen = randomUUID();
    expect((await addKey(app(), asCredential(first), second.certificatePem, chosen)).ok).toBe(true);
    expect(liveApp().certificates.map((certificate) => certificate.keyId)).toContain(chosen);
    expect((await removeKey(app(), asCredential(first), chosen)).ok).toBe(true);
    expect(liveApp().certificates).toHaveLength(1);
  });

  it("refuses a keyId the app already has, and one that is not a GUID", async () => {
    const firstKeyId = withFirstUploaded();
    const taken = await addKey(app(), asCredential(first), second.certificatePem, firstKeyId);
    expect(taken.ok === false && taken.message).toMatch(/already exists/);
    const malformed = await addKey(app(), asCredential(first), second.certificatePem, "not-a-guid");
    expect(malformed.ok === false && malformed.message).toMatch(/keyId/);
    expect(liveApp().certificates).toHaveLength(1);
  });

  it("a new key stays unknown to the token endpoint while it replicates (AADSTS700027)", async () => {
    withFirstUploaded(3600);
    expect((await addKey(app(), asCredential(first), second.certificatePem, randomUUID())).ok).toBe(true);
    const early = await tokenWith(second);
    expect(early.ok === false && early.failure.code).toBe("AADSTS700027");
    expect((await tokenWith(first)).ok).toBe(true);
  });

  it("an app with no valid certificate cannot add a key", async () => {
    withFirstUploaded();
    liveApp().certificates[0]!.expiresAt = "2020-01-01T00:00:00Z";
    const refused = await addKey(app(), asCredential(second), second.certificatePem, randomUUID());
    // The token request itself already fails: the only certificate it has is expired.
    expect(refused.ok).toBe(false);
  });
});

describe("the simulator's proof-of-possession check", () => {
  const post = async (proof: string, body: object = {}) => {
    const token = sim.mintAccessToken({ tenant: contosoId, clientId: appIds.healthy });
    const response = await fetch(`${sim.origin}/v1.0/applications/${objectId}/addKey`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ keyCredential: { type: "AsymmetricX509Cert", usage: "Verify", key: certificateDer(second.certificatePem).toString("base64") }, proof, ...body }),
    });
    return { status: response.status, body: (await response.json()) as { error?: { code: string; message: string }; keyId?: string } };
  };
  const signed = (claims: Record<string, unknown>, key = fixtureKeys.a, certificatePem = first.certificatePem) => {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const input = `${encode({ alg: "RS256", typ: "JWT", x5t: createHash("sha1").update(certificateDer(certificatePem)).digest("base64url") })}.${encode(claims)}`;
    return `${input}.${sign("sha256", Buffer.from(input), createPrivateKey(key)).toString("base64url")}`;
  };
  const now = () => Math.floor(Date.now() / 1000);

  it("accepts the console's proof", async () => {
    withFirstUploaded();
    expect((await post(proofOfPossession(first, objectId))).status).toBe(200);
  });

  it.each([
    ["a bad signature", () => signed({ aud: PROOF_AUDIENCE, iss: objectId, nbf: now(), exp: now() + 600 }, fixtureKeys.c), /signature/],
    ["a wrong aud", () => signed({ aud: "https://graph.microsoft.com", iss: objectId, nbf: now(), exp: now() + 600 }), /audience/],
    ["a wrong iss (the client ID)", () => signed({ aud: PROOF_AUDIENCE, iss: appIds.healthy, nbf: now(), exp: now() + 600 }), /issuer/],
    ["an expired proof", () => signed({ aud: PROOF_AUDIENCE, iss: objectId, nbf: now() - 1200, exp: now() - 600 }), /expired/],
    ["a lifetime over 10 minutes", () => signed({ aud: PROOF_AUDIENCE, iss: objectId, nbf: now(), exp: now() + 601 }), /10 minutes/],
    ["a certificate the app does not have", () => signed({ aud: PROOF_AUDIENCE, iss: objectId, nbf: now(), exp: now() + 600 }, fixtureKeys.b, second.certificatePem), /not a valid certificate/],
  ])("refuses %s", async (_name, proof, message) => {
    withFirstUploaded();
    const answer = await post(proof());
    expect(answer.status).toBe(400);
    expect(answer.body.error?.message).toMatch(message);
    expect(liveApp().certificates).toHaveLength(1);
  });

  it("refuses every proof when the app has no valid certificate", async () => {
    withFirstUploaded();
    liveApp().certificates[0]!.expiresAt = "2020-01-01T00:00:00Z";
    const answer = await post(proofOfPossession(first, objectId));
    expect(answer.body.error?.message).toMatch(/does not have any valid certificate/);
  });
});
