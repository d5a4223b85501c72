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
import { renewalColumnsChange, renewalColumnsSelect, renewalColumnsState } from "@/lib/credentials/renewal-columns";
import { leaseMailboxAppRenewal, MAILBOX_APP_RENEWAL_KEY, mailboxAppRenewalOwner, releaseMailboxAppRenewal } from "@/lib/delegated/delegated-app-renewal";

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
 *
 * The steps are the same for every certificate the console made: a connection's, and the mailbox
 * sign-in app's (`lib/delegated/delegated-app-renewal.ts`). Each owner says how its row is read,
 * written and reported through a `RenewalOwner`.
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

/** What renewal needs of a certificate's owner, in one shape whatever table holds it. */
export type RenewalState = {
  name: string;
  cloud: string;
  tenantId: string;
  clientId: string;
  generated: boolean;
  keySealed: string | null;
  certificatePem: string | null;
  thumbprint: string | null;
  expiresAt: Date | null;
  keyId: string | null;
  applicationObjectId: string | null;
  pendingKeySealed: string | null;
  pendingCertificatePem: string | null;
  pendingKeyId: string | null;
  renewalStep: RenewalStep | null;
  previousKeyId: string | null;
  previousThumbprint: string | null;
  validityMonths: number | null;
  policyMaxDays: number | null;
};

/** The renewal columns a step writes. */
export type RenewalChange = Partial<Pick<RenewalState, "pendingKeySealed" | "pendingCertificatePem" | "pendingKeyId" | "renewalStep" | "previousKeyId" | "previousThumbprint">>;

/** The switch: the new certificate becomes the current one. */
export type RenewalSwitch = RenewalChange & { keySealed: string; certificatePem: string; thumbprint: string; expiresAt: Date; keyId: string | null };

type Tx = DbClient;

/**
 * One certificate's owner. Every read and write is guarded by the lease the caller holds; `switch`
 * also by the step being `added`, so a certificate changed meanwhile is never overwritten.
 */
export type RenewalOwner = {
  /** The key of the run's outcome map. */
  key: string;
  keyContext: string;
  pendingKeyContext: string;
  /** The subject's common name: it names the console and what the certificate is for. */
  commonName: (state: RenewalState) => string;
  read: (db: DbClient) => Promise<RenewalState | null>;
  update: (db: DbClient, change: RenewalChange) => Promise<boolean>;
  switch: (tx: Tx, change: RenewalSwitch) => Promise<boolean>;
  /** The switch proven, inside its transaction (a connection's timeline entry). */
  switched: (tx: Tx, state: RenewalState, now: Date, detail: string) => Promise<void>;
  /** Renewal cannot go on: tell the admin `detail`, once per cause. */
  blocked: (db: AppPrismaClient, state: RenewalState, now: Date, detail: string) => Promise<void>;
  audit: { action: string; target: { type: string; id: string; label: string }; subject: (state: RenewalState) => string };
  /** What keeps working until the current certificate expires, for the block message. */
  meanwhile: string;
  forget: () => void;
};

const connectionSelect = {
  ...renewalColumnsSelect,
  id: true,
  name: true,
  cloud: true,
  tenantId: true,
  clientId: true,
  credentialKind: true,
  certificateKeySealed: true,
  certificateThumbprint: true,
  certificateExpiresAt: true,
  certificatePolicyMaxDays: true,
  lastReport: true,
} as const;

type ConnectionRow = Prisma.ConnectionGetPayload<{ select: typeof connectionSelect }>;

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

/** Why renewal stopped, the days left, and what keeps working meanwhile. */
function renewalBlockedDetail(reason: string, expiresAt: Date | null, now: Date, meanwhile: string): string {
  const daysLeft = expiresAt ? Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / DAY_MS)) : 0;
  return `${reason} The current certificate expires in ${daysLeft} day${daysLeft === 1 ? "" : "s"}${
    expiresAt ? ` (${expiresAt.toISOString().slice(0, 10)})` : ""
  }; until then ${meanwhile}.`;
}

function connectionReport(row: Pick<ConnectionRow, "tenantId" | "cloud">, now: Date, check: Omit<Check, "id" | "durationMs">): CheckReport {
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

/** A connection as a renewal owner: its timeline records the switch and any block. */
export function connectionRenewalOwner(id: string, instanceId: string): RenewalOwner {
  let lastReport: unknown = null;
  const leased = { id, leaseOwner: instanceId };
  return {
    key: id,
    keyContext: certificateKeyContext(id),
    pendingKeyContext: pendingCertificateKeyContext(id),
    commonName: (state) => `Calsync Console: ${state.name}`,
    async read(db) {
      const row = await db.connection.findFirst({ where: leased, select: connectionSelect });
      if (!row) return null;
      lastReport = row.lastReport;
      return {
        ...renewalColumnsState(row),
        name: row.name,
        cloud: row.cloud,
        tenantId: row.tenantId,
        clientId: row.clientId,
        generated: row.credentialKind === "certificate" && row.certificateGenerated,
        keySealed: row.certificateKeySealed,
        thumbprint: row.certificateThumbprint,
        expiresAt: row.certificateExpiresAt,
        policyMaxDays: row.certificatePolicyMaxDays,
      };
    },
    async update(db, change) {
      const { count } = await db.connection.updateMany({ where: leased, data: renewalColumnsChange(change) });
      forgetConnectionRead(id);
      return count === 1;
    },
    async switch(tx, change) {
      const { count } = await tx.connection.updateMany({
        where: { ...leased, renewalStep: "added" },
        data: {
          ...renewalColumnsChange(change),
          certificateKeySealed: change.keySealed,
          certificatePem: change.certificatePem,
          certificateThumbprint: change.thumbprint,
          certificateExpiresAt: change.expiresAt,
          certificateKeyId: change.keyId,
        },
      });
      return count === 1;
    },
    async switched(tx, state, now, detail) {
      await recordCheckRun(tx, { connectionId: id, trigger: "renewal", report: connectionReport(state, now, { status: "pass", title: "Certificate renewed", detail }) });
    },
    async blocked(db, state, now, detail) {
      const last = lastReport as { checks?: { code?: string; detail?: string }[] } | null;
      if (last?.checks?.some((check) => check.code === RENEWAL_BLOCKED_CODE && check.detail === detail)) return;
      await db.$transaction(async (tx) => {
        const { count } = await tx.connection.updateMany({ where: leased, data: { leaseOwner: instanceId } });
        if (count === 0) return;
        await recordCheckRun(tx, {
          connectionId: id,
          trigger: "renewal",
          report: connectionReport(state, now, {
            status: "warn",
            title: "Certificate could not be renewed",
            detail,
            code: RENEWAL_BLOCKED_CODE,
            who: "app-admin",
            fix: { step: "client-secret", text: "Give the connection a new certificate, or enter the application's Object ID so Calsync can renew it." },
          }),
        });
      });
    },
    audit: { action: "connection.renew-certificate", target: { type: "connection", id, label: "" }, subject: (state) => `“${state.name}”` },
    meanwhile: "the connection keeps working",
    forget: () => forgetConnectionRead(id),
  };
}

type Certificate = { kind: "certificate"; privateKeyPem: string; certificatePem: string; thumbprintSha256: string };

function current(ring: KeyRing, owner: RenewalOwner, state: RenewalState): Certificate | null {
  if (!state.keySealed || !state.certificatePem || !state.thumbprint) return null;
  return { kind: "certificate", privateKeyPem: ring.open(state.keySealed, owner.keyContext), certificatePem: state.certificatePem, thumbprintSha256: state.thumbprint };
}

function pending(ring: KeyRing, owner: RenewalOwner, state: RenewalState): Certificate | null {
  if (!state.pendingKeySealed || !state.pendingCertificatePem) return null;
  return {
    kind: "certificate",
    privateKeyPem: ring.open(state.pendingKeySealed, owner.pendingKeyContext),
    certificatePem: state.pendingCertificatePem,
    thumbprintSha256: describeCertificate(state.pendingCertificatePem).thumbprintSha256,
  };
}

async function tokenWorks(cloud: Cloud, state: RenewalState, credential: Certificate): Promise<{ ok: true } | { ok: false; code: string; description?: string }> {
  const result = await acquireAppToken({
    cloud,
    tenant: state.tenantId,
    clientId: state.clientId,
    credential,
    policy: { signal: AbortSignal.timeout(20_000), retry: createRetryBudget() },
  });
  return result.ok ? { ok: true } : { ok: false, code: result.failure.code, ...(result.failure.description ? { description: result.failure.description } : {}) };
}

/** Renewal cannot go on: the owner warns with what the admin must do and the days left. */
async function block(db: AppPrismaClient, owner: RenewalOwner, state: RenewalState, now: Date, reason: string): Promise<RenewalOutcome> {
  await owner.blocked(db, state, now, renewalBlockedDetail(reason, state.expiresAt, now, owner.meanwhile));
  return { outcome: "blocked", reason };
}

function crash(options: RenewalOptions, at: NonNullable<RenewalOptions["crashAfter"]>): void {
  if (options.crashAfter === at) throw new RenewalCrash(`injected crash after ${at}`);
}

/** Runs (or resumes) one connection's renewal as far as it can go now. The caller holds the lease. */
export function renewCertificate(db: AppPrismaClient, ring: KeyRing, id: string, options: RenewalOptions): Promise<RenewalOutcome> {
  return renewOwnerCertificate(db, ring, connectionRenewalOwner(id, options.instanceId), options);
}

/** Runs (or resumes) one owner's renewal as far as it can go now. The caller holds the owner's lease. */
export async function renewOwnerCertificate(db: AppPrismaClient, ring: KeyRing, owner: RenewalOwner, options: RenewalOptions): Promise<RenewalOutcome> {
  const now = options.now ?? new Date();
  const read = () => owner.read(db);
  let row = await read();
  if (!row) return { outcome: "lost-lease" };
  if (!row.generated) return { outcome: "not-due" };
  const due = row.expiresAt !== null && row.expiresAt.getTime() <= now.getTime() + options.renewDays * DAY_MS;
  if (!row.renewalStep && !due) return { outcome: "not-due" };
  const cloud = resolveCloud(row.cloud as CloudId);
  if (!cloud) return block(db, owner, row, now, "The connection's cloud is not configured on this server.");
  const old = current(ring, owner, row);
  if (!old) return { outcome: "not-due" };
  if (!row.applicationObjectId) {
    return block(db, owner, row, now, "Calsync cannot renew the certificate: the application's Object ID is unknown. Enter it (Entra, the app's Overview page, “Object ID”), or upload a new certificate.");
  }
  const app = { cloud, tenant: row.tenantId, clientId: row.clientId, applicationObjectId: row.applicationObjectId };

  if (!row.renewalStep) {
    if (row.expiresAt && row.expiresAt <= now) {
      return block(db, owner, row, now, "Every certificate of the app has expired, so Microsoft accepts no proof for a new one. Generate a new certificate and upload it in Entra.");
    }
    const described = describeCertificate(row.certificatePem!);
    const fresh: CertificateCredential = await generateCertificateCredential({
      commonName: owner.commonName(row),
      ...certificateValidity(row.validityMonths ?? validityMonthsOf(described.notBefore, described.expiresAt), row.policyMaxDays),
      now,
      ...(options.generateKey ? { privateKeyPem: await options.generateKey() } : {}),
    });
    const written = await owner.update(db, {
      pendingKeySealed: ring.seal(fresh.privateKeyPem, owner.pendingKeyContext),
      pendingCertificatePem: fresh.certificatePem,
      pendingKeyId: randomUUID(),
      renewalStep: "generated",
    });
    if (!written) return { outcome: "lost-lease" };
    crash(options, "generated");
    row = (await read())!;
  }

  const next = pending(ring, owner, row);
  if (!next && row.renewalStep !== "switched" && row.renewalStep !== "removing") {
    await owner.update(db, { renewalStep: null });
    return { outcome: "not-due" };
  }

  if (row.renewalStep === "generated" || row.renewalStep === "adding") {
    // Recorded with the generated certificate, before addKey is called: whatever the crash, the run
    // that resumes knows the id the new key was (or will be) added under.
    let keyId = row.pendingKeyId ?? randomUUID();
    const alreadyAdded = row.renewalStep === "adding" && (await tokenWorks(cloud, row, next!)).ok;
    if (!alreadyAdded) {
      if (!(await owner.update(db, { renewalStep: "adding", pendingKeyId: keyId }))) return { outcome: "lost-lease" };
      crash(options, "adding");
      const added: KeyCallResult<{ keyId: string }> = await addKey(app, old, next!.certificatePem, keyId);
      crash(options, "add-called");
      if (added.ok) {
        keyId = added.value.keyId;
      } else if (!(row.renewalStep === "adding" && added.code === "Request_BadRequest" && /already exists/i.test(added.message))) {
        // An "already exists" on a resume is the key the crashed run added, under the recorded keyId.
        await owner.update(db, { renewalStep: "generated" });
        return block(db, owner, row, now, `Microsoft refused to add the new certificate (${added.code}${added.message ? `: ${added.message}` : ""}).`);
      }
    }
    if (!(await owner.update(db, { renewalStep: "added", pendingKeyId: keyId }))) return { outcome: "lost-lease" };
    crash(options, "added");
    row = (await read())!;
  }

  if (row.renewalStep === "added") {
    const verified = await tokenWorks(cloud, row, next!);
    if (!verified.ok) {
      if (verified.code === "AADSTS700027") return { outcome: "waiting-for-replication" };
      return block(db, owner, row, now, `The new certificate does not sign in yet (${verified.code}); the current one stays in use.`);
    }
    const renewed = describeCertificate(next!.certificatePem);
    const before = row;
    const switched = await db.$transaction(async (tx) => {
      const done = await owner.switch(tx, {
        keySealed: ring.seal(next!.privateKeyPem, owner.keyContext),
        certificatePem: next!.certificatePem,
        thumbprint: renewed.thumbprintSha256,
        expiresAt: renewed.expiresAt,
        keyId: before.pendingKeyId,
        previousKeyId: before.keyId,
        previousThumbprint: before.thumbprint,
        pendingKeySealed: null,
        pendingCertificatePem: null,
        pendingKeyId: null,
        renewalStep: "switched",
      });
      if (!done) return false;
      await owner.switched(
        tx,
        before,
        now,
        `Calsync renewed its certificate: ${before.thumbprint} → ${renewed.thumbprintSha256} (SHA-256), valid until ${renewed.expiresAt.toISOString().slice(0, 10)}. Microsoft issued a token with the new one before the switch.`,
      );
      return true;
    });
    owner.forget();
    if (!switched) return { outcome: "lost-lease" };
    crash(options, "switched");
    row = (await read())!;
  }

  if (row.renewalStep === "switched" || row.renewalStep === "removing") {
    const now2 = current(ring, owner, row)!;
    let removed = false;
    if (row.previousKeyId) {
      // "removing" is written first, so a Request_ResourceNotFound after a crash means the earlier
      // call took the key out; on a first call it means Entra has no key under that id.
      const retried = row.renewalStep === "removing";
      if (!retried && !(await owner.update(db, { renewalStep: "removing" }))) return { outcome: "lost-lease" };
      crash(options, "removing");
      const result = await removeKey(app, now2, row.previousKeyId);
      removed = result.ok || (retried && result.code === "Request_ResourceNotFound");
      if (!result.ok && result.code !== "Request_ResourceNotFound") {
        return block(db, owner, row, now, `The certificate was renewed, but Microsoft refused to remove the old one (${result.code}). Delete it in Entra.`);
      }
    }
    crash(options, "removed");
    const oldThumbprint = row.previousThumbprint ?? "";
    const finished = row;
    const recorded = await db.$transaction(async (tx) => {
      // Another instance or an admin's save took the row meanwhile: it says what happened, not this run.
      if (!(await owner.update(tx, { renewalStep: null, previousKeyId: null, previousThumbprint: null }))) return false;
      await recordAudit(tx, {
        actor: null,
        action: owner.audit.action,
        target: { ...owner.audit.target, label: owner.audit.target.label || finished.name },
        summary: `Calsync renewed the certificate of ${owner.audit.subject(finished)}: ${oldThumbprint} → ${finished.thumbprint} (SHA-256); ${
          removed
            ? "the old certificate was removed from the app"
            : finished.previousKeyId
              ? `delete the old certificate in Entra (Microsoft knows no Certificate ID ${finished.previousKeyId} on the app)`
              : "delete the old certificate in Entra (its Certificate ID was not known)"
        }`,
      });
      return true;
    });
    if (!recorded) return { outcome: "lost-lease" };
    owner.forget();
    return { outcome: "renewed", oldThumbprint, newThumbprint: row.thumbprint ?? "", oldKeyRemoved: removed };
  }
  return { outcome: "not-due" };
}

/**
 * One pass of the renewal job: every due or unfinished renewal, one connection at a time, then the
 * mailbox sign-in app's. Leases are held until the pass ends, so a renewal that must wait
 * (replication) is not picked again in this pass.
 */
export async function runDueRenewals(db: AppPrismaClient, ring: KeyRing, options: RenewalOptions): Promise<Map<string, RenewalOutcome>> {
  const outcomes = new Map<string, RenewalOutcome>();
  const leased = new Set<string>();
  // Each lease counts from when it is taken: one taken at the start of a long pass could expire before its renewal begins.
  const lease = () => ({ instanceId: options.instanceId, now: options.now ?? new Date(), renewDays: options.renewDays, ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}) });
  try {
    for (;;) {
      const [id] = await leaseDueRenewals(db, { ...lease(), limit: 1 });
      if (!id) break;
      leased.add(id);
      outcomes.set(id, await renewCertificate(db, ring, id, options));
    }
    if (await leaseMailboxAppRenewal(db, lease())) {
      leased.add(MAILBOX_APP_RENEWAL_KEY);
      outcomes.set(MAILBOX_APP_RENEWAL_KEY, await renewOwnerCertificate(db, ring, mailboxAppRenewalOwner(options.instanceId), options));
    }
    return outcomes;
  } finally {
    // Also the lease of a renewal that threw: the next pass need not wait for it to expire.
    for (const id of leased) {
      if (id === MAILBOX_APP_RENEWAL_KEY) await releaseMailboxAppRenewal(db, options.instanceId);
      else await releaseRenewalLease(db, id, options.instanceId);
    }
  }
}
