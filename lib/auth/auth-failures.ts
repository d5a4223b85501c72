import "server-only";
import { recordAudit, type AuditActor, type AuditEntry, type AuthFailureAction } from "@/lib/audit/audit";
import type { DbClient } from "@/lib/db/types";
import { log } from "@/lib/log";
import { FAILURE_WINDOW_MINUTES, recordFailure, type FailureBucket } from "@/lib/auth/rate-limit";

type FailureKind = "sign-in" | "setup-code" | "current-password" | "second-factor";

/**
 * Counts a failed authentication in its buckets and records it, and any lockout it starts, in the
 * audit log and the server log, with the client address. Callers describe what was tried in words;
 * nothing typed (a password, a code) is ever passed here.
 */
export async function recordAuthFailure(
  db: DbClient,
  failure: { kind: FailureKind; buckets: FailureBucket[]; actor: AuditActor; target?: AuditEntry["target"]; summary: string; ip: string | null },
  now = new Date(),
): Promise<void> {
  const filled = await recordFailure(db, failure.buckets, now);
  const events: Array<{ action: AuthFailureAction; summary: string }> = [
    { action: `auth.${failure.kind}-failed`, summary: failure.summary },
    ...filled.map((bucket) => ({
      action: `auth.${failure.kind}-locked` as const,
      summary: `Refused for ${FAILURE_WINDOW_MINUTES} minutes after ${bucket.limit} ${bucket.counts}`,
    })),
  ];
  for (const event of events) {
    await recordAudit(db, { actor: failure.actor, action: event.action, target: failure.target, summary: event.summary, ip: failure.ip });
    log.warn(event.summary, { event: event.action, ip: failure.ip ?? "unknown", userId: failure.target?.type === "user" ? failure.target.id : undefined });
  }
}

/** An attempt refused unchecked while its bucket is full or its account is slowed: the server log only. */
export function logRefusedAttempt(kind: FailureKind, ip: string | null): void {
  log.info("Authentication attempt refused while limited", { event: `auth.${kind}-refused`, ip: ip ?? "unknown" });
}
