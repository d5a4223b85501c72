import "server-only";
import { randomUUID } from "node:crypto";
import { recordAudit, type AuditActor } from "@/lib/audit/audit";
import { checkReportSchema, mailboxScopeSchema, scopeModeSchema, type CheckInput, type CheckReport, type MailboxScope, type ScopeMode } from "@/lib/checks/schema";
import { nextCheckTime, propagationRecheck } from "@/lib/checks/access-denied";
import { secretHint, stateFromReport, type ConnectionState } from "@/lib/connections/state";
import { recordCheckRun } from "@/lib/monitoring/check-runs";
import { forgetConnectionRead } from "@/lib/connections/read-cache";
import type { CertificateCredential } from "@/lib/crypto/certificates";
import { sealContext, type KeyRing } from "@/lib/crypto/seal";
import type { CloudId } from "@/lib/entra/clouds";
import type { AppPrismaClient, DbClient } from "@/lib/db/types";
import { Prisma } from "@/lib/db/generated/client";
import { getEnv } from "@/lib/env";
import { UserFacingError } from "@/lib/errors";

/**
 * The connection aggregate: what the sync engine uses. The client secret is sealed, bound to its row,
 * and opened only by `connectionCheckInput` (for checks) and, later, the engine's credentials API.
 */

export type ConnectionView = {
  id: string;
  name: string;
  kind: "organization" | "mailbox";
  cloud: CloudId;
  tenant: string;
  tenantId: string;
  clientId: string;
  secretHint: string | null;
  secretExpiresAt: Date | null;
  /** Organisation connections: how the app signs in. Mailbox connections keep `secret` (unused). */
  credentialKind: CredentialKind;
  /** SHA-256 thumbprint (hex) of the certificate; null for a secret. */
  certificateThumbprint: string | null;
  /** The certificate's own end date: exact, unlike a secret's typed date. */
  certificateExpiresAt: Date | null;
  certificateGenerated: boolean;
  applicationObjectId: string | null;
  certificateKeyId: string | null;
  mailboxScope: MailboxScope;
  testMailbox: string | null;
  outOfScopeMailbox: string | null;
  writeTest: boolean;
  scopeMode: ScopeMode;
  scopeChangedAt: Date | null;
  consentGrantedAt: Date | null;
  state: ConnectionState;
  stateSince: Date;
  lastCheckedAt: Date | null;
  lastReport: CheckReport | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** Mailbox connections: the Microsoft account and the console member who connected it. */
  accountUpn: string | null;
  owner: { id: string; email: string; displayName: string } | null;
};

const connectionSelect = {
  id: true,
  name: true,
  kind: true,
  cloud: true,
  tenant: true,
  tenantId: true,
  clientId: true,
  secretHint: true,
  secretExpiresAt: true,
  credentialKind: true,
  certificateThumbprint: true,
  certificateExpiresAt: true,
  certificateGenerated: true,
  applicationObjectId: true,
  certificateKeyId: true,
  mailboxScope: true,
  testMailbox: true,
  outOfScopeMailbox: true,
  writeTest: true,
  scopeMode: true,
  scopeChangedAt: true,
  consentGrantedAt: true,
  state: true,
  stateSince: true,
  lastCheckedAt: true,
  lastReport: true,
  version: true,
  createdAt: true,
  updatedAt: true,
  accountUpn: true,
  owner: { select: { id: true, email: true, displayName: true } },
} as const;

type ConnectionRow = Prisma.ConnectionGetPayload<{ select: typeof connectionSelect }>;

function toView(row: ConnectionRow): ConnectionView {
  const report = row.lastReport ? checkReportSchema.safeParse(row.lastReport) : null;
  return {
    ...row,
    cloud: row.cloud as CloudId,
    credentialKind: row.credentialKind === "certificate" ? "certificate" : "secret",
    mailboxScope: mailboxScopeSchema.catch({ kind: "all" }).parse(row.mailboxScope),
    scopeMode: scopeModeSchema.catch("all").parse(row.scopeMode),
    lastReport: report?.success ? report.data : null,
  };
}

function secretContext(connectionId: string): string {
  return sealContext("connections", "client_secret_sealed", connectionId);
}

export function certificateKeyContext(connectionId: string): string {
  return sealContext("connections", "certificate_key_sealed", connectionId);
}

/** Where a certificate on its way in (renewal, or a switch from a secret) keeps its sealed key. */
export function pendingCertificateKeyContext(connectionId: string): string {
  return sealContext("connections", "pending_certificate_key_sealed", connectionId);
}

export type CredentialKind = "secret" | "certificate";

/** A certificate credential on its way into a connection; the private key is sealed on write. */
export type ConnectionCertificate = Pick<CertificateCredential, "privateKeyPem" | "certificatePem" | "thumbprintSha256" | "expiresAt"> & {
  generated: boolean;
  applicationObjectId?: string | null;
  keyId?: string | null;
};

/** What the audit log and the lists say about a credential: never the secret or the key. */
export function credentialLabel(credential: { kind: CredentialKind; secretHint?: string | null; thumbprint?: string | null }): string {
  return credential.kind === "certificate" ? `certificate ${credential.thumbprint?.slice(0, 16) ?? "?"}…` : `secret ending in …${credential.secretHint ?? "?"}`;
}

/** The columns that store a credential; the other kind's columns are cleared. */
function credentialColumns(ring: KeyRing, id: string, input: { clientSecret: string; secretExpiresAt: Date | null; certificate?: ConnectionCertificate | undefined }) {
  if (input.certificate) {
    return {
      credentialKind: "certificate",
      clientSecretSealed: null,
      secretHint: null,
      secretExpiresAt: null,
      certificateKeySealed: ring.seal(input.certificate.privateKeyPem, certificateKeyContext(id)),
      certificatePem: input.certificate.certificatePem,
      certificateThumbprint: input.certificate.thumbprintSha256,
      certificateExpiresAt: input.certificate.expiresAt,
      certificateGenerated: input.certificate.generated,
      applicationObjectId: input.certificate.applicationObjectId ?? null,
      certificateKeyId: input.certificate.keyId ?? null,
    };
  }
  return {
    credentialKind: "secret",
    clientSecretSealed: ring.seal(input.clientSecret, secretContext(id)),
    secretHint: secretHint(input.clientSecret),
    secretExpiresAt: input.secretExpiresAt,
    certificateKeySealed: null,
    certificatePem: null,
    certificateThumbprint: null,
    certificateExpiresAt: null,
    certificateGenerated: false,
  };
}

export function dedupeKey(tenantId: string, clientId: string): string {
  return `${tenantId.toLowerCase()}:${clientId.toLowerCase()}`;
}

export const STALE_VERSION_MESSAGE = "Someone changed this connection while you were editing it. Reload the page to see their changes, then try again.";

export async function listConnections(db: DbClient): Promise<ConnectionView[]> {
  const rows = await db.connection.findMany({ select: connectionSelect, orderBy: { name: "asc" } });
  return rows.map(toView);
}

export async function getConnection(db: DbClient, id: string): Promise<ConnectionView | null> {
  const row = await db.connection.findUnique({ where: { id }, select: connectionSelect });
  return row ? toView(row) : null;
}

/**
 * A connection's public certificate, for download: the one it signs in with, or for a secret
 * connection the certificate it is switching to. Null when it has neither.
 */
export async function getConnectionCertificate(db: DbClient, id: string): Promise<{ name: string; certificatePem: string } | null> {
  const row = await db.connection.findUnique({ where: { id }, select: { name: true, credentialKind: true, certificatePem: true, pendingCertificatePem: true } });
  const pem = row?.credentialKind === "certificate" ? row.certificatePem : row?.pendingCertificatePem;
  return row && pem ? { name: row.name, certificatePem: pem } : null;
}

export async function findConnectionByApp(db: DbClient, tenantId: string, clientId: string): Promise<{ id: string; name: string } | null> {
  return db.connection.findUnique({ where: { dedupeKey: dedupeKey(tenantId, clientId) }, select: { id: true, name: true } });
}

export function duplicateMessage(existing: { name: string }): string {
  return `This app is already connected as “${existing.name}”. Open that connection to change it instead of adding it twice.`;
}

export type NewConnection = {
  name: string;
  cloud: CloudId;
  tenant: string;
  clientId: string;
  /** Empty when the connection signs in with `certificate`. */
  clientSecret: string;
  secretExpiresAt: Date | null;
  certificate?: ConnectionCertificate | undefined;
  mailboxScope: MailboxScope;
  testMailbox: string | null;
  outOfScopeMailbox: string | null;
  writeTest: boolean;
  scopeMode?: ScopeMode | undefined;
  scopeChangedAt?: Date | null | undefined;
  consentGrantedAt?: Date | null | undefined;
  report: CheckReport;
};

type ConnectionRowInput = Omit<NewConnection, "report"> & { tenantId: string; state: ConnectionState; now: Date; nextCheckAt: Date };

function newConnectionRow(ring: KeyRing, id: string, input: ConnectionRowInput, createdById: string) {
  return {
    id,
    name: input.name,
    kind: "organization" as const,
    cloud: input.cloud,
    tenant: input.tenant,
    tenantId: input.tenantId,
    clientId: input.clientId,
    dedupeKey: dedupeKey(input.tenantId, input.clientId),
    ...credentialColumns(ring, id, input),
    mailboxScope: input.mailboxScope,
    testMailbox: input.testMailbox,
    outOfScopeMailbox: input.outOfScopeMailbox,
    writeTest: input.writeTest,
    scopeMode: input.scopeMode ?? "all",
    scopeChangedAt: input.scopeChangedAt ?? null,
    consentGrantedAt: input.consentGrantedAt ?? null,
    state: input.state,
    stateSince: input.now,
    nextCheckAt: input.nextCheckAt,
    createdAt: input.now,
    createdById,
  };
}

async function rethrowDuplicate(tx: DbClient, error: unknown, app: { tenantId: string; clientId: string; name: string }): Promise<never> {
  // Two saves racing past the duplicate check meet the unique index instead.
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
    const winner = await findConnectionByApp(tx, app.tenantId, app.clientId);
    throw new UserFacingError(duplicateMessage(winner ?? { name: app.name }));
  }
  throw error;
}

/** `options.now` places the creation in the past; only the demo's seed does that, to give it a history. */
export async function createConnection(
  tx: DbClient,
  ring: KeyRing,
  input: NewConnection,
  context: { actor: AuditActor & object; ip?: string | null },
  options: { now?: Date } = {},
): Promise<ConnectionView> {
  const id = randomUUID();
  const existing = await findConnectionByApp(tx, input.report.tenantId, input.clientId);
  if (existing) throw new UserFacingError(duplicateMessage(existing));
  const now = options.now ?? new Date();
  try {
    await tx.connection.create({
      data: newConnectionRow(
        ring,
        id,
        {
          ...input,
          tenantId: input.report.tenantId,
          state: "never_checked",
          now,
          // It was verified a moment ago: the first scheduled check is one interval away, or a propagating scope's re-check.
          nextCheckAt: nextCheckTime({
            checks: input.report.checks,
            scopeChangedAt: input.scopeChangedAt,
            now,
            regular: new Date(now.getTime() + getEnv().CALSYNC_CHECK_INTERVAL_MINUTES * 60_000),
          }),
        },
        context.actor.id,
      ),
      select: { id: true },
    });
    await recordCheckRun(tx, { connectionId: id, report: input.report, trigger: "wizard", previousState: "never_checked", recordedAt: now });
    await recordAudit(tx, {
      actor: context.actor,
      action: "connection.create",
      target: { type: "connection", id, label: input.name },
      summary: `Connected app ${input.clientId} in tenant ${input.report.tenantId} (${input.cloud}) with a ${credentialLabel(
        input.certificate ? { kind: "certificate", thumbprint: input.certificate.thumbprintSha256 } : { kind: "secret", secretHint: secretHint(input.clientSecret) },
      )}`,
      ip: context.ip,
    });
    return toView(await tx.connection.findUniqueOrThrow({ where: { id }, select: connectionSelect }));
  } catch (error) {
    return rethrowDuplicate(tx, error, { tenantId: input.report.tenantId, clientId: input.clientId, name: input.name });
  }
}

/**
 * A connection taken over without verifying it (the demo's seed: one that was never checked). Its
 * first check runs at `firstCheckAt`.
 */
export async function importUncheckedConnection(
  tx: DbClient,
  ring: KeyRing,
  input: Omit<NewConnection, "report"> & { tenantId: string; firstCheckAt: Date },
  context: { actor: AuditActor & object },
): Promise<ConnectionView> {
  const id = randomUUID();
  const existing = await findConnectionByApp(tx, input.tenantId, input.clientId);
  if (existing) throw new UserFacingError(duplicateMessage(existing));
  try {
    await tx.connection.create({
      data: newConnectionRow(ring, id, { ...input, state: "never_checked", now: new Date(), nextCheckAt: input.firstCheckAt }, context.actor.id),
      select: { id: true },
    });
  } catch (error) {
    await rethrowDuplicate(tx, error, input);
  }
  await recordAudit(tx, {
    actor: context.actor,
    action: "connection.import",
    target: { type: "connection", id, label: input.name },
    summary: `Imported app ${input.clientId} in tenant ${input.tenantId} (${input.cloud}) unverified; first check at ${input.firstCheckAt.toISOString()}`,
  });
  return toView(await tx.connection.findUniqueOrThrow({ where: { id }, select: connectionSelect }));
}

/** Check inputs for a stored connection; `overrides` lets edits and rotation verify before saving. */
export async function connectionCheckInput(
  db: DbClient,
  ring: KeyRing,
  id: string,
  overrides: Partial<Pick<CheckInput, "clientSecret" | "certificate" | "mailboxScope" | "testMailbox" | "outOfScopeMailbox" | "writeTest" | "scopeMode" | "scopeChangedAt">> = {},
): Promise<CheckInput | null> {
  const row = await db.connection.findUnique({
    where: { id },
    select: { ...connectionSelect, clientSecretSealed: true, certificateKeySealed: true, certificatePem: true },
  });
  if (!row) return null;
  const view = toView(row);
  const certificate =
    overrides.clientSecret === undefined && row.credentialKind === "certificate" && row.certificateKeySealed && row.certificatePem && row.certificateThumbprint
      ? { privateKeyPem: ring.open(row.certificateKeySealed, certificateKeyContext(id)), certificatePem: row.certificatePem, thumbprintSha256: row.certificateThumbprint }
      : undefined;
  return {
    cloud: view.cloud,
    tenant: view.tenantId,
    clientId: view.clientId,
    clientSecret: overrides.clientSecret ?? (row.clientSecretSealed ? ring.open(row.clientSecretSealed, secretContext(id)) : ""),
    ...(overrides.certificate ? { certificate: overrides.certificate } : certificate ? { certificate } : {}),
    mailboxScope: overrides.mailboxScope ?? view.mailboxScope,
    testMailbox: (overrides.testMailbox ?? view.testMailbox) || undefined,
    outOfScopeMailbox: (overrides.outOfScopeMailbox ?? view.outOfScopeMailbox) || undefined,
    writeTest: overrides.writeTest ?? view.writeTest,
    scopeMode: overrides.scopeMode ?? view.scopeMode,
    ...(overrides.scopeChangedAt ?? view.scopeChangedAt ? { scopeChangedAt: overrides.scopeChangedAt ?? view.scopeChangedAt!.toISOString() } : {}),
    ...(view.consentGrantedAt ? { consentGrantedAt: view.consentGrantedAt.toISOString() } : {}),
  };
}

async function applyVersioned(tx: DbClient, id: string, expectedVersion: number, data: Prisma.ConnectionUpdateManyMutationInput): Promise<void> {
  forgetConnectionRead(id);
  const { count } = await tx.connection.updateMany({ where: { id, version: expectedVersion }, data: { ...data, version: { increment: 1 } } });
  if (count === 0) {
    const exists = await tx.connection.count({ where: { id } });
    throw new UserFacingError(exists ? STALE_VERSION_MESSAGE : "This connection no longer exists.");
  }
}

export type SettingsChange = {
  name: string;
  mailboxScope: MailboxScope;
  testMailbox: string | null;
  outOfScopeMailbox: string | null;
  writeTest: boolean;
  secretExpiresAt: Date | null;
  scopeMode?: ScopeMode;
  scopeChangedAt?: Date | null;
};

export async function updateConnectionSettings(
  db: AppPrismaClient,
  id: string,
  expectedVersion: number,
  change: SettingsChange,
  report: CheckReport,
  context: { actor: AuditActor & object; ip?: string | null },
): Promise<void> {
  await db.$transaction(async (tx) => {
    const current = await getConnection(tx, id);
    if (!current) throw new UserFacingError("This connection no longer exists.");
    const now = new Date();
    const scopeChangedAt = change.scopeChangedAt === undefined ? current.scopeChangedAt : change.scopeChangedAt;
    const recheck = propagationRecheck({ checks: report.checks, scopeChangedAt, now });
    await applyVersioned(tx, id, expectedVersion, { ...change, ...(recheck ? { nextCheckAt: recheck } : {}) });
    await recordCheckRun(tx, { connectionId: id, report, trigger: "edit", previousState: current.state });
    await recordAudit(tx, {
      actor: context.actor,
      action: "connection.update",
      target: { type: "connection", id, label: change.name },
      summary: `Changed settings of “${current.name}”${change.scopeMode && change.scopeMode !== current.scopeMode ? ` (scope mode ${current.scopeMode} → ${change.scopeMode})` : ""} and re-verified them (${stateFromReport(report)})`,
      ip: context.ip,
    });
  });
}

export async function rotateConnectionSecret(
  db: AppPrismaClient,
  ring: KeyRing,
  id: string,
  expectedVersion: number,
  input: { clientSecret: string; secretExpiresAt: Date | null; report: CheckReport },
  context: { actor: AuditActor & object; ip?: string | null },
): Promise<void> {
  if (!input.report.ok) throw new Error("rotateConnectionSecret needs a passing verification");
  await db.$transaction(async (tx) => {
    const current = await getConnection(tx, id);
    if (!current) throw new UserFacingError("This connection no longer exists.");
    await applyVersioned(tx, id, expectedVersion, credentialColumns(ring, id, input));
    await recordCheckRun(tx, { connectionId: id, report: input.report, trigger: "rotation", previousState: current.state });
    await recordAudit(tx, {
      actor: context.actor,
      action: "connection.rotate-secret",
      target: { type: "connection", id, label: current.name },
      summary: `Replaced the ${credentialLabel({ kind: current.credentialKind, secretHint: current.secretHint, thumbprint: current.certificateThumbprint })} of “${current.name}” with a client secret ending in …${secretHint(input.clientSecret)} after it verified`,
      ip: context.ip,
    });
  });
}

export async function deleteConnection(
  db: AppPrismaClient,
  id: string,
  confirmation: string,
  context: { actor: AuditActor & object; ip?: string | null },
): Promise<{ name: string }> {
  return db.$transaction(async (tx) => {
    const current = await getConnection(tx, id);
    if (!current) throw new UserFacingError("This connection no longer exists.");
    if (confirmation.trim() !== current.name) {
      throw new UserFacingError(`Type the connection's name, “${current.name}”, to confirm.`, { confirmName: `Type “${current.name}” exactly` });
    }
    await tx.connection.delete({ where: { id }, select: { id: true } });
    forgetConnectionRead(id);
    await recordAudit(tx, {
      actor: context.actor,
      action: "connection.delete",
      target: { type: "connection", id, label: current.name },
      summary: `Deleted “${current.name}” (app ${current.clientId} in tenant ${current.tenantId}) and its sealed secret`,
      ip: context.ip,
    });
    return { name: current.name };
  });
}
