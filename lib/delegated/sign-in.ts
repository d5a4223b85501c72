import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { AuditActor } from "@/lib/audit/audit";
import { sealContext, type KeyRing } from "@/lib/crypto/seal";
import { generateToken, hashToken } from "@/lib/crypto/tokens";
import type { AppPrismaClient } from "@/lib/db/types";
import { createRetryBudget, type RequestPolicy } from "@/lib/entra/http-transport";
import { parseEstsErrorBody, type TokenFailure } from "@/lib/entra/token-error";
import { Prisma } from "@/lib/db/generated/client";
import { UserFacingError } from "@/lib/errors";
import { log } from "@/lib/log";
import { getDelegatedApp, PERSONAL_ACCOUNT_TENANT_ID } from "@/lib/delegated/delegated-app";
import { connectMailbox } from "@/lib/delegated/mailbox-connections";
import { authorizationUrlOrRefusal, newPkcePair, redeemCode } from "@/lib/delegated/msal-delegated";
import { delegatedRedirectUri } from "@/lib/wizard/urls";

/**
 * "Connect my calendar": the authorization code flow with PKCE. Starting stores the attempt with a
 * hashed `state`, the `nonce` and the sealed PKCE verifier; the callback must present that `state`
 * from the same console user, once, within ten minutes. Microsoft's refusals are stored on the
 * attempt, so the result page explains them without putting Microsoft's text in a URL.
 */

export const SIGN_IN_TTL_MS = 10 * 60_000;
/** Attempts a person may start per ten minutes: enough for every retry, not for filling the table. */
export const MAX_SIGN_INS_PER_WINDOW = 20;
/** An attempt's page explains a refusal for this long; then the row goes. */
export const SIGN_IN_RETENTION_DAYS = 30;
const MICROSOFT_TIMEOUT_MS = 20_000;

export const NOT_CONFIGURED_MESSAGE =
  "Connecting a mailbox is not set up on this console yet. Ask an administrator to configure the mailbox sign-in app under Settings.";

function verifierContext(signInId: string): string {
  return sealContext("delegated_sign_ins", "code_verifier_sealed", signInId);
}

function microsoftPolicy(): RequestPolicy {
  return { signal: AbortSignal.timeout(MICROSOFT_TIMEOUT_MS), retry: createRetryBudget() };
}

/** A refusal kept on the attempt: Microsoft's facts, never a token or a code. */
export const signInOutcomeSchema = z.object({
  code: z.string(),
  error: z.string().optional(),
  description: z.string().optional(),
  correlationId: z.string().optional(),
  traceId: z.string().optional(),
  timestamp: z.string().optional(),
  /** The account that signed in, when the refusal came after sign-in. */
  account: z.string().optional(),
});
export type SignInOutcome = z.infer<typeof signInOutcomeSchema>;

/**
 * A new attempt: what the authorization request carries (`state`, `nonce`, the PKCE challenge) and
 * the columns that keep it (the state hashed, the verifier sealed to the row), valid for `ttlMs`.
 */
export async function newSignInAttempt(ring: KeyRing, contextOf: (id: string) => string, now: Date, ttlMs: number) {
  const state = generateToken();
  const nonce = generateToken(16);
  const pkce = await newPkcePair();
  const id = randomUUID();
  return {
    request: { state, nonce, codeChallenge: pkce.challenge },
    row: { id, stateHash: hashToken(state), nonce, codeVerifierSealed: ring.seal(pkce.verifier, contextOf(id)), createdAt: now, expiresAt: new Date(now.getTime() + ttlMs) },
  };
}

export async function startMailboxSignIn(
  db: AppPrismaClient,
  ring: KeyRing,
  input: { userId: string; reconnectId?: string | null; loginHint?: string; writeTest?: boolean },
  now = new Date(),
): Promise<{ url: string; signInId: string }> {
  const app = await getDelegatedApp(db, ring);
  if (!app) throw new UserFacingError(NOT_CONFIGURED_MESSAGE);
  const recent = await db.delegatedSignIn.count({ where: { userId: input.userId, createdAt: { gt: new Date(now.getTime() - SIGN_IN_TTL_MS) } } });
  if (recent >= MAX_SIGN_INS_PER_WINDOW) throw new UserFacingError("You started many sign-ins in the last ten minutes. Wait a few minutes, then try again.");
  let loginHint = input.loginHint;
  if (input.reconnectId) {
    const target = await db.connection.findFirst({ where: { id: input.reconnectId, kind: "mailbox", ownerId: input.userId }, select: { accountUpn: true } });
    if (!target) throw new UserFacingError("This mailbox connection is not yours, or it no longer exists.");
    loginHint = target.accountUpn ?? loginHint;
  }
  const attempt = await newSignInAttempt(ring, verifierContext, now, SIGN_IN_TTL_MS);
  const url = await authorizationUrlOrRefusal(app, { redirectUri: delegatedRedirectUri(), ...attempt.request, ...(loginHint ? { loginHint } : {}) }, microsoftPolicy());
  await db.delegatedSignIn.create({
    data: { ...attempt.row, userId: input.userId, connectionId: input.reconnectId ?? null, writeTest: input.writeTest ?? false },
    select: { id: true },
  });
  return { url, signInId: attempt.row.id };
}

export type CallbackOutcome =
  | { kind: "connected"; connectionId: string; reconnected: boolean }
  | { kind: "refused"; signInId: string }
  /** No attempt of this user matches the `state`: forged, replayed, expired or from another browser. */
  | { kind: "bad-state" }
  /** Something on our side failed after the attempt was used, and not even the outcome could be kept. */
  | { kind: "failed" };

/** What Microsoft sends to a redirect URI after /authorize: a code, or an error with its details. */
export const callbackSchema = z.object({
  state: z.string().min(1).max(200),
  code: z.string().min(1).max(8000).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(4000).optional(),
  error_subcode: z.string().max(200).optional(),
  error_codes: z.string().max(200).optional(),
  correlation_id: z.string().max(100).optional(),
  trace_id: z.string().max(100).optional(),
  timestamp: z.string().max(100).optional(),
});

export function outcomeOf(failure: TokenFailure, extra: { subcode?: string; account?: string } = {}): SignInOutcome {
  // MSAL's recorded shape for "the user pressed Cancel": access_denied with subcode cancel.
  const code = failure.code === "access_denied" && extra.subcode === "cancel" ? "access_denied" : failure.code;
  return {
    code,
    ...(failure.error ? { error: failure.error } : {}),
    ...(failure.description ? { description: failure.description.split("\n")[0]!.slice(0, 500) } : {}),
    ...(failure.correlationId ? { correlationId: failure.correlationId } : {}),
    ...(failure.traceId ? { traceId: failure.traceId } : {}),
    ...(failure.timestamp ? { timestamp: failure.timestamp } : {}),
    ...(extra.account ? { account: extra.account } : {}),
  };
}

/** Microsoft's refusal as it came back on the redirect, kept as an outcome (its text, never a code). */
export function refusalFromCallback(params: z.infer<typeof callbackSchema>): SignInOutcome {
  const failure =
    parseEstsErrorBody({
      error: params.error ?? "invalid_request",
      ...(params.error_description ? { error_description: params.error_description } : {}),
      ...(params.error_codes ? { error_codes: params.error_codes.split(",").map((code) => code.trim()) } : {}),
      ...(params.correlation_id ? { correlation_id: params.correlation_id } : {}),
      ...(params.trace_id ? { trace_id: params.trace_id } : {}),
      ...(params.timestamp ? { timestamp: params.timestamp } : {}),
    }) ?? { code: "invalid_request" };
  return outcomeOf(failure, { ...(params.error_subcode ? { subcode: params.error_subcode } : {}) });
}

type AttemptTable = { updateMany(args: { where: { id: string; completedAt: null }; data: { completedAt: Date } }): PromiseLike<{ count: number }> };

/**
 * The callback's parameters and the attempt its `state` names, claimed once: found by the state's
 * hash, unexpired, unused and `ours`; null otherwise. Claimed before anything else, so a replayed
 * callback racing this one finds it used. `table` is the attempts' table and `find` reads one from it.
 */
export async function claimSignInAttempt<T extends { id: string; expiresAt: Date; completedAt: Date | null }>(
  table: AttemptTable,
  find: (where: { stateHash: string }) => PromiseLike<T | null>,
  input: { params: URLSearchParams; ours: (attempt: T) => boolean; now: Date },
): Promise<{ params: z.infer<typeof callbackSchema>; attempt: T } | null> {
  const parsed = callbackSchema.safeParse(Object.fromEntries(input.params));
  if (!parsed.success) return null;
  const attempt = await find({ stateHash: hashToken(parsed.data.state) });
  if (!attempt || attempt.completedAt || attempt.expiresAt <= input.now || !input.ours(attempt)) return null;
  const claimed = await table.updateMany({ where: { id: attempt.id, completedAt: null }, data: { completedAt: input.now } });
  return claimed.count === 1 ? { params: parsed.data, attempt } : null;
}

export async function completeMailboxSignIn(
  db: AppPrismaClient,
  ring: KeyRing,
  input: { userId: string; params: URLSearchParams; actor: AuditActor & object; ip?: string | null },
  now = new Date(),
): Promise<CallbackOutcome> {
  const claimed = await claimSignInAttempt(
    db.delegatedSignIn,
    (where) => db.delegatedSignIn.findUnique({ where, select: { id: true, userId: true, nonce: true, codeVerifierSealed: true, connectionId: true, writeTest: true, expiresAt: true, completedAt: true } }),
    { params: input.params, ours: (found) => found.userId === input.userId, now },
  );
  if (!claimed) return { kind: "bad-state" };
  const { params, attempt } = claimed;
  const refuse = async (outcome: SignInOutcome): Promise<CallbackOutcome> => {
    await db.delegatedSignIn.update({ where: { id: attempt.id }, data: { outcome }, select: { id: true } });
    return { kind: "refused", signInId: attempt.id };
  };

  try {
    return await finishSignIn(db, ring, input, params, attempt, refuse);
  } catch (error) {
    // The attempt is used up: record why, so its page explains it instead of "not finished".
    log.error("A mailbox sign-in could not be completed", { signInId: attempt.id, error: error instanceof Error ? `${error.name}: ${error.message.split("\n")[0]?.slice(0, 200)}` : "non-error thrown" });
    try {
      return await refuse({ code: "sign-in-failed" });
    } catch {
      return { kind: "failed" };
    }
  }
}

type ClaimedAttempt = { id: string; nonce: string; codeVerifierSealed: string; connectionId: string | null; writeTest: boolean };

async function finishSignIn(
  db: AppPrismaClient,
  ring: KeyRing,
  input: { userId: string; actor: AuditActor & object; ip?: string | null },
  params: z.infer<typeof callbackSchema>,
  attempt: ClaimedAttempt,
  refuse: (outcome: SignInOutcome) => Promise<CallbackOutcome>,
): Promise<CallbackOutcome> {
  if (params.error || !params.code) return refuse(refusalFromCallback(params));

  const app = await getDelegatedApp(db, ring);
  if (!app) return refuse({ code: "mailbox-app-missing" });
  const redeemed = await redeemCode(
    app,
    { code: params.code, codeVerifier: ring.open(attempt.codeVerifierSealed, verifierContext(attempt.id)), nonce: attempt.nonce, redirectUri: delegatedRedirectUri() },
    microsoftPolicy(),
  );
  if (!redeemed.ok) return refuse(outcomeOf(redeemed.failure));
  const { account } = redeemed;
  if (account.tenantId === PERSONAL_ACCOUNT_TENANT_ID && app.audience !== "organizations-and-personal") {
    return refuse({ code: "personal-account-not-allowed", account: account.username });
  }
  const connect = () =>
    db.$transaction((tx) =>
      connectMailbox(
        tx,
        ring,
        {
          ownerId: input.userId,
          account,
          cacheJson: redeemed.cacheJson,
          cloudId: app.cloudId,
          clientId: app.clientId,
          reconnectId: attempt.connectionId,
          // A reconnect keeps the connection's own choice unless the write test was asked for again.
          ...(attempt.writeTest || !attempt.connectionId ? { writeTest: attempt.writeTest } : {}),
        },
        { actor: input.actor, ip: input.ip ?? null },
      ),
    );
  try {
    let connected: Awaited<ReturnType<typeof connect>>;
    try {
      connected = await connect();
    } catch (error) {
      // The same new account connecting in two tabs at once: the loser finds the winner's connection.
      if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) throw error;
      connected = await connect();
    }
    await db.delegatedSignIn.update({ where: { id: attempt.id }, data: { resultConnectionId: connected.id }, select: { id: true } });
    return { kind: "connected", connectionId: connected.id, reconnected: connected.reconnected };
  } catch (error) {
    if (error instanceof UserFacingError) return refuse({ code: "connect-refused", description: error.message, account: account.username });
    throw error;
  }
}

export async function pruneSignInAttempts(db: AppPrismaClient, now = new Date()): Promise<number> {
  const { count } = await db.delegatedSignIn.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - SIGN_IN_RETENTION_DAYS * 86_400_000) } } });
  return count;
}

export async function getSignInAttempt(db: AppPrismaClient, userId: string, id: string): Promise<{ outcome: SignInOutcome | null; connectionId: string | null; createdAt: Date } | null> {
  const row = await db.delegatedSignIn.findFirst({ where: { id, userId }, select: { outcome: true, connectionId: true, createdAt: true } });
  if (!row) return null;
  const outcome = signInOutcomeSchema.safeParse(row.outcome);
  return { outcome: outcome.success ? outcome.data : null, connectionId: row.connectionId, createdAt: row.createdAt };
}
