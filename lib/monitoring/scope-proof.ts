import type { CheckReport, ScopeMode } from "@/lib/checks/schema";

/**
 * Whether a connection's mailbox scope is proven: the in-scope mailbox answered (calendar) and the
 * out-of-scope one was refused (mailbox-scope). Pure: the status board and the connection page show it.
 */

export type ScopeProof =
  | { scoped: false; label: "All mailboxes" }
  | { scoped: true; status: "proven" | "propagating" | "not-proven"; label: string; reason?: string };

export function scopeProof(mode: ScopeMode, report: Pick<CheckReport, "checks"> | null): ScopeProof {
  if (mode === "all") return { scoped: false, label: "All mailboxes" };
  const notProven = (reason: string): ScopeProof => ({ scoped: true, status: "not-proven", label: "Scoped: not proven", reason });
  if (!report) return notProven("not checked yet");
  const byId = (id: string) => report.checks.find((check) => check.id === id);
  if (report.checks.some((check) => check.code === "scope-propagating")) {
    return { scoped: true, status: "propagating", label: "Scoped: propagating", reason: "Exchange applies scope changes within 2 hours" };
  }
  const trap = report.checks.find((check) => check.code === "scope-union-trap");
  if (trap) return notProven(trap.title);
  const inside = byId("calendar");
  const outside = byId("mailbox-scope");
  if (inside?.status !== "pass") return notProven(inside ? `in-scope mailbox: ${inside.title}` : "no in-scope mailbox was read");
  if (!outside || outside.status === "skip") return notProven("no out-of-scope mailbox to test; name one in the settings");
  if (outside.status !== "pass") return notProven(`out-of-scope mailbox: ${outside.title}`);
  return { scoped: true, status: "proven", label: "Scoped: proven" };
}

/** One line for a table cell or a badge's neighbour. */
export function scopeProofText(proof: ScopeProof): string {
  return proof.scoped && proof.reason ? `${proof.label} (${proof.reason})` : proof.label;
}
