import type { Check, CheckId, CheckReport, MailboxScope } from "@/lib/checks/schema";

/**
 * One cause, one failure. When the app-only token carries no application permissions at all, admin
 * consent was never granted: the directory and calendar probes would only fail again and send the
 * admin to add permissions that are already on the app. They are skipped as blocked instead.
 *
 * This holds while Calsync's reach comes from Entra consent (tenant-wide, whether it then syncs all
 * users or a list). Connections scoped by Exchange RBAC for Applications legitimately carry no
 * Calendars role in their token; when that mode exists, it answers `false` here and the probes run.
 */
export function probesNeedEntraRoles(scope: MailboxScope): boolean {
  switch (scope.kind) {
    case "all":
    case "list":
      return true;
  }
}

/** The probes that depend on consent and are skipped when it is missing. */
export const consentDependentChecks: readonly CheckId[] = ["directory", "calendar", "calendar-write", "mailbox-scope"];

export function blockedByConsentDetail(): string {
  return "Blocked by: admin consent. This check runs once admin consent is granted; until then it could only fail for the same reason.";
}

/** True when the token has no roles and the connection's mode gets its reach from Entra consent. */
export function consentBlocksProbes(scope: MailboxScope, roles: readonly string[]): boolean {
  return roles.length === 0 && probesNeedEntraRoles(scope);
}

/** Whether a report's failure is missing admin consent (the hand-off to an administrator then applies). */
export function blockedByConsent(report: CheckReport): boolean {
  return report.checks.some((check: Check) => check.id === "permissions" && check.status === "fail" && check.code === "no-roles");
}
