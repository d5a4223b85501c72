import "server-only";
import { z } from "zod";
import type { Prisma } from "@/lib/db/generated/client";
import { sealContext, type KeyRing } from "@/lib/crypto/seal";
import type { DbClient } from "@/lib/db/types";
import type { ConsentEvidence, ConsentOutcome, ConsentPrediction } from "@/lib/consent/rules";

/**
 * Data access for stored consent predictions: one per tenant, with the administrator's token sealed
 * to it for the grant window only.
 */

const tokenContext = (tenantId: string) => sealContext("consent_predictions", "token_sealed", tenantId);

const storedSelect = { tenantId: true, clientId: true, outcome: true, reason: true, evidence: true, checkedAt: true, tokenUntil: true } as const satisfies Prisma.ConsentPredictionSelect;

export type StoredPrediction = ConsentPrediction & { tenantId: string; clientId: string; checkedAt: Date; grantPossibleUntil: Date | null };

const storedEvidenceSchema = z.object({
  details: z.array(z.string()).catch([]),
  policies: z.array(z.string()).catch([]),
  userConsent: z.enum(["on", "off"]).catch("off"),
  workflow: z.enum(["on", "off"]).catch("off"),
  reviewers: z.array(z.string()).catch([]),
  tenantWideScopes: z.array(z.string()).catch([]),
  assignmentRequired: z.boolean().catch(false),
  enterpriseApp: z.boolean().catch(false),
});

const outcomeSchema = z.enum(["connect", "approval", "blocked"]);

function fromRow(row: Prisma.ConsentPredictionGetPayload<{ select: typeof storedSelect }>, now: Date): StoredPrediction | null {
  const outcome = outcomeSchema.safeParse(row.outcome);
  const evidence = storedEvidenceSchema.safeParse(row.evidence);
  if (!outcome.success || !evidence.success) return null;
  const { details, ...rest } = evidence.data;
  return {
    tenantId: row.tenantId,
    clientId: row.clientId,
    outcome: outcome.data satisfies ConsentOutcome,
    reason: row.reason,
    details,
    evidence: rest satisfies ConsentEvidence,
    checkedAt: row.checkedAt,
    grantPossibleUntil: row.tokenUntil && row.tokenUntil > now ? row.tokenUntil : null,
  };
}

export async function saveConsentPrediction(
  db: DbClient,
  ring: KeyRing,
  input: { tenantId: string; clientId: string; prediction: ConsentPrediction; token?: string; tokenUntil?: Date; checkedById: string | null; checkedAt: Date },
): Promise<void> {
  const data = {
    clientId: input.clientId,
    outcome: input.prediction.outcome,
    reason: input.prediction.reason,
    evidence: { ...input.prediction.evidence, details: input.prediction.details },
    tokenSealed: input.token ? ring.seal(input.token, tokenContext(input.tenantId)) : null,
    tokenUntil: input.token ? (input.tokenUntil ?? null) : null,
    checkedById: input.checkedById,
    checkedAt: input.checkedAt,
  };
  await db.consentPrediction.upsert({ where: { tenantId: input.tenantId }, create: { tenantId: input.tenantId, ...data }, update: data, select: { tenantId: true } });
}

/**
 * The sealed token while the grant window lasts; an expired one is dropped. It serves only the console
 * user who pasted it, for the app it was checked for: another admin pressing "Grant" would otherwise
 * act in Entra under the first admin's identity, and a switched sign-in app would get a grant nobody
 * predicted.
 */
export async function openConsentToken(
  db: DbClient,
  ring: KeyRing,
  input: { tenantId: string; userId: string; clientId: string },
  now = new Date(),
): Promise<string | undefined> {
  const { tenantId } = input;
  const row = await db.consentPrediction.findUnique({ where: { tenantId }, select: { tokenSealed: true, tokenUntil: true, checkedById: true, clientId: true } });
  if (!row?.tokenSealed) return undefined;
  if (!row.tokenUntil || row.tokenUntil <= now || row.clientId.toLowerCase() !== input.clientId.toLowerCase()) {
    await clearConsentToken(db, tenantId);
    return undefined;
  }
  if (row.checkedById !== input.userId) return undefined;
  return ring.open(row.tokenSealed, tokenContext(tenantId));
}

export async function clearConsentToken(db: DbClient, tenantId: string): Promise<void> {
  await db.consentPrediction.updateMany({ where: { tenantId }, data: { tokenSealed: null, tokenUntil: null } });
}

/** Drops every token whose grant window has passed, so none outlives its run. */
export async function clearExpiredConsentTokens(db: DbClient, now = new Date()): Promise<void> {
  await db.consentPrediction.updateMany({ where: { tokenSealed: { not: null }, OR: [{ tokenUntil: null }, { tokenUntil: { lte: now } }] }, data: { tokenSealed: null, tokenUntil: null } });
}

/** The stored predictions for the current sign-in app, newest first (others are out of date). */
export async function listConsentPredictions(db: DbClient, clientId: string, now = new Date()): Promise<StoredPrediction[]> {
  const rows = await db.consentPrediction.findMany({ where: { clientId }, select: storedSelect, orderBy: { checkedAt: "desc" } });
  return rows.map((row) => fromRow(row, now)).filter((row): row is StoredPrediction => row !== null);
}
