import "server-only";
import { generateToken } from "@/lib/crypto/tokens";
import { sealContext, type KeyRing } from "@/lib/crypto/seal";
import { adminConsentRequestSchema, adminConsentUrl } from "@/lib/entra/admin-consent";
import type { Cloud } from "@/lib/entra/clouds";
import { adminApprovalMessage, type ConsentHandOffView } from "@/lib/delegated/refusals";
import { consentRedirectUri } from "@/lib/wizard/urls";

/** Where an administrator lands after granting consent from a link someone sent them. */
export function handOffReturnUri(): string {
  return `${consentRedirectUri()}/approved`;
}

/** What a hand-off link was made for: a saved connection, or an admin's wizard draft. */
export type HandOffTarget = { kind: "connection" | "draft"; id: string };

/** How long a sent link can still record its grant: messages wait in inboxes. */
export const HAND_OFF_TTL_MS = 30 * 24 * 60 * 60_000;

const stateContext = sealContext("consent_hand_offs", "state", "v1");

/**
 * The link's `state`: its target, app, expiry and a nonce, sealed. The administrator who opens the
 * link has no console session, so nothing on the return can be looked up by who they are; the sealed
 * state is what says which connection the grant was for, and it cannot be forged or pointed
 * elsewhere. The nonce lets the return record its grant once only (a replayed or bookmarked return
 * changes nothing).
 */
export function sealHandOffState(ring: KeyRing, target: HandOffTarget, clientId: string, now: Date): string {
  const payload = [target.kind === "connection" ? "c" : "d", target.id, clientId.toLowerCase(), (now.getTime() + HAND_OFF_TTL_MS).toString(36), generateToken(16)].join(" ");
  return ring.seal(payload, stateContext);
}

/** The target of a state this console sealed and that has not expired; undefined for anything else. */
export function openHandOffState(ring: KeyRing, state: string, now: Date): { target: HandOffTarget; clientId: string; nonce: string } | undefined {
  let payload: string;
  try {
    payload = ring.open(state, stateContext);
  } catch {
    return undefined;
  }
  const [kind, id, clientId, expires, nonce] = payload.split(" ");
  if (!id || !clientId || !expires || !nonce || now.getTime() > parseInt(expires, 36)) return undefined;
  if (kind === "c") return { target: { kind: "connection", id }, clientId, nonce };
  if (kind === "d") return { target: { kind: "draft", id }, clientId, nonce };
  return undefined;
}

/**
 * The consent link and message for an administrator who is not signing in to this console. Microsoft
 * accepts a path below the registered consent callback, so the administrator returns to a public
 * thank-you page instead of the console's sign-in. With `recordFor`, the link's state names what it
 * was made for, so the return records when consent was given (the access-denied diagnosis uses it).
 * Undefined until the tenant and client ID are valid.
 */
export function wizardConsentHandOff(
  input: { cloud: Cloud; tenant?: string; clientId?: string; requester: string },
  recordFor?: { ring: KeyRing; target: HandOffTarget; now?: Date },
): ConsentHandOffView | undefined {
  const clientId = input.clientId ?? "";
  const request = adminConsentRequestSchema.safeParse({
    tenant: input.tenant ?? "",
    clientId,
    redirectUri: handOffReturnUri(),
    state: recordFor ? sealHandOffState(recordFor.ring, recordFor.target, clientId, recordFor.now ?? new Date()) : generateToken(16),
  });
  if (!request.success) return undefined;
  const url = adminConsentUrl({ cloud: input.cloud, ...request.data });
  return {
    url,
    tenant: request.data.tenant,
    message: adminApprovalMessage({ appName: "Calsync", clientId: request.data.clientId, consentUrl: url, requester: input.requester, kind: "application" }),
  };
}
