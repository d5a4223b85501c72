import type { CheckReport } from "@/lib/checks/schema";

export const connectionStates = ["healthy", "warning", "failing", "needs_reauth", "never_checked"] as const;
export type ConnectionState = (typeof connectionStates)[number];

export const connectionStateLabels: Record<ConnectionState, string> = {
  healthy: "Healthy",
  warning: "Warning",
  failing: "Failing",
  needs_reauth: "Needs re-authentication",
  never_checked: "Never checked",
};

/**
 * Refusals of a mailbox's saved sign-in that only the person can cure, by signing in again: the
 * refresh token expired, went unused, was revoked, or Microsoft now wants MFA, consent or a compliant
 * device. Anything else (an outage, a throttle) is a failure that may pass on its own.
 */
export const REAUTH_CODES: ReadonlySet<string> = new Set([
  "invalid_grant",
  "interaction_required",
  "AADSTS70008",
  "AADSTS700082",
  "AADSTS50173",
  "AADSTS50078",
  "AADSTS50079",
  "AADSTS50076",
  "AADSTS53003",
  "AADSTS65001",
  "no-saved-sign-in",
  // msal finds no refresh token for the current sign-in app (the operator switched apps).
  "no_tokens_found",
]);

export function needsReauthentication(report: Pick<CheckReport, "checks">): boolean {
  return report.checks.some((check) => check.id === "session" && check.status === "fail" && REAUTH_CODES.has(check.code ?? ""));
}

/** The state a check report puts a connection in. */
export function stateFromReport(report: Pick<CheckReport, "ok" | "checks">): ConnectionState {
  if (needsReauthentication(report)) return "needs_reauth";
  if (!report.ok) return "failing";
  return report.checks.some((check) => check.status === "warn") ? "warning" : "healthy";
}

/** Shown instead of the secret: enough to tell two secrets apart, useless to an attacker. */
export function secretHint(secret: string): string {
  return secret.slice(-4);
}
