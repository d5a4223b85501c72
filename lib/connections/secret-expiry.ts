import { checkReportSchema } from "@/lib/checks/schema";

/**
 * Microsoft's verdict beats a typed date. When the token endpoint answers AADSTS7000222, the secret
 * has expired whatever expiry date was typed in; every place that shows the expiry says so instead.
 * Pure, so pages and the alert job read it the same way.
 */

export const EXPIRED_SECRET_CODE = "AADSTS7000222";
export const EXPIRED_BY_MICROSOFT = "Expired (Microsoft)";

/** True when the last check run's token check failed because Microsoft says the secret expired. */
export function secretExpiredByMicrosoft(lastReport: unknown): boolean {
  const report = checkReportSchema.safeParse(lastReport);
  return report.success && report.data.checks.some((check) => check.id === "token" && check.status === "fail" && check.code === EXPIRED_SECRET_CODE);
}

/** The expiry as shown: Microsoft's verdict, else the typed date, else nothing known. */
export function secretExpiryText(input: { secretExpiresAt: Date | null; lastReport: unknown }, formatDate: (date: Date) => string): string | null {
  if (secretExpiredByMicrosoft(input.lastReport)) return EXPIRED_BY_MICROSOFT;
  return input.secretExpiresAt ? formatDate(input.secretExpiresAt) : null;
}
