import type { RenewalChange, RenewalState, RenewalStep } from "@/lib/credentials/renewal";

/**
 * The renewal columns that every table owning a console-made certificate has under the same names
 * (connections, the mailbox sign-in app), read and written the same way. A module of its own, so the
 * owners can use them while the renewal job imports the owners.
 */

/** The renewal columns every owner's table has, under the same names. */
export const renewalColumnsSelect = {
  certificatePem: true,
  certificateKeyId: true,
  applicationObjectId: true,
  certificateGenerated: true,
  certificateValidityMonths: true,
  pendingCertificateKeySealed: true,
  pendingCertificatePem: true,
  pendingCertificateKeyId: true,
  renewalStep: true,
  previousCertificateKeyId: true,
  previousCertificateThumbprint: true,
} as const;

type RenewalColumns = { [K in keyof typeof renewalColumnsSelect]: K extends "certificateGenerated" ? boolean : K extends "certificateValidityMonths" ? number | null : string | null };

/** The part of a RenewalState those shared columns give. */
export function renewalColumnsState(row: RenewalColumns): Omit<RenewalState, "name" | "cloud" | "tenantId" | "clientId" | "generated" | "keySealed" | "thumbprint" | "expiresAt" | "policyMaxDays"> {
  return {
    certificatePem: row.certificatePem,
    keyId: row.certificateKeyId,
    applicationObjectId: row.applicationObjectId,
    pendingKeySealed: row.pendingCertificateKeySealed,
    pendingCertificatePem: row.pendingCertificatePem,
    pendingKeyId: row.pendingCertificateKeyId,
    renewalStep: row.renewalStep as RenewalStep | null,
    previousKeyId: row.previousCertificateKeyId,
    previousThumbprint: row.previousCertificateThumbprint,
    validityMonths: row.certificateValidityMonths,
  };
}

/** A step's change as those shared columns. */
export function renewalColumnsChange(change: RenewalChange): Partial<Pick<RenewalColumns, "pendingCertificateKeySealed" | "pendingCertificatePem" | "pendingCertificateKeyId" | "renewalStep" | "previousCertificateKeyId" | "previousCertificateThumbprint">> {
  return {
    ...("pendingKeySealed" in change ? { pendingCertificateKeySealed: change.pendingKeySealed } : {}),
    ...("pendingCertificatePem" in change ? { pendingCertificatePem: change.pendingCertificatePem } : {}),
    ...("pendingKeyId" in change ? { pendingCertificateKeyId: change.pendingKeyId } : {}),
    ...("renewalStep" in change ? { renewalStep: change.renewalStep } : {}),
    ...("previousKeyId" in change ? { previousCertificateKeyId: change.previousKeyId } : {}),
    ...("previousThumbprint" in change ? { previousCertificateThumbprint: change.previousThumbprint } : {}),
  };
}
