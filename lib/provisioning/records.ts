import "server-only";
import type { Prisma } from "@/lib/db/generated/client";
import { sealContext, type KeyRing } from "@/lib/crypto/seal";
import type { DbClient } from "@/lib/db/types";

/**
 * Data access for provisionings: the row with Microsoft's ids, and one row per finished step. The
 * administrator's token and the new secret are sealed to their row and column, and cleared when the
 * provisioning ends.
 */

export const provisioningSelect = {
  id: true,
  cloud: true,
  tenantId: true,
  displayName: true,
  status: true,
  secretMonths: true,
  reuseObjectId: true,
  applicationObjectId: true,
  appId: true,
  servicePrincipalId: true,
  credentialKeyId: true,
  credentialExpiresAt: true,
  credentialKind: true,
  certificatePem: true,
  connectionId: true,
  message: true,
  createdById: true,
  createdAt: true,
  steps: { select: { step: true, status: true, microsoftIds: true, attempts: true, error: true, updatedAt: true }, orderBy: { updatedAt: "asc" } },
} as const satisfies Prisma.ProvisioningSelect;

export type ProvisioningRow = Prisma.ProvisioningGetPayload<{ select: typeof provisioningSelect }>;
export type ProvisioningStatus = "running" | "waiting" | "handoff" | "failed" | "refused" | "done" | "undone";
export type StepStatus = "done" | "failed" | "waiting" | "handoff" | "skipped";
export type MicrosoftIds = Record<string, string>;

const tokenContext = (id: string) => sealContext("provisionings", "token_sealed", id);
const secretContext = (id: string) => sealContext("provisionings", "secret_sealed", id);

export async function createProvisioningRecord(
  db: DbClient,
  ring: KeyRing,
  input: {
    id: string;
    cloud: string;
    tenantId: string;
    displayName: string;
    secretMonths: number;
    credentialKind: "secret" | "certificate";
    reuseObjectId?: string;
    token: string;
    createdById: string | null;
  },
): Promise<void> {
  await db.provisioning.create({
    data: {
      id: input.id,
      cloud: input.cloud,
      tenantId: input.tenantId,
      displayName: input.displayName,
      status: "running",
      secretMonths: input.secretMonths,
      credentialKind: input.credentialKind,
      reuseObjectId: input.reuseObjectId ?? null,
      tokenSealed: ring.seal(input.token, tokenContext(input.id)),
      createdById: input.createdById,
    },
    select: { id: true },
  });
}

export async function getProvisioning(db: DbClient, id: string): Promise<ProvisioningRow | null> {
  return db.provisioning.findUnique({ where: { id }, select: provisioningSelect });
}

export async function listProvisionings(db: DbClient, take = 20): Promise<ProvisioningRow[]> {
  return db.provisioning.findMany({ select: provisioningSelect, orderBy: { createdAt: "desc" }, take });
}

/** The sealed token and secret, opened; undefined where none is kept. */
export async function openProvisioningSecrets(db: DbClient, ring: KeyRing, id: string): Promise<{ token?: string; secret?: string }> {
  const row = await db.provisioning.findUnique({ where: { id }, select: { tokenSealed: true, secretSealed: true } });
  return {
    ...(row?.tokenSealed ? { token: ring.open(row.tokenSealed, tokenContext(id)) } : {}),
    ...(row?.secretSealed ? { secret: ring.open(row.secretSealed, secretContext(id)) } : {}),
  };
}

/** A fresh token for a provisioning that stopped (a new sign-in, or a new paste). */
export async function replaceProvisioningToken(db: DbClient, ring: KeyRing, id: string, token: string): Promise<void> {
  await db.provisioning.update({ where: { id }, data: { tokenSealed: ring.seal(token, tokenContext(id)) }, select: { id: true } });
}

export async function updateProvisioning(
  db: DbClient,
  id: string,
  data: Partial<Pick<ProvisioningRow, "status" | "applicationObjectId" | "appId" | "servicePrincipalId" | "credentialKeyId" | "credentialExpiresAt" | "credentialKind" | "connectionId" | "message">>,
): Promise<void> {
  await db.provisioning.update({ where: { id }, data, select: { id: true } });
}

export async function keepProvisioningSecret(db: DbClient, ring: KeyRing, id: string, secret: { keyId: string; value: string; expiresAt: Date }): Promise<void> {
  await db.provisioning.update({
    where: { id },
    data: { credentialKeyId: secret.keyId, credentialExpiresAt: secret.expiresAt, secretSealed: ring.seal(secret.value, secretContext(id)) },
    select: { id: true },
  });
}

/**
 * A generated certificate, kept before it is uploaded: its key id is chosen here and sent with it, so
 * an upload whose answer was lost is repeated with the same key and id instead of adding a second.
 */
export async function keepProvisioningCertificate(
  db: DbClient,
  ring: KeyRing,
  id: string,
  certificate: { keyId: string; privateKeyPem: string; certificatePem: string; expiresAt: Date },
): Promise<void> {
  await db.provisioning.update({
    where: { id },
    data: {
      credentialKind: "certificate",
      credentialKeyId: certificate.keyId,
      credentialExpiresAt: certificate.expiresAt,
      certificatePem: certificate.certificatePem,
      secretSealed: ring.seal(certificate.privateKeyPem, secretContext(id)),
    },
    select: { id: true },
  });
}

/** A finished provisioning: done, with its connection, its lease let go, and (when saved) without the token and credential it held. */
export async function finishProvisioning(db: DbClient, id: string, data: { message: string; connectionId?: string; discard: boolean }): Promise<void> {
  await db.provisioning.update({
    where: { id },
    data: { status: "done", message: data.message, leaseUntil: null, ...(data.connectionId ? { connectionId: data.connectionId } : {}), ...(data.discard ? { tokenSealed: null, secretSealed: null } : {}) },
    select: { id: true },
  });
}

/** Ends the provisioning's hold on the administrator's token and the secret (the connection keeps its own copy). */
export async function discardProvisioningSecrets(db: DbClient, id: string): Promise<void> {
  await db.provisioning.update({ where: { id }, data: { tokenSealed: null, secretSealed: null }, select: { id: true } });
}

export async function recordStep(db: DbClient, provisioningId: string, step: string, data: { status: StepStatus; microsoftIds?: MicrosoftIds; attempts?: number; error?: string | null }): Promise<void> {
  const values = { status: data.status, microsoftIds: data.microsoftIds ?? {}, attempts: data.attempts ?? 0, error: data.error ?? null };
  await db.provisioningStep.upsert({
    where: { provisioningId_step: { provisioningId, step } },
    create: { provisioningId, step, ...values },
    update: values,
    select: { step: true },
  });
}
