import { describe, expect, it } from "vitest";
import { certificateLifetimeLimitDays, certificateValidity, validityMonthsOf } from "@/lib/credentials/certificate-validity";
import { generateCertificateCredential } from "@/lib/crypto/certificates";
import { fixtureKeys } from "@/test-support/certificate-fixtures";

describe("certificate validity", () => {
  it("reads the tenant policy's certificate lifetime limit, ignoring disabled and password restrictions", () => {
    expect(certificateLifetimeLimitDays({ applicationRestrictions: { keyCredentials: [{ restrictionType: "asymmetricKeyLifetime", state: "enabled", maxLifetime: "P90D" }] } })).toBe(90);
    expect(certificateLifetimeLimitDays({ applicationRestrictions: { keyCredentials: [{ restrictionType: "asymmetricKeyLifetime", state: "disabled", maxLifetime: "P90D" }] } })).toBeUndefined();
    expect(certificateLifetimeLimitDays({ applicationRestrictions: { keyCredentials: [] } })).toBeUndefined();
    expect(certificateLifetimeLimitDays(null)).toBeUndefined();
  });

  it("takes the admin's choice within 1–24 months, 12 when none, and adds the policy's cap when known", () => {
    expect(certificateValidity(undefined, undefined)).toEqual({ validityMonths: 12 });
    expect(certificateValidity(6, null)).toEqual({ validityMonths: 6 });
    expect(certificateValidity(40, undefined)).toEqual({ validityMonths: 24 });
    expect(certificateValidity(0, 90)).toEqual({ validityMonths: 1, maxDays: 90 });
  });

  it("a generated certificate ends at the chosen months or the policy's cap, whichever comes first", async () => {
    const now = new Date("2026-12-02T00:00:00Z");
    const chosen = await generateCertificateCredential({ commonName: "x", now, privateKeyPem: fixtureKeys.a, ...certificateValidity(6, 365) });
    expect(chosen.expiresAt.toISOString()).toBe("2027-06-02T00:00:00.000Z");
    const capped = await generateCertificateCredential({ commonName: "x", now, privateKeyPem: fixtureKeys.a, ...certificateValidity(12, 90) });
    expect(capped.expiresAt.toISOString()).toBe("2027-03-01T23:55:00.000Z");
  });

  it("reads the chosen months back from a generated certificate's dates", async () => {
    for (const months of [1, 6, 12, 24]) {
      const credential = await generateCertificateCredential({ commonName: "x", validityMonths: months, privateKeyPem: fixtureKeys.b });
      expect(validityMonthsOf(credential.notBefore, credential.expiresAt)).toBe(months);
    }
  });
});
