import "server-only";
import { z } from "zod";
import type { KeyRing } from "@/lib/crypto/seal";
import type { AppPrismaClient } from "@/lib/db/types";
import { createProvisioningRecord, getProvisioning, recordStep, updateProvisioning } from "@/lib/provisioning/records";

/**
 * `npm run provision -- --no-save --state FILE`: the resume state outside the console's database.
 * Only Microsoft's ids and the step results are written, never the token or the secret, so a resumed
 * run that finds a credential without its value replaces it.
 */

export const cliStateSchema = z.object({
  version: z.literal(1),
  id: z.uuid(),
  cloud: z.string(),
  tenantId: z.string(),
  displayName: z.string(),
  secretMonths: z.number().int(),
  status: z.string(),
  applicationObjectId: z.string().nullable(),
  appId: z.string().nullable(),
  servicePrincipalId: z.string().nullable(),
  credentialKeyId: z.string().nullable(),
  steps: z.array(z.object({ step: z.string(), status: z.enum(["done", "failed", "waiting", "handoff", "skipped"]), microsoftIds: z.record(z.string(), z.string()), attempts: z.number().int() })),
});
export type CliState = z.infer<typeof cliStateSchema>;

export async function exportCliState(db: AppPrismaClient, id: string): Promise<CliState> {
  const row = await getProvisioning(db, id);
  if (!row) throw new Error(`provisioning ${id} is gone`);
  return {
    version: 1,
    id: row.id,
    cloud: row.cloud,
    tenantId: row.tenantId,
    displayName: row.displayName,
    secretMonths: row.secretMonths,
    status: row.status,
    applicationObjectId: row.applicationObjectId,
    appId: row.appId,
    servicePrincipalId: row.servicePrincipalId,
    credentialKeyId: row.credentialKeyId,
    steps: row.steps
      .filter((step) => step.step !== "credential")
      .map((step) => ({
        step: step.step,
        status: cliStateSchema.shape.steps.element.shape.status.catch("failed").parse(step.status),
        microsoftIds: z.record(z.string(), z.string()).catch({}).parse(step.microsoftIds),
        attempts: step.attempts,
      })),
  };
}

/** Recreates a provisioning from its state file in a throwaway database, with a fresh token. */
export async function importCliState(db: AppPrismaClient, ring: KeyRing, state: CliState, token: string): Promise<void> {
  await createProvisioningRecord(db, ring, { id: state.id, cloud: state.cloud, tenantId: state.tenantId, displayName: state.displayName, secretMonths: state.secretMonths, credentialKind: "secret", token, createdById: null });
  await updateProvisioning(db, state.id, {
    status: state.status === "done" ? "running" : state.status,
    applicationObjectId: state.applicationObjectId,
    appId: state.appId,
    servicePrincipalId: state.servicePrincipalId,
    credentialKeyId: state.credentialKeyId,
  });
  for (const step of state.steps) await recordStep(db, state.id, step.step, step);
}
