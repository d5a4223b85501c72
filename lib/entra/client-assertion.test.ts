import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runChecks } from "@/lib/checks/run-checks";
import type { CheckInput } from "@/lib/checks/schema";
import type { CertificateCredential } from "@/lib/crypto/certificates";
import { ASSERTION_LIFETIME_SECONDS, clientAssertions, createAssertionCache, type AssertionCertificate } from "@/lib/entra/client-assertion";
import { customCloud, type Cloud } from "@/lib/entra/clouds";
import { createRetryBudget } from "@/lib/entra/http-transport";
import { acquireAppToken } from "@/lib/entra/msal-client";
import { decodeJwt, verifyClientAssertion } from "@/simulator/jwt";
import { startSimulator, type Simulator } from "@/simulator/server";
import { fixtureCertificatePair, fixtureKeys, pemBody } from "@/test-support/certificate-fixtures";
import { appIds, assertSimulatorCaTrusted, benchAppId, contosoId, testScenario } from "@/test-support/check-scenario";
import { testSimulatorStateDir } from "@/test-support/simulator-ca";

/**
 * The per-credential assertion cache: one RSA signature serves a credential's token requests for
 * minutes, yet every validation still reaches the token endpoint, and a changed or broken
 * credential never rides on an assertion signed for another one.
 */

assertSimulatorCaTrusted();

let sim: Simulator;
let cloud: Cloud;
let first: CertificateCredential;
let second: CertificateCredential;

const endpoint = "https://login.example.test/contoso/oauth2/v2.0/token";
const credential = (certificate: AssertionCertificate) => ({ kind: "certificate" as const, ...certificate });
const tokenRequests = () => sim.requests.filter((request) => request.path.endsWith("/oauth2/v2.0/token"));

function uploadOn(clientIds: string[], ...certificates: CertificateCredential[]): void {
  const scenario = testScenario(20);
  for (const app of scenario.tenants[0]!.apps ?? []) {
    if (clientIds.includes(app.clientId)) app.certificates = certificates.map((certificate) => ({ pem: certificate.certificatePem }));
  }
  sim.setScenario(scenario);
}

const token = (certificate: AssertionCertificate, clientId: string = appIds.healthy) =>
  acquireAppToken({ cloud, tenant: contosoId, clientId, credential: credential(certificate), policy: { signal: AbortSignal.timeout(5_000), retry: createRetryBudget() } });

beforeAll(async () => {
  sim = await startSimulator({ scenario: testScenario(20), stateDir: testSimulatorStateDir });
  cloud = customCloud({ authorityHost: sim.origin, graphHost: sim.origin });
  [first, second] = await fixtureCertificatePair();
});
afterAll(async () => {
  await sim?.close();
});
afterEach(() => {
  clientAssertions.clear();
  sim.setScenario(testScenario(20));
  sim.clearRequests();
});

describe("the assertion itself", () => {
  it("carries msal's header and claims and passes the token endpoint's checks", async () => {
    const cache = createAssertionCache();
    const assertion = await cache.assertionFor(first, appIds.healthy, endpoint);
    const decoded = decodeJwt(assertion)!;
    expect(decoded.header).toMatchObject({ alg: "PS256", typ: "JWT", "x5t#S256": Buffer.from(first.thumbprintSha256, "hex").toString("base64url"), x5c: [pemBody(first.certificatePem)] });
    expect(decoded.payload).toMatchObject({ aud: endpoint, iss: appIds.healthy, sub: appIds.healthy });
    expect(Number(decoded.payload.exp) - Number(decoded.payload.nbf)).toBe(ASSERTION_LIFETIME_SECONDS);
    const check = (certificates: CertificateCredential[]) =>
      verifyClientAssertion({ assertion, clientId: appIds.healthy, tokenEndpoints: [endpoint], certificates: certificates.map((c) => ({ pem: c.certificatePem })), nowSeconds: Math.floor(Date.now() / 1000) });
    expect(check([first])).toEqual({ ok: true });
    expect(check([second])).toMatchObject({ ok: false, code: 700027 });
  });
});

describe("reuse per credential", () => {
  it("signs once for the same credential, also when twenty requests ask at the same moment", async () => {
    const cache = createAssertionCache();
    const answers = await Promise.all(Array.from({ length: 20 }, () => cache.assertionFor(first, appIds.healthy, endpoint)));
    expect(new Set(answers).size).toBe(1);
    expect(await cache.assertionFor(first, appIds.healthy, endpoint)).toBe(answers[0]);
    expect(cache.signatures).toBe(1);
  });

  it("signs anew for another certificate, another key behind the same certificate, another app or another token endpoint", async () => {
    const cache = createAssertionCache();
    const original = await cache.assertionFor(first, appIds.healthy, endpoint);
    const variants = [
      cache.assertionFor(second, appIds.healthy, endpoint),
      cache.assertionFor({ ...first, privateKeyPem: fixtureKeys.c }, appIds.healthy, endpoint),
      cache.assertionFor(first, appIds.noRoles, endpoint),
      cache.assertionFor(first, appIds.healthy, endpoint.replace("contoso", "fabrikam")),
    ];
    const answers = await Promise.all(variants);
    expect(new Set([original, ...answers]).size).toBe(5);
    expect(cache.signatures).toBe(5);
  });

  it("renews an expired assertion, re-signs a half-spent one in the background, and keeps handing out only valid ones", async () => {
    let now = Date.parse("2026-12-02T05:00:00Z");
    const cache = createAssertionCache({ now: () => now });
    const stillValidAt = (assertion: string) =>
      verifyClientAssertion({ assertion, clientId: appIds.healthy, tokenEndpoints: [endpoint], certificates: [{ pem: first.certificatePem }], nowSeconds: Math.floor(now / 1000) }).ok;

    const original = await cache.assertionFor(first, appIds.healthy, endpoint);
    now += 4 * 60_000;
    expect(await cache.assertionFor(first, appIds.healthy, endpoint)).toBe(original);
    expect(cache.signatures).toBe(1);

    // Past half its life: still answered with the current one while its successor is signed.
    now += 2 * 60_000;
    expect(await cache.assertionFor(first, appIds.healthy, endpoint)).toBe(original);
    expect(cache.signatures).toBe(2);
    const deadline = Date.now() + 5_000;
    let successor = original;
    while (successor === original && Date.now() < deadline) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      successor = await cache.assertionFor(first, appIds.healthy, endpoint);
    }
    expect(successor).not.toBe(original);
    expect(cache.signatures).toBe(2);

    // Long past every assertion's end: the cached one is not handed out, a new one is signed and waited for.
    now += 11 * 60_000;
    expect(stillValidAt(successor)).toBe(false);
    const renewed = await cache.assertionFor(first, appIds.healthy, endpoint);
    expect(renewed).not.toBe(successor);
    expect(stillValidAt(renewed)).toBe(true);
    expect(cache.signatures).toBe(3);
  });

  it("stays within its size, dropping the least recently used credential", async () => {
    const cache = createAssertionCache({ maxEntries: 2 });
    const a = await cache.assertionFor(first, appIds.healthy, endpoint);
    await cache.assertionFor(second, appIds.healthy, endpoint);
    expect(await cache.assertionFor(first, appIds.healthy, endpoint)).toBe(a);
    await cache.assertionFor(first, appIds.noRoles, endpoint);
    expect(cache.size).toBe(2);
    expect(await cache.assertionFor(first, appIds.healthy, endpoint)).toBe(a);
    await cache.assertionFor(second, appIds.healthy, endpoint);
    expect(cache.signatures).toBe(4);
  });

  it("does not remember a key that cannot sign", async () => {
    const cache = createAssertionCache();
    const broken = { ...first, privateKeyPem: "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n" };
    await expect(cache.assertionFor(broken, appIds.healthy, endpoint)).rejects.toThrow();
    expect(cache.size).toBe(0);
    await expect(cache.assertionFor(broken, appIds.healthy, endpoint)).rejects.toThrow();
    expect(cache.signatures).toBe(2);
  });
});

describe("token requests against the simulator", () => {
  it("reuses one signature across token requests of a credential, yet sends every request to the token endpoint", async () => {
    uploadOn([appIds.healthy], first);
    const before = clientAssertions.signatures;
    for (let index = 0; index < 3; index += 1) expect(await token(first)).toMatchObject({ ok: true });
    expect(clientAssertions.signatures - before).toBe(1);
    expect(tokenRequests()).toHaveLength(3);
  });

  it("fails at once when the certificate is removed from the app, although its assertion is still cached", async () => {
    uploadOn([appIds.healthy], first);
    expect(await token(first)).toMatchObject({ ok: true });
    uploadOn([appIds.healthy]);
    expect(await token(first)).toMatchObject({ ok: false, failure: { code: "AADSTS700027" } });
    expect(tokenRequests()).toHaveLength(2);
  });

  it("does not reuse the old assertion after a renewal to a new certificate", async () => {
    uploadOn([appIds.healthy], first, second);
    expect(await token(first)).toMatchObject({ ok: true });
    const before = clientAssertions.signatures;
    expect(await token(second)).toMatchObject({ ok: true });
    expect(clientAssertions.signatures - before).toBe(1);
    uploadOn([appIds.healthy], second);
    expect(await token(first)).toMatchObject({ ok: false, failure: { code: "AADSTS700027" } });
    expect(await token(second)).toMatchObject({ ok: true });
  });

  it("signs once per app for twenty apps sharing one certificate, then serves them all from the cache", async () => {
    const apps = Array.from({ length: 20 }, (_, index) => benchAppId(index));
    uploadOn(apps, first);
    const before = clientAssertions.signatures;
    for (let round = 0; round < 2; round += 1) {
      const results = await Promise.all(apps.map((clientId) => token(first, clientId)));
      expect(results.every((result) => result.ok)).toBe(true);
    }
    expect(clientAssertions.signatures - before).toBe(20);
    expect(tokenRequests()).toHaveLength(40);
  });
});

describe("validation with a cached assertion for another credential", () => {
  const validate = (certificate: AssertionCertificate) => {
    const input: CheckInput = { cloud: "custom", tenant: contosoId, clientId: appIds.healthy, clientSecret: "", certificate, mailboxScope: { kind: "all" } };
    return runChecks(input, { cloud, timeoutMs: 5_000 });
  };
  const tokenCheck = async (certificate: AssertionCertificate) => (await validate(certificate)).checks.find((check) => check.id === "token");

  it("still fails a certificate whose key does not match, and one that is not on the app", async () => {
    uploadOn([appIds.healthy], first);
    expect(await tokenCheck(first)).toMatchObject({ status: "pass" });
    // The same certificate and thumbprint as the cached one, signed with another key.
    expect(await tokenCheck({ ...first, privateKeyPem: fixtureKeys.b })).toMatchObject({ status: "fail", code: "AADSTS700027" });
    expect(await tokenCheck(second)).toMatchObject({ status: "fail", code: "AADSTS700027" });
    expect(await tokenCheck(first)).toMatchObject({ status: "pass" });
  });
});
