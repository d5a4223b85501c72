import { addMonths, DEFAULT_VALIDITY_MONTHS, MAX_VALIDITY_MONTHS } from "@/lib/crypto/certificates";
import { isoDurationDays } from "@/lib/provisioning/preflight";

/**
 * How long a certificate the console makes is valid: what the admin chose (12 months unless they
 * chose otherwise, 1 to 24), and never longer than the tenant's app-management policy allows for a
 * certificate (`asymmetricKeyLifetime`) when the console knows that policy, because Entra refuses a
 * longer one at upload or addKey.
 */

type KeyCredentialRestriction = { restrictionType?: string; state?: string; maxLifetime?: string | null };
export type AppManagementPolicyView = { applicationRestrictions?: { keyCredentials?: KeyCredentialRestriction[] | null } | null } | null | undefined;

const DAY_MS = 86_400_000;

/** The policy's enabled certificate-lifetime limit in days, or undefined when it sets none. */
export function certificateLifetimeLimitDays(policy: AppManagementPolicyView): number | undefined {
  const restriction = (policy?.applicationRestrictions?.keyCredentials ?? []).find(
    (candidate) => candidate.restrictionType === "asymmetricKeyLifetime" && candidate.state !== "disabled" && candidate.maxLifetime,
  );
  return restriction?.maxLifetime ? isoDurationDays(restriction.maxLifetime) : undefined;
}

export type CertificateValidity = { validityMonths: number; maxDays?: number };

/** The admin's choice clamped to 1–24 months, with the policy's cap (in days) when known. */
export function certificateValidity(chosenMonths: number | null | undefined, policyMaxDays: number | null | undefined): CertificateValidity {
  const months = Math.min(Math.max(1, Math.round(chosenMonths ?? DEFAULT_VALIDITY_MONTHS)), MAX_VALIDITY_MONTHS);
  return { validityMonths: months, ...(policyMaxDays && policyMaxDays > 0 ? { maxDays: policyMaxDays } : {}) };
}

/**
 * The months a certificate the console made was chosen for, read back from its dates (it starts five
 * minutes before it was made): for connections made before the choice was stored.
 */
export function validityMonthsOf(notBefore: Date, notAfter: Date): number {
  const made = new Date(notBefore.getTime() + 5 * 60_000);
  let months = 1;
  while (months < MAX_VALIDITY_MONTHS && addMonths(made, months + 1).getTime() <= notAfter.getTime() + DAY_MS) months += 1;
  return months;
}
