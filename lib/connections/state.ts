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

/** The state a check report puts a connection in. */
export function stateFromReport(report: Pick<CheckReport, "ok" | "checks">): ConnectionState {
  if (!report.ok) return "failing";
  return report.checks.some((check) => check.status === "warn") ? "warning" : "healthy";
}

/** Shown instead of the secret: enough to tell two secrets apart, useless to an attacker. */
export function secretHint(secret: string): string {
  return secret.slice(-4);
}
