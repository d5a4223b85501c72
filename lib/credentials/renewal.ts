import "server-only";
import { randomUUID } from "node:crypto";
import { recordAudit } from "@/lib/audit/audit";
import type { Check, CheckReport } from "@/lib/checks/schema";
import { certificateKeyContext, pendingCertificateKeyContext } from "@/lib/connections/connections";
import { forgetConnectionRead } from "@/lib/connections/read-cache";
import { addKey, removeKey, type KeyCallResult } from "@/lib/credentials/application-keys";
import { certificateValidity, validityMonthsOf } from "@/lib/credentials/certificate-validity";
import { describeCertificate, generateCertificateCredential, type CertificateCredential } from "@/lib/crypto/certificates";
import type { KeyRing } from "@/lib/crypto/seal";
import { Prisma } from "@/lib/db/generated/client";
import type { AppPrismaClient, DbClient } from "@/lib/db/types";
import { resolveCloud } from "@/lib/entra/cloud-config";
import type { Cloud, CloudId } from "@/lib/entra/clouds";
import { createRetryBudget } from "@/lib/entra/http-transport";
import { acquireAppToken } from "@/lib/entra/msal-client";
import { recordCheckRun } from "@/lib/monitoring/check-runs";

/**
 * The console renews the certificates it made, before they expire, with no admin involved:
 *
 *   generated → adding → added → switched → removing → done
 *
 * 1. `generated`: a new key pair and certificate, sealed beside the current one.
 * 2. `generated` already records the keyId the new key gets: addKey passes it in the keyCredential,
 *    so a run that crashed before seeing the answer still knows the id. `adding` is written before
 *    addKey is called, `added` after it answered. A run that finds `adding` cannot know whether
 *    Microsoft added the key, so it asks the token endpoint with the new certificate first and calls
 *    addKey only when that is refused (Entra then refuses a second key with the same id): a crash
 *    never adds a second new key.
 * 3. `added`: a token with the new certificate proves the key works (Microsoft replicates a new key
 *    for a short while and answers AADSTS700027 meanwhile: the run stops and the next one retries).
 * 4. The switch moves the new certificate into place in one update; until then the old one is used.
 * 5. `switched`, then `removing` just before removeKey takes the old certificate out of Entra, with
 *    a proof signed by the new one.
 *
 * Every step is an update guarded by the lease the scheduled checks use, so across instances one
 * runs it at a time, and a crash leaves a connection whose current certificate still works.
 */

export type RenewalStep = "generated" | "adding" | "added" | "switched" | "removing";

export type RenewalOutcome =
  | { outcome: "renewed"; oldThumbprint: string; newThumbprint: string; oldKeyRemoved: boolean }
  | { outcome: "waiting-for-replication" }
  | { outcome: "blocked"; reason: string }
  | { outcome: "lost-lease" }
  | { outcome: "not-due" };

export type RenewalOptions = {
  instanceId: string;
  now?: Date;
  renewDays: number;
  /** Tests hand in fixture keys instead of generating RSA-3072. */
  generateKey?: () => Promise<string | undefined>;
  /** Fault injection for the crash tests: throws after the named step was recorded. */
  crashAfter?: RenewalStep | "add-called" | "removed";
  leaseMs?: number;
};

const DAY_MS = 86_400_000;
export const RENEWAL_LEASE_MS = 5 * 60_000;
export const RENEWAL_BLOCKED_CODE = "certificate-renewal-blocked";

const renewalSelect = {
  id: true,
  name: true,
  cloud: true,
  tenantId: true,
  clientId: true,
  state: true,
  credentialKind: true,
  certificateGenerated: true,
  certificateKeySealed: true,
  certificatePem: true,
  certificateThumbprint: true,
  certificateExpiresAt: true,
  certificateKeyId: true,
  applicationObjectId: true,
  pendingCertificateKeySealed: true,
  pendingCertificatePem: true,
  pendingCertificateKeyId: true,
  renewalStep: true,
  previousCertificateKeyId: true,
  previousCertificateThumbprint: true,
  certificateValidityMonths: true,
  certificatePolicyMaxDays: true,
  lastReport: true,
} as const;

type RenewalRow = Prisma.ConnectionGetPayload<{ select: typeof renewalSelect }>;

export class RenewalCrash extends Error {
  override name = "RenewalCrash";
}

/** Leases certificate connections whose renewal is due or unfinished, like the scheduled checks lease theirs. */
export async function leaseDueRenewals(db: DbClient, options: { instanceId: string; now: Date; renewDays: number; leaseMs?: number; limit: number }): Promise<string[]> {
  const until = new Date(options.now.getTime() + (options.leaseMs ?? RENEWAL_LEASE_MS));
  const dueBefore = new Date(options.now.getTime() + options.renewDays * DAY_MS);
  const rows = await db.$queryRaw<{ id: string }[]>(Prisma.sql`
    UPDATE connections SET lease_owner = ${options.instanceId}, lease_expires_at = ${until}
    WHERE id IN (
      SELECT id FROM connections
      WHERE credential_kind = 'certificate' AND certificate_generated
        AND (renewal_step IS NOT NULL OR certificate_expires_at <= ${dueBefore})
        AND (lease_expires_at IS NULL OR lease_expires_at <= ${options.now})
      ORDER BY certificate_expires_at, id
      LIMIT ${options.limit}
      FOR UPDATE SKIP LOCKED
    )
    RETURNING id`);
  return rows.map((row) => String(row.id));
}

export async function releaseRenewalLease(db: DbClient, id: string, instanceId: string): Promise<void> {
  await db.connection.updateMany({ where: { id, leaseOwner: instanceId }, data: { leaseOwner: null, leaseExpiresAt: null } });
}

type Certificate = { kind: "certificate"; privateKeyPem: string; certificatePem: string; thumbprintSha256: string };

function current(ring: KeyRing, row: RenewalRow): Certificate | null {
  if (!row.certificateKeySealed || !row.certificatePem || !row.certificateThumbprint) return null;
  return { kind: "certificate", privateKeyPem: ring.open(row.certificateKeySealed, certificateKeyContext(row.id)), certificatePem: row.certificatePem, thumbprintSha256: row.certificateThumbprint };
}

function pending(ring: KeyRing, row: RenewalRow): Certificate | null {
  if (!row.pendingCertificateKeySealed || !row.pendingCertificatePem) return null;
  return {
    kind: "certificate",
    privateKeyPem: ring.open(row.pendingCertificateKeySealed, pendingCertificateKeyContext(row.id)),
    certificatePem: row.pendingCertificatePem,
    thumbprintSha256: describeCertificate(row.pendingCertificatePem).thumbprintSha256,
  };
}

async function tokenWorks(cloud: Cloud, row: RenewalRow, credential: Certificate): Promise<{ ok: true } | { ok: false; code: string; description?: string }> {
  const result = await acquireAppToken({
    cloud,
    tenant: row.tenantId,
    clientId: row.clientId,
    credential,
    policy: { signal: AbortSignal.timeout(20_000), retry: createRetryBudget() },
  });
  return result.ok ? { ok: true } : { ok: false, code: result.failure.code, ...(result.failure.description ? { description: result.failure.description } : {}) };
}

function report(row: RenewalRow, now: Date, check: Omit<Check, "id" | "durationMs">): CheckReport {
  return {
    ok: check.status !== "fail",
    cancelled: false,
    tenantId: row.tenantId,
    cloud: row.cloud as CloudId,
    startedAt: now.toISOString(),
    durationMs: 0,
    checks: [{ id: "token", durationMs: 0, ...check }],
  };
}

/**
 * Renewal cannot go on: the connection moves to "warning" with what the admin must do and the days
 * left. Recorded once per cause, not on every tick.
 */
async function block(db: AppPrismaClient, row: RenewalRow, instanceId: string, now: Date, reason: string): Promise<RenewalOutcome> {
  const daysLeft = row.certificateExpiresAt ? Math.max(0, Math.floor((row.certificateExpiresAt.getTime() - now.getTime()) / DAY_MS)) : 0;
  const detail = `${reason} The current certificate expires in ${daysLeft} day${daysLeft === 1 ? "" : "s"}${
    row.certificateExpiresAt ? ` (${row.certificateExpiresAt.toISOString().slice(0, 10)})` : ""
  }; until then the connection keeps working.`;
  const last = row.lastReport as { checks?: { code?: string; detail?: string }[] } | null;
  const already = last?.checks?.some((check) => check.code === RENEWAL_BLOCKED_CODE && check.detail === detail);
  if (!already) {
    await db.$transaction(async (tx) => {
      const { count } = await tx.connection.updateMany({ where: { id: row.id, leaseOwner: instanceId }, data: { leaseOwner: instanceId } });
      if (count === 0) return;
      await recordCheckRun(tx, {
        connectionId: row.id,
        trigger: "renewal",
        report: report(row, now, {
          status: "warn",
          title: "Certificate could not be renewed",
          detail,
          code: RENEWAL_BLOCKED_CODE,
          who: "app-admin",
          fix: { step: "client-secret", text: "Give the connection a new certificate, or enter the application's Object ID so Calsync can renew it." },
        }),
      });
    });
  }
  return { outcome: "blocked", reason };
}

async function step(db: DbClient, row: RenewalRow, instanceId: string, data: Prisma.ConnectionUpdateManyMutationInput): Promise<boolean> {
  const { count } = await db.connection.updateMany({ where: { id: row.id, leaseOwner: instanceId }, data });
  forgetConnectionRead(row.id);
  return count === 1;
}

function crash(options: RenewalOptions, at: NonNullable<RenewalOptions["crashAfter"]>): void {
  if (options.crashAfter === at) throw new RenewalCrash(`injected crash after ${at}`);
}

/** Runs (or resumes) one connection's renewal as far as it can go now. The caller holds the lease. */
export async function renewCertificate(db: AppPrismaClient, ring: KeyRing, id: string, options: RenewalOptions): Promise<RenewalOutcome> {
  const now = options.now ?? new Date();
  const read = () => db.connection.findFirst({ where: { id, leaseOwner: options.instanceId }, select: renewalSelect });
  let row = await read();
  if (!row) return { outcome: "lost-lease" };
  if (row.credentialKind !== "certificate" || !row.certificateGenerated) return { outcome: "not-due" };
  const due = row.certificateExpiresAt !== null && row.certificateExpiresAt.getTime() <= now.getTime() + options.renewDays * DAY_MS;
  if (!row.renewalStep && !due) return { outcome: "not-due" };
  const cloud = resolveCloud(row.cloud as CloudId);
  if (!cloud) return block(db, row, options.instanceId, now, "The connection's cloud is not configured on this server.");
  const old = current(ring, row);
  if (!old) return { outcome: "not-due" };
  if (!row.applicationObjectId) {
    return block(db, row, options.instanceId, now, "Calsync cannot renew the certificate: the application's Object ID is unknown. Enter it (Entra, the app's Overview page, “Object ID”), or upload a new certificate.");
  }
  const app = { cloud, tenant: row.tenantId, clientId: row.clientId, applicationObjectId: row.applicationObjectId };

  if (!row.renewalStep) {
    if (row.certificateExpiresAt && row.certificateExpiresAt <= now) {
      return block(db, row, options.instanceId, now, "Every certificate of the app has expired, so Microsoft accepts no proof for a new one. Generate a new certificate and upload it in Entra.");
    }
    const described = describeCertificate(row.certificatePem!);
    const fresh: CertificateCredential = await generateCertificateCredential({
      commonName: `Calsync Console: ${row.name}`,
      ...certificateValidity(row.certificateValidityMonths ?? validityMonthsOf(described.notBefore, described.expiresAt), row.certificatePolicyMaxDays),
      now,
      ...(options.generateKey ? { privateKeyPem: await options.generateKey() } : {}),
    });
    const written = await step(db, row, options.instanceId, {
      pendingCertificateKeySealed: ring.seal(fresh.privateKeyPem, pendingCertificateKeyContext(row.id)),
      pendingCertificatePem: fresh.certificatePem,
      pendingCertificateKeyId: randomUUID(),
      renewalStep: "generated",
    });
    if (!written) return { outcome: "lost-lease" };
    crash(options, "generated");
    row = (await read())!;
  }

  const next = pending(ring, row);
  if (!next && row.renewalStep !== "switched" && row.renewalStep !== "removing") {
    await step(db, row, options.instanceId, { renewalStep: null });
    return { outcome: "not-due" };
  }

  if (row.renewalStep === "generated" || row.renewalStep === "adding") {
    // Recorded with the generated certificate, before addKey is called: whatever the crash, the run
    // that resumes knows the id the new key was (or will be) added under.
    let keyId = row.pendingCertificateKeyId ?? randomUUID();
    const alreadyAdded = row.renewalStep === "adding" && (await tokenWorks(cloud, row, next!)).ok;
    if (!alreadyAdded) {
      if (!(await step(db, row, options.instanceId, { renewalStep: "adding", pendingCertificateKeyId: keyId }))) return { outcome: "lost-lease" };
      crash(options, "adding");
      const added: KeyCallResult<{ keyId: string }> = await addKey(app, old, next!.certificatePem, keyId);
      crash(options, "add-called");
      if (added.ok) {
        keyId = added.value.keyId;
      } else if (!(row.renewalStep === "adding" && added.code === "Request_BadRequest" && /already exists/i.test(added.message))) {
        // An "already exists" on a resume is the key the crashed run added, under the recorded keyId.
        await step(db, row, options.instanceId, { renewalStep: "generated" });
        return block(db, row, options.instanceId, now, `Microsoft refused to add the new certificate (${added.code}${added.message ? `: ${added.message}` : ""}).`);
      }
    }
    if (!(await step(db, row, options.instanceId, { renewalStep: "added", pendingCertificateKeyId: keyId }))) return { outcome: "lost-lease" };
    crash(options, "added");
    row = (await read())!;
  }

  if (row.renewalStep === "added") {
    const verified = await tokenWorks(cloud, row, next!);
    if (!verified.ok) {
      if (verified.code === "AADSTS700027") return { outcome: "waiting-for-replication" };
      return block(db, row, options.instanceId, now, `The new certificate does not sign in yet (${verified.code}); the current one stays in use.`);
    }
    const renewed = describeCertificate(next!.certificatePem);
    const switched = await db.$transaction(async (tx) => {
      const { count } = await tx.connection.updateMany({
        where: { id: row!.id, leaseOwner: options.instanceId, renewalStep: "added" },
        data: {
          certificateKeySealed: ring.seal(next!.privateKeyPem, certificateKeyContext(row!.id)),
          certificatePem: next!.certificatePem,
          certificateThumbprint: renewed.thumbprintSha256,
          certificateExpiresAt: renewed.expiresAt,
          certificateKeyId: row!.pendingCertificateKeyId,
          previousCertificateKeyId: row!.certificateKeyId,
          previousCertificateThumbprint: row!.certificateThumbprint,
          pendingCertificateKeySealed: null,
          pendingCertificatePem: null,
          pendingCertificateKeyId: null,
          renewalStep: "switched",
        },
      });
      if (count === 0) return false;
      await recordCheckRun(tx, {
        connectionId: row!.id,
        trigger: "renewal",
        report: report(row!, now, {
          status: "pass",
          title: "Certificate renewed",
          detail: `Calsync renewed its certificate: ${row!.certificateThumbprint} → ${renewed.thumbprintSha256} (SHA-256), valid until ${renewed.expiresAt.toISOString().slice(0, 10)}. Microsoft issued a token with the new one before the switch.`,
        }),
      });
      return true;
    });
    forgetConnectionRead(row.id);
    if (!switched) return { outcome: "lost-lease" };
    crash(options, "switched");
    row = (await read())!;
  }

  if (row.renewalStep === "switched" || row.renewalStep === "removing") {
    const now2 = current(ring, row)!;
    let removed = false;
    if (row.previousCertificateKeyId) {
      // "removing" is written first, so a Request_ResourceNotFound after a crash means the earlier
      // call took the key out; on a first call it means Entra has no key under that id.
      const retried = row.renewalStep === "removing";
      if (!retried && !(await step(db, row, options.instanceId, { renewalStep: "removing" }))) return { outcome: "lost-lease" };
      crash(options, "removing");
      const result = await removeKey(app, now2, row.previousCertificateKeyId);
      removed = result.ok || (retried && result.code === "Request_ResourceNotFound");
      if (!result.ok && result.code !== "Request_ResourceNotFound") {
        return block(db, row, options.instanceId, now, `The certificate was renewed, but Microsoft refused to remove the old one (${result.code}). Delete it in Entra.`);
      }
    }
    crash(options, "removed");
    const oldThumbprint = row.previousCertificateThumbprint ?? "";
    await db.$transaction(async (tx) => {
      await tx.connection.updateMany({
        where: { id: row!.id, leaseOwner: options.instanceId },
        data: { renewalStep: null, previousCertificateKeyId: null, previousCertificateThumbprint: null },
      });
      await recordAudit(tx, {
        actor: null,
        action: "connection.renew-certificate",
        target: { type: "connection", id: row!.id, label: row!.name },
        summary: `Calsync renewed the certificate of “${row!.name}”: ${oldThumbprint} → ${row!.certificateThumbprint} (SHA-256); ${
          removed
            ? "the old certificate was removed from the app"
            : row!.previousCertificateKeyId
              ? `delete the old certificate in Entra (Microsoft knows no Certificate ID ${row!.previousCertificateKeyId} on the app)`
              : "delete the old certificate in Entra (its Certificate ID was not known)"
        }`,
      });
    });
    forgetConnectionRead(row.id);
    return { outcome: "renewed", oldThumbprint, newThumbprint: row.certificateThumbprint ?? "", oldKeyRemoved: removed };
  }
  return { outcome: "not-due" };
}

/**
 * One pass of the renewal job: every due or unfinished renewal, one connection at a time. Leases are
 * held until the pass ends, so a renewal that must wait (replication) is not picked again in this pass.
 */
export async function runDueRenewals(db: AppPrismaClient, ring: KeyRing, options: RenewalOptions): Promise<Map<string, RenewalOutcome>> {
  const outcomes = new Map<string, RenewalOutcome>();
  try {
    for (;;) {
      const [id] = await leaseDueRenewals(db, { instanceId: options.instanceId, now: options.now ?? new Date(), renewDays: options.renewDays, limit: 1, ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}) });
      if (!id) return outcomes;
      outcomes.set(id, await renewCertificate(db, ring, id, options));
    }
  } finally {
    for (const id of outcomes.keys()) await releaseRenewalLease(db, id, options.instanceId);
  }
}
