import type { Check, CheckId, CheckReport, ScopeMode } from "@/lib/checks/schema";

/**
 * One cause, one failure. When the app-only token carries no application permissions at all, admin
 * consent was never granted: the directory and calendar probes would only fail again and send the
 * admin to add permissions that are already on the app. They are skipped as blocked instead.
 *
 * This holds only while Calsync's reach comes from tenant-wide Entra consent (issue 15 §1: the rule
 * is for "all mailboxes"). Connections scoped by Exchange RBAC for Applications legitimately carry no
 * Calendars role, and under an access policy the probes explain the missing grant themselves.
 */
export function probesNeedEntraRoles(mode: ScopeMode): boolean {
  return mode === "all";
}

/** The probes that depend on consent and are skipped when it is missing. */
export const consentDependentChecks: readonly CheckId[] = ["directory", "calendar", "calendar-write", "mailbox-scope"];

export function blockedByConsentDetail(): string {
  return "Blocked by: admin consent. This check runs once admin consent is granted; until then it could only fail for the same reason.";
}

/** True when the token has no roles and the connection's mode gets its reach from Entra consent. */
export function consentBlocksProbes(mode: ScopeMode, roles: readonly string[]): boolean {
  return roles.length === 0 && probesNeedEntraRoles(mode);
}

/** Whether a report's failure is missing admin consent (the hand-off to an administrator then applies). */
export function blockedByConsent(report: CheckReport): boolean {
  return report.checks.some((check: Check) => check.id === "permissions" && check.status === "fail" && check.code === "no-roles");
}
