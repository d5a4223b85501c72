import { randomUUID } from "node:crypto";
import type { CheckReport, ScopeMode } from "@/lib/checks/schema";
import { appIds, contosoId, secret } from "@/test-support/check-scenario";
import type { ConnectionState } from "@/lib/connections/state";
import { sealContext, type KeyRing } from "@/lib/crypto/seal";
import type { DbClient } from "@/lib/db/types";

/** Shared by the jobs suites: connections inserted directly (the wizard is not under test here) and canned reports. */

export async function insertConnection(
  db: DbClient,
  ring: KeyRing,
  patch: {
    name?: string;
    tenantId?: string;
    clientId?: string;
    nextCheckAt?: Date;
    checkIntervalMinutes?: number | null;
    secretExpiresAt?: Date | null;
    state?: ConnectionState;
    leaseOwner?: string | null;
    leaseExpiresAt?: Date | null;
    lastReport?: CheckReport;
    scopeMode?: ScopeMode;
    scopeChangedAt?: Date | null;
  } = {},
): Promise<string> {
  const id = randomUUID();
  await db.connection.create({
    data: {
      id,
      name: patch.name ?? `Connection ${id.slice(0, 6)}`,
      kind: "organization",
      cloud: "custom",
      tenant: patch.tenantId ?? contosoId,
      tenantId: patch.tenantId ?? contosoId,
      clientId: patch.clientId ?? appIds.healthy,
      clientSecretSealed: ring.seal(secret, sealContext("connections", "client_secret_sealed", id)),
      secretHint: secret.slice(-4),
      secretExpiresAt: patch.secretExpiresAt ?? null,
      mailboxScope: { kind: "all" },
      state: patch.state ?? "healthy",
      nextCheckAt: patch.nextCheckAt ?? new Date(),
      checkIntervalMinutes: patch.checkIntervalMinutes ?? null,
      leaseOwner: patch.leaseOwner ?? null,
      leaseExpiresAt: patch.leaseExpiresAt ?? null,
      ...(patch.lastReport ? { lastReport: patch.lastReport } : {}),
      scopeMode: patch.scopeMode ?? "all",
      scopeChangedAt: patch.scopeChangedAt ?? null,
    },
    select: { id: true },
  });
  return id;
}

export function cannedReport(kind: "pass" | "fail" | "throttled" | "expired", startedAt = new Date()): CheckReport {
  const check =
    kind === "expired"
      ? ({ id: "token", status: "fail", title: "Client secret expired", detail: "Microsoft says the secret has expired.", code: "AADSTS7000222", durationMs: 1 } as const)
      : kind === "pass"
      ? ({ id: "token", status: "pass", title: "App signed in", detail: "Signed in.", durationMs: 1 } as const)
      : kind === "fail"
        ? ({ id: "token", status: "fail", title: "Client secret is wrong", detail: "Microsoft refused the secret.", code: "AADSTS7000215", durationMs: 1 } as const)
        : ({ id: "directory", status: "fail", title: "Microsoft is throttling requests", detail: "Too many requests.", code: "TooManyRequests", durationMs: 1 } as const);
  return { ok: kind === "pass", cancelled: false, tenantId: contosoId, cloud: "custom", startedAt: startedAt.toISOString(), durationMs: 2, checks: [check] };
}
