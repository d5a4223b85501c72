import "server-only";
import { recordAudit } from "@/lib/audit/audit";
import { sealContext, type KeyRing } from "@/lib/crypto/seal";
import { constantTimeEqual, generateToken, hashToken } from "@/lib/crypto/tokens";
import { Prisma } from "@/lib/db/generated/client";
import type { AppPrismaClient, DbClient } from "@/lib/db/types";
import { refusalFromCallback, callbackSchema, claimSignInAttempt, newSignInAttempt, outcomeOf, signInOutcomeSchema, type SignInOutcome } from "@/lib/delegated/sign-in";
import { PERSONAL_ACCOUNT_TENANT_ID, signInTenant, type DelegatedAppConfig } from "@/lib/delegated/delegated-app";
import { CONNECT_LINK_PROBLEMS, getConnectLinkStatus } from "@/lib/delegated/connect-links";
import { getInviteStatus, INVITE_PROBLEMS } from "@/lib/auth/invites";
import { connectMailbox } from "@/lib/delegated/mailbox-connections";
import { authorizationUrlOrRefusal, delegatedScopes, redeemCode } from "@/lib/delegated/msal-delegated";
import type { Cloud } from "@/lib/entra/clouds";
import { createRetryBudget, type RequestPolicy } from "@/lib/entra/http-transport";
import { UserFacingError } from "@/lib/errors";
import { log } from "@/lib/log";
import type { Role } from "@/lib/auth/roles";
import { createSession, type SessionPolicy } from "@/lib/auth/sessions";
import { accountEmail, hasGroupsOverage, idTokenClaimsSchema, type IdTokenClaims } from "@/lib/auth/oidc/claims";
import { readMemberGroups } from "@/lib/auth/oidc/member-groups";
import { mapRole, type GroupMapping } from "@/lib/auth/oidc/role-mapping";
import { getReadyConsoleSignIn, offersOneStepConnect, type ConsoleSignInSettings, type ReadyConsoleSignIn } from "@/lib/auth/oidc/settings";
import { consoleSignInRedirectUri } from "@/lib/auth/oidc/urls";

/**
 * "Sign in with Microsoft" for console staff: the authorization code flow with PKCE through msal-node.
 * Starting stores the attempt (hashed `state`, the `nonce`, the sealed PKCE verifier, and the hash of
 * a random value the browser keeps in a short-lived cookie); the callback must bring that `state` in
 * the same browser, once, within ten minutes. People are found by `tid` + `oid`, and their role is
 * worked out again from the ID token at every sign-in.
 */

export const MICROSOFT_SIGN_IN_TTL_MS = 10 * 60_000;
/** Attempts one address may start per ten minutes: room for a whole office behind one address, not for a table flood. */
export const MAX_MICROSOFT_SIGN_INS_PER_WINDOW = 200;
const RETENTION_DAYS = 30;
const MICROSOFT_TIMEOUT_MS = 20_000;

export const NOT_CONFIGURED = "Sign in with Microsoft is not set up on this console. Sign in with your email and password.";

function verifierContext(id: string): string {
  return sealContext("microsoft_sign_ins", "code_verifier_sealed", id);
}

function microsoftPolicy(): RequestPolicy {
  return { signal: AbortSignal.timeout(MICROSOFT_TIMEOUT_MS), retry: createRetryBudget() };
}

function hasGroupMappings(groups: GroupMapping): boolean {
  return groups.admin.length + groups.helpdesk.length + groups.member.length > 0;
}

/** User.Read for the profile; GroupMember.Read.All only when groups decide roles (the overage read needs it). */
function signInScopes(cloud: Cloud, settings: ConsoleSignInSettings): string[] {
  return [`${cloud.graphHost}/User.Read`, ...(hasGroupMappings(settings.groups) ? [`${cloud.graphHost}/GroupMember.Read.All`] : [])];
}

/** One trusted tenant signs in at that tenant; several at /organizations, and the `tid` check decides. */
function signInAuthority(settings: ConsoleSignInSettings): string {
  return settings.tenants.length === 1 ? settings.tenants[0]!.id : "organizations";
}

/**
 * `console`: staff sign in (trusted tenants, roles from Entra). `connect`: someone without a console
 * session connects their calendar, and gets a member account and a session in the same sign-in.
 */
export type SignInPurposeName = "console" | "connect" | "link";

export const ONE_STEP_NOT_OFFERED = "Connecting a calendar without a console account is not offered here. Sign in first, or ask for an invitation.";

/**
 * The app and what Microsoft is asked for: staff sign in through the console sign-in's app with its
 * scopes and authority; a connect goes through the mailbox sign-in app, as "connect my calendar" does.
 */
function requestFor(ready: ReadyConsoleSignIn, purpose: SignInPurposeName): { app: DelegatedAppConfig; scopes: string[]; authority: string } | null {
  if (purpose !== "connect") return { app: ready.app, scopes: signInScopes(ready.app.cloud, ready.settings), authority: signInAuthority(ready.settings) };
  const app = ready.mailboxApp;
  return app ? { app, scopes: delegatedScopes(app.cloud), authority: signInTenant(app) } : null;
}

export async function startMicrosoftSignIn(
  db: AppPrismaClient,
  ring: KeyRing,
  input: { returnTo: string; ip: string | null; purpose?: SignInPurposeName; connectLinkToken?: string; inviteToken?: string; linkUserId?: string },
  now = new Date(),
): Promise<{ url: string; binding: string }> {
  const purpose = input.connectLinkToken || input.inviteToken ? "connect" : (input.purpose ?? "console");
  const ready = await getReadyConsoleSignIn(db, ring);
  if (!ready) throw new UserFacingError(purpose === "connect" ? ONE_STEP_NOT_OFFERED : NOT_CONFIGURED);
  if (purpose === "link" && !input.linkUserId) throw new UserFacingError("Sign in to the console first, then link your Microsoft account.");
  let connectLinkId: string | null = null;
  let inviteId: string | null = null;
  if (input.inviteToken) {
    const invite = await getInviteStatus(db, input.inviteToken, now);
    if (invite.state !== "valid") throw new UserFacingError(INVITE_PROBLEMS[invite.state]);
    // Staff invitations lead to the staff sign-in, where Entra decides the role.
    if (invite.role !== "member") throw new UserFacingError("This invitation is for a staff account: use Sign in with Microsoft on the sign-in page.");
    inviteId = invite.id;
  } else if (input.connectLinkToken) {
    const link = await getConnectLinkStatus(db, input.connectLinkToken, now);
    if (link.state !== "valid") throw new UserFacingError(CONNECT_LINK_PROBLEMS[link.state]);
    connectLinkId = link.id;
  } else if (purpose === "connect" && !offersOneStepConnect(ready.settings)) {
    throw new UserFacingError(ONE_STEP_NOT_OFFERED);
  }
  const windowStart = new Date(now.getTime() - MICROSOFT_SIGN_IN_TTL_MS);
  const recent = await db.microsoftSignIn.count({ where: { ip: input.ip, createdAt: { gt: windowStart } } });
  if (recent >= MAX_MICROSOFT_SIGN_INS_PER_WINDOW) throw new UserFacingError("Many Microsoft sign-ins were started from here in the last ten minutes. Wait a few minutes, then try again.");
  const request = requestFor(ready, purpose);
  if (!request) throw new UserFacingError(ONE_STEP_NOT_OFFERED);
  const { app, scopes, authority } = request;
  const attempt = await newSignInAttempt(ring, verifierContext, now, MICROSOFT_SIGN_IN_TTL_MS);
  const binding = generateToken();
  const url = await authorizationUrlOrRefusal(app, { redirectUri: consoleSignInRedirectUri(), ...attempt.request, scopes, authority }, microsoftPolicy());
  await db.microsoftSignIn.create({
    data: {
      ...attempt.row,
      bindingHash: hashToken(binding),
      purpose,
      connectLinkId,
      inviteId,
      linkUserId: purpose === "link" ? (input.linkUserId ?? null) : null,
      returnTo: input.returnTo,
      ip: input.ip,
    },
    select: { id: true },
  });
  return { url, binding };
}

export type MicrosoftSignInOutcome =
  | { kind: "signed-in"; token: string; expiresAt: Date; userId: string; returnTo: string }
  /** One-step connect: signed in, and the mailbox connected. */
  | { kind: "connected"; token: string; expiresAt: Date; userId: string; connectionId: string }
  /** A signed-in person linked their Microsoft account to their console account. */
  | { kind: "linked" }
  | { kind: "refused"; attemptId: string; purpose: SignInPurposeName }
  /** No attempt of this browser matches the `state`: forged, replayed, expired or from another browser. */
  | { kind: "bad-state" }
  | { kind: "failed" };

type Refuse = (outcome: SignInOutcome) => Promise<MicrosoftSignInOutcome>;

type ClaimedAttempt = { id: string; nonce: string; codeVerifierSealed: string; returnTo: string; purpose: string; connectLinkId: string | null; inviteId: string | null; linkUserId: string | null };

export async function completeMicrosoftSignIn(
  db: AppPrismaClient,
  ring: KeyRing,
  input: { params: URLSearchParams; binding: string | undefined; ip: string | null; userAgent: string | null; sessionUserId?: string | null },
  policy: SessionPolicy,
  now = new Date(),
): Promise<MicrosoftSignInOutcome> {
  const binding = input.binding;
  if (!binding) return { kind: "bad-state" };
  const claimed = await claimSignInAttempt(
    db.microsoftSignIn,
    (where) =>
      db.microsoftSignIn.findUnique({
        where,
        select: { id: true, bindingHash: true, nonce: true, codeVerifierSealed: true, returnTo: true, purpose: true, connectLinkId: true, inviteId: true, linkUserId: true, expiresAt: true, completedAt: true },
      }),
    { params: input.params, ours: (found) => constantTimeEqual(found.bindingHash, hashToken(binding)), now },
  );
  if (!claimed) return { kind: "bad-state" };
  const { params, attempt } = claimed;
  const purpose: SignInPurposeName = attempt.purpose === "connect" || attempt.purpose === "link" ? attempt.purpose : "console";
  const refuse: Refuse = async (outcome) => {
    await db.microsoftSignIn.update({ where: { id: attempt.id }, data: { outcome }, select: { id: true } });
    return { kind: "refused", attemptId: attempt.id, purpose };
  };
  try {
    // Linking needs the same console session that started it: the callback's browser may be signed in as someone else by now.
    if (purpose === "link" && (!input.sessionUserId || input.sessionUserId !== attempt.linkUserId)) return await refuse({ code: "bad-state" });
    const verified = await redeemAttempt(db, ring, params, attempt, purpose);
    if (!verified.ok) return await refuse(verified.outcome);
    if (purpose === "link") return await finishLink(db, verified, input, attempt.linkUserId!, refuse, now);
    return purpose === "connect" ? await finishConnect(db, ring, verified, input, attempt, refuse, policy, now) : await finish(db, verified, input, attempt, refuse, policy, now);
  } catch (error) {
    log.error("A Microsoft sign-in could not be completed", { attemptId: attempt.id, error: error instanceof Error ? `${error.name}: ${error.message.split("\n")[0]?.slice(0, 200)}` : "non-error thrown" });
    try {
      return await refuse({ code: "sign-in-failed" });
    } catch {
      return { kind: "failed" };
    }
  }
}

type Redeemed = Extract<Awaited<ReturnType<typeof redeemCode>>, { ok: true }>;
/** `app`: the app the code was redeemed through. */
type Verified = { ready: ReadyConsoleSignIn; app: DelegatedAppConfig; redeemed: Redeemed; claims: IdTokenClaims; account: string };
type Context = { ip: string | null; userAgent: string | null };

/** Microsoft's refusal, or the code redeemed (its PKCE verifier and the ID token's nonce checked) and its ID token read. */
async function redeemAttempt(
  db: AppPrismaClient,
  ring: KeyRing,
  params: ReturnType<typeof callbackSchema.parse>,
  attempt: ClaimedAttempt,
  purpose: SignInPurposeName,
): Promise<{ ok: false; outcome: SignInOutcome } | ({ ok: true } & Verified)> {
  if (params.error || !params.code) return { ok: false, outcome: refusalFromCallback(params) };
  const ready = await getReadyConsoleSignIn(db, ring);
  // A link an administrator sent stands in for the operator's member tenants.
  const oneStepOpen = purpose !== "connect" || attempt.connectLinkId !== null || attempt.inviteId !== null || (ready !== null && offersOneStepConnect(ready.settings));
  if (!ready || !oneStepOpen) return { ok: false, outcome: { code: "not-configured" } };
  const request = requestFor(ready, purpose);
  if (!request) return { ok: false, outcome: { code: "not-configured" } };
  const { app, scopes, authority } = request;
  const redeemed = await redeemCode(
    app,
    { code: params.code, codeVerifier: ring.open(attempt.codeVerifierSealed, verifierContext(attempt.id)), nonce: attempt.nonce, redirectUri: consoleSignInRedirectUri(), scopes, authority },
    microsoftPolicy(),
  );
  if (!redeemed.ok) return { ok: false, outcome: outcomeOf(redeemed.failure) };
  const account = redeemed.account.username;
  const claims = idTokenClaimsSchema.safeParse(redeemed.idTokenClaims);
  // An ID token minted for another attempt (a replayed or injected code) carries another nonce.
  if (!claims.success || claims.data.nonce !== attempt.nonce) return { ok: false, outcome: { code: "unexpected-response", account } };
  return { ok: true, ready, app, redeemed, claims: claims.data, account };
}

async function startSession(db: AppPrismaClient, user: { id: string; email: string }, context: Context, policy: SessionPolicy, now: Date, summary: string) {
  const session = await createSession(db, { userId: user.id, ip: context.ip, userAgent: context.userAgent }, policy, now);
  await db.user.update({ where: { id: user.id }, data: { lastSignInAt: now }, select: { id: true } });
  await recordAudit(db, { actor: user, action: "session.sign-in", target: { type: "user", id: user.id, label: user.email }, summary, ip: context.ip });
  return session;
}

/** Staff sign-in: a trusted tenant, and a role from app roles or groups (read from Graph on overage), decided afresh. */
async function finish(db: AppPrismaClient, verified: Verified, context: Context, attempt: ClaimedAttempt, refuse: Refuse, policy: SessionPolicy, now: Date): Promise<MicrosoftSignInOutcome> {
  const { ready, app, redeemed, claims, account } = verified;
  const { settings } = ready;
  if (!settings.tenants.some((tenant) => tenant.id === claims.tid)) return refuse({ code: "tenant-not-trusted", account });
  let groups = claims.groups;
  if (hasGroupsOverage(claims) && hasGroupMappings(settings.groups)) {
    const read = await readMemberGroups({ cloud: app.cloud, accessToken: redeemed.accessToken, policy: microsoftPolicy() });
    if (!read.ok) return refuse({ code: "groups-unreadable", account, ...(read.failure.message ? { description: read.failure.message.slice(0, 500) } : {}) });
    groups = read.groups;
  }
  const decision = mapRole({ roles: claims.roles, groups }, settings.groups);
  const role: Role | null = decision?.role ?? (settings.allowMembers ? "member" : null);
  if (!role) return refuse({ code: "no-role", account });

  const user = await findOrCreateUser(db, claims, { role, reevaluate: true }, now);
  if (user.kind === "refused") return refuse({ code: user.code, account });
  const how = decision ? `${decision.source === "app-role" ? "app role" : "group"} ${decision.claim}` : "members allowed";
  const summary = `Signed in with Microsoft as ${account} (tenant ${claims.tid}); role ${role} from ${how}${user.previousRole && user.previousRole !== role ? `, was ${user.previousRole}` : ""}${user.created ? "; account created at first sign-in" : ""}`;
  const session = await startSession(db, user, context, policy, now, summary);
  return { kind: "signed-in", token: session.token, expiresAt: session.expiresAt, userId: user.id, returnTo: attempt.returnTo };
}

/** A signed-in person links their Microsoft account of a trusted tenant; their role changes only at their next Microsoft sign-in. */
async function finishLink(db: AppPrismaClient, verified: Verified, context: Context, userId: string, refuse: Refuse, now: Date): Promise<MicrosoftSignInOutcome> {
  const { ready, claims, account } = verified;
  if (!ready.settings.tenants.some((tenant) => tenant.id === claims.tid)) return refuse({ code: "tenant-not-trusted", account });
  const result = await db.$transaction(async (tx) => {
    const existing = await tx.linkedIdentity.findUnique({ where: { tenantId_objectId: { tenantId: claims.tid, objectId: claims.oid } }, select: { userId: true } });
    if (existing) return existing.userId === userId ? "already" : "elsewhere";
    const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true, email: true, active: true } });
    if (!user?.active) return "deactivated";
    await tx.linkedIdentity.create({ data: { userId, tenantId: claims.tid, objectId: claims.oid, username: account.slice(0, 300), lastSignInAt: now }, select: { id: true } });
    await recordAudit(tx, {
      actor: { id: user.id, email: user.email },
      action: "user.link-microsoft",
      target: { type: "user", id: user.id, label: user.email },
      summary: `Linked the Microsoft account ${account} (tenant ${claims.tid}, object ${claims.oid})`,
      ip: context.ip,
    });
    return "linked";
  });
  if (result === "elsewhere") return refuse({ code: "identity-linked-elsewhere", account });
  if (result === "deactivated") return refuse({ code: "deactivated", account });
  return { kind: "linked" };
}

/**
 * One-step connect: the mailbox sign-in app's scopes and audience, as "connect my calendar" uses. The
 * person's tenant must be one the operator lets create members; their account is found by `tid` +
 * `oid` (or made, as a member), signed in, and the mailbox connected with the same checks as today.
 */
const STAFF_USE_STAFF_SIGN_IN =
  "This Microsoft account belongs to a console administrator or helpdesk person. Use Sign in with Microsoft on the sign-in page, then connect your calendar from My calendar.";

async function finishConnect(
  db: AppPrismaClient,
  ring: KeyRing,
  verified: Verified,
  context: Context,
  attempt: ClaimedAttempt,
  refuse: Refuse,
  policy: SessionPolicy,
  now: Date,
): Promise<MicrosoftSignInOutcome> {
  const { ready, app, redeemed, claims, account } = verified;
  if (claims.tid === PERSONAL_ACCOUNT_TENANT_ID) return refuse({ code: "personal-account-not-allowed", account });
  let reconnectId: string | null = null;
  let user: FoundUser;
  if (attempt.inviteId) {
    const invite = await db.invite.findUnique({ where: { id: attempt.inviteId }, select: { email: true, acceptedAt: true, revokedAt: true, expiresAt: true } });
    if (!invite || invite.acceptedAt || invite.revokedAt || invite.expiresAt <= now) return refuse({ code: "link-not-usable", account });
    user = await userForLink(db, claims, invite.email, account, now);
  } else if (attempt.connectLinkId) {
    const link = await db.connectLink.findUnique({ where: { id: attempt.connectLinkId }, select: { email: true, connectionId: true, usedAt: true, revokedAt: true, expiresAt: true } });
    if (!link || link.usedAt || link.revokedAt || link.expiresAt <= now) return refuse({ code: "link-not-usable", account });
    user = await userForLink(db, claims, link.email, account, now);
    if (user.kind === "found" && link.connectionId) {
      // A reconnect link renews its owner's own connection, whoever else's Microsoft account signs in.
      const owned = await db.connection.count({ where: { id: link.connectionId, kind: "mailbox", ownerId: user.id } });
      if (owned !== 1) return refuse({ code: "link-for-someone-else", account });
      reconnectId = link.connectionId;
    }
  } else if (!ready.settings.memberTenants.some((tenant) => tenant.id === claims.tid)) {
    return refuse({ code: "member-tenant-not-allowed", account });
  } else {
    user = await findOrCreateUser(db, claims, { role: "member", reevaluate: false }, now);
  }
  if (user.kind === "refused") return refuse({ code: user.code, account });
  // One-step connect decides no staff role and checks no staff tenant, so it never opens a staff
  // session: a person whose Entra role or tenant trust was withdrawn would otherwise keep the old role.
  if (user.previousRole !== null && user.previousRole !== "member") {
    return refuse({ code: "connect-refused", description: STAFF_USE_STAFF_SIGN_IN, account });
  }
  let connectionId: string;
  try {
    const connected = await db.$transaction(async (tx) => {
      if (attempt.connectLinkId) {
        const used = await tx.connectLink.updateMany({ where: { id: attempt.connectLinkId, usedAt: null, revokedAt: null }, data: { usedAt: now } });
        if (used.count !== 1) throw new UserFacingError("This link has already been used.");
      }
      if (attempt.inviteId) {
        const accepted = await tx.invite.updateMany({ where: { id: attempt.inviteId, acceptedAt: null, revokedAt: null }, data: { acceptedAt: now } });
        if (accepted.count !== 1) throw new UserFacingError("This invitation has already been used.");
        await recordAudit(tx, {
          actor: { id: user.id, email: user.email },
          action: "user.invite-accept",
          target: { type: "user", id: user.id, label: user.email },
          summary: "Accepted a member invitation by signing in with Microsoft to connect their calendar",
          ip: context.ip,
        });
      }
      return connectMailbox(
        tx,
        ring,
        { ownerId: user.id, account: redeemed.account, cacheJson: redeemed.cacheJson, cloudId: app.cloudId, clientId: app.clientId, reconnectId, writeTest: false },
        { actor: { id: user.id, email: user.email }, ip: context.ip },
      );
    });
    connectionId = connected.id;
  } catch (error) {
    if (error instanceof UserFacingError) return refuse({ code: "connect-refused", description: error.message, account });
    throw error;
  }
  const summary = `Signed in with Microsoft as ${account} (tenant ${claims.tid}) to ${reconnectId ? "reconnect" : "connect"} their calendar${user.created ? "; member account created" : ""}`;
  const session = await startSession(db, user, context, policy, now, summary);
  return { kind: "connected", token: session.token, expiresAt: session.expiresAt, userId: user.id, connectionId };
}

type FoundUser =
  | { kind: "found"; id: string; email: string; created: boolean; previousRole: Role | null }
  | { kind: "refused"; code: "deactivated" | "email-taken" | "no-email" | "link-for-someone-else" | "identity-linked-elsewhere" };

/**
 * The account a connect link or invitation leads to. It names a person: only their own Microsoft
 * account may use it, recognised by its sign-in name (which must sit in a domain the person's tenant
 * has verified; the `email` claim is not verified and could be set to anyone's address in another
 * tenant), or as the `tid` + `oid` already linked to the account the link is for. An existing account
 * reached by its sign-in name is linked to this Microsoft account here, so later sign-ins find it.
 */
async function userForLink(db: AppPrismaClient, claims: IdTokenClaims, email: string, account: string, now: Date): Promise<FoundUser> {
  const target = await db.user.findUnique({
    where: { email },
    select: { id: true, email: true, role: true, active: true, linkedIdentities: { select: { tenantId: true, objectId: true } } },
  });
  const byName = claims.preferred_username?.toLowerCase() === email.toLowerCase();
  const identities = target?.linkedIdentities ?? [];
  const byIdentity = identities.some((identity) => identity.tenantId === claims.tid && identity.objectId === claims.oid);
  if (!byName && !byIdentity) return { kind: "refused", code: "link-for-someone-else" };
  // An account that already belongs to another Microsoft identity is not handed to whoever now holds
  // the sign-in name (a reused or renamed UPN): only that identity, or an admin, may change it.
  if (!byIdentity && identities.length > 0) return { kind: "refused", code: "link-for-someone-else" };
  // A new account is named after the link it came from, never after the unverified `email` claim.
  if (!target) return findOrCreateUser(db, claims, { role: "member", reevaluate: false }, now, email);
  if (byIdentity) return findOrCreateUser(db, claims, { role: "member", reevaluate: false }, now);
  if (!target.active) return { kind: "refused", code: "deactivated" };
  // Staff are refused by the caller; their account must not be linked on the way.
  if (target.role !== "member") return { kind: "found", id: target.id, email: target.email, created: false, previousRole: target.role };
  return db.$transaction(async (tx): Promise<FoundUser> => {
    const elsewhere = await tx.linkedIdentity.findUnique({ where: { tenantId_objectId: { tenantId: claims.tid, objectId: claims.oid } }, select: { userId: true } });
    if (elsewhere) return { kind: "refused", code: "identity-linked-elsewhere" };
    await tx.linkedIdentity.create({ data: { userId: target.id, tenantId: claims.tid, objectId: claims.oid, username: account.slice(0, 300), lastSignInAt: now }, select: { id: true } });
    await recordAudit(tx, {
      actor: { id: target.id, email: target.email },
      action: "user.link-microsoft",
      target: { type: "user", id: target.id, label: target.email },
      summary: `Linked the Microsoft account ${account} (tenant ${claims.tid}, object ${claims.oid}) by signing in from a link sent to ${target.email}`,
    });
    return { kind: "found", id: target.id, email: target.email, created: false, previousRole: target.role };
  });
}

/**
 * The linked account by `tid` + `oid`, its role set to what this sign-in says; or, at first sign-in, a
 * new account. An existing account with the same email is never taken over: only its owner can link it.
 */
async function findOrCreateUser(db: AppPrismaClient, claims: IdTokenClaims, grant: { role: Role; reevaluate: boolean }, now: Date, linkEmail?: string): Promise<FoundUser> {
  const { role } = grant;
  const username = (claims.preferred_username ?? claims.email ?? claims.oid).slice(0, 300);
  const attempt = () =>
    db.$transaction(async (tx): Promise<FoundUser> => {
      const identity = await tx.linkedIdentity.findUnique({
        where: { tenantId_objectId: { tenantId: claims.tid, objectId: claims.oid } },
        select: { id: true, user: { select: { id: true, email: true, role: true, active: true } } },
      });
      if (identity) {
        if (!identity.user.active) return { kind: "refused", code: "deactivated" };
        await tx.linkedIdentity.update({ where: { id: identity.id }, data: { username, lastSignInAt: now }, select: { id: true } });
        // A one-step connect says nothing about staff roles: only a staff sign-in changes them.
        if (grant.reevaluate && identity.user.role !== role) {
          await tx.user.update({ where: { id: identity.user.id }, data: { role }, select: { id: true } });
          await recordAudit(tx, {
            actor: null,
            action: "user.role",
            target: { type: "user", id: identity.user.id, label: identity.user.email },
            summary: `Changed role of ${identity.user.email} from ${identity.user.role} to ${role} at Microsoft sign-in (Entra decides)`,
          });
        }
        return { kind: "found", id: identity.user.id, email: identity.user.email, created: false, previousRole: identity.user.role };
      }
      const email = linkEmail?.toLowerCase() ?? accountEmail(claims);
      if (!email) return { kind: "refused", code: "no-email" };
      const taken = await tx.user.findUnique({ where: { email }, select: { id: true } });
      if (taken) return { kind: "refused", code: "email-taken" };
      const user = await tx.user.create({
        data: { email, displayName: (claims.name ?? email).slice(0, 200), role, passwordHash: null },
        select: { id: true, email: true },
      });
      await tx.linkedIdentity.create({ data: { userId: user.id, tenantId: claims.tid, objectId: claims.oid, username, lastSignInAt: now }, select: { id: true } });
      await recordAudit(tx, {
        actor: null,
        action: "user.create",
        target: { type: "user", id: user.id, label: user.email },
        summary: `Created ${role} account for ${user.email} at first Microsoft sign-in${grant.reevaluate ? "" : " to connect their calendar"} (tenant ${claims.tid}, object ${claims.oid})`,
      });
      return { kind: "found", id: user.id, email: user.email, created: true, previousRole: null };
    });
  try {
    return await attempt();
  } catch (error) {
    // The same person finishing two sign-ins at once: the second finds the account the first made.
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) throw error;
    return attempt();
  }
}

/** Why an attempt of this browser was refused; null for another browser's attempt or an unknown id. */
export async function getMicrosoftSignInRefusal(db: DbClient, attemptId: string, binding: string | undefined): Promise<SignInOutcome | null> {
  if (!binding || !/^[0-9a-f-]{36}$/i.test(attemptId)) return null;
  const row = await db.microsoftSignIn.findUnique({ where: { id: attemptId }, select: { bindingHash: true, outcome: true } });
  if (!row || !constantTimeEqual(row.bindingHash, hashToken(binding))) return null;
  const outcome = signInOutcomeSchema.safeParse(row.outcome);
  return outcome.success ? outcome.data : null;
}

export async function pruneMicrosoftSignIns(db: DbClient, now = new Date()): Promise<number> {
  const { count } = await db.microsoftSignIn.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - RETENTION_DAYS * 86_400_000) } } });
  return count;
}
