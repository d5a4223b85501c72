import "server-only";
import { isGuid } from "@/lib/checks/format";
import { recordAudit, type AuditActor } from "@/lib/audit/audit";
import type { KeyRing } from "@/lib/crypto/seal";
import type { DbClient } from "@/lib/db/types";
import type { Cloud } from "@/lib/entra/clouds";
import { createRetryBudget } from "@/lib/entra/http-transport";
import { fetchTenantMetadata } from "@/lib/entra/tenant-metadata";
import { graphResourceAppId } from "@/lib/entra/permissions";
import { createAdminGraph, type AdminGraph, type AdminGraphResult } from "@/lib/provisioning/admin-graph";
import { inspectSetupToken, roleNames } from "@/lib/provisioning/setup-token";
import {
  predictFromFacts,
  selfConsentPolicyIds,
  signInAppScopeValues,
  type ConsentFacts,
  type ConsentPrediction,
  type GrantPolicy,
} from "@/lib/consent/rules";
import { clearConsentToken, openConsentToken, saveConsentPrediction } from "@/lib/consent/store";

/**
 * The consent pre-flight: with an administrator's Graph token, read what decides whether members may
 * consent to the mailbox sign-in app (two round trips: the policy, workflow and app reads in parallel,
 * then the assigned policies, the app's grants and the reviewers' names), predict, and store the
 * answer. The token is sealed to the stored answer only so that the tenant-wide grant can follow; it
 * is never logged, audited or returned.
 */

/** Why a token was refused, as a word that may travel in a URL (the setup app sign-in's return). */
export type ConsentTokenProblem = "token-unusable" | "no-policy-scope" | "graph-unavailable" | "other-tenant";

export class ConsentTokenError extends Error {
  override name = "ConsentTokenError";
  constructor(
    message: string,
    readonly problem: ConsentTokenProblem = "token-unusable",
  ) {
    super(message);
  }
}

/** `homeTenant` (a domain or GUID) is where a single-organisation app lets people sign in. */
export type SignInApp = { clientId: string; multiTenant: boolean; homeTenant?: string };

/** The home tenant's ID: as typed when it is one, else from its OpenID metadata. */
async function homeTenantId(cloud: Cloud, homeTenant: string): Promise<string | undefined> {
  if (isGuid(homeTenant)) return homeTenant.toLowerCase();
  const metadata = await fetchTenantMetadata({ cloud, tenant: homeTenant, policy: { signal: AbortSignal.timeout(20_000), retry: createRetryBudget() } });
  return metadata.ok ? metadata.tenantId?.toLowerCase() : undefined;
}

/** How long the sealed token may serve a grant after the run. */
const GRANT_WINDOW_MS = 15 * 60_000;

/** The scopes the pre-flight and the grant need, as the Microsoft Graph PowerShell command asks for them. */
export const preflightScopes = ["Policy.Read.All", "DelegatedPermissionGrant.ReadWrite.All", "Application.Read.All", "User.ReadBasic.All"] as const;

/** How to get a token that works, for the page and for refusals. */
export function tokenInstructions(cloud: Cloud): { connect: string; print: string } {
  return {
    connect: `Connect-MgGraph -Scopes ${preflightScopes.join(",")}${cloud.id === "global" || cloud.id === "custom" ? "" : ` -Environment ${powerShellEnvironment(cloud)}`}`,
    print: `(Invoke-MgGraphRequest -Uri "${cloud.graphHost}/v1.0/me" -OutputType HttpResponseMessage).RequestMessage.Headers.Authorization.Parameter`,
  };
}

function powerShellEnvironment(cloud: Cloud): string {
  switch (cloud.id) {
    case "usgov":
      return "USGov";
    case "usgov-dod":
      return "USGovDoD";
    case "china":
      return "China";
    default:
      return "Global";
  }
}

function noPolicyScopeMessage(cloud: Cloud): string {
  const { connect, print } = tokenInstructions(cloud);
  return (
    "This token cannot read your organisation's consent policies: it lacks Policy.Read.All, which tokens from Azure CLI and Cloud Shell never carry, " +
    "even for a Global Administrator. Use a token from the setup app sign-in, or from Microsoft Graph PowerShell: run " +
    `${connect}, then print the token with ${print}`
  );
}

/** The token's facts, or a plain refusal (ConsentTokenError) saying which token works. */
export function inspectConsentToken(raw: string, cloud: Cloud, now = new Date()) {
  const inspected = inspectSetupToken(raw, cloud, now);
  if (!inspected.ok) throw new ConsentTokenError(inspected.problem);
  if (!inspected.facts.scopes.includes("Policy.Read.All")) throw new ConsentTokenError(noPolicyScopeMessage(cloud), "no-policy-scope");
  return inspected.facts;
}

type ServicePrincipal = {
  id: string;
  appId: string;
  appRoleAssignmentRequired?: boolean;
  appOwnerOrganizationId?: string | null;
  verifiedPublisher?: { verifiedPublisherId?: string | null } | null;
};
type GraphSp = { id: string; oauth2PermissionScopes?: { id: string; value: string; type?: string }[] };
type Grant = { id: string; clientId: string; consentType: string; resourceId: string; scope?: string | null };
type Reviewer = { query?: string | null };

const odata = (value: string) => `'${value.replace(/'/g, "''")}'`;

async function readSignInApp(graph: AdminGraph, appId: string) {
  return graph.request<{ value: ServicePrincipal[] }>(
    "GET",
    `/servicePrincipals?$filter=${encodeURIComponent(`appId eq ${odata(appId)}`)}&$select=id,appId,appRoleAssignmentRequired,appOwnerOrganizationId,verifiedPublisher`,
  );
}

function readGraphSp(graph: AdminGraph) {
  return graph.request<GraphSp>("GET", `/servicePrincipals(appId='${graphResourceAppId}')?$select=id,oauth2PermissionScopes`);
}

function readGrants(graph: AdminGraph, servicePrincipalId: string) {
  return graph.request<{ value: Grant[] }>("GET", `/oauth2PermissionGrants?$filter=${encodeURIComponent(`clientId eq ${odata(servicePrincipalId)}`)}`);
}

/** A reviewer in words: a user by name when the token may read it, a role by name, otherwise what the query says. */
async function reviewerName(graph: AdminGraph, reviewer: Reviewer): Promise<string> {
  const query = reviewer.query ?? "";
  const user = /^\/(?:v1\.0\/|beta\/)?users\/([^/?]+)$/i.exec(query);
  if (user?.[1]) {
    const read = await graph.request<{ displayName?: string; userPrincipalName?: string }>("GET", `/users/${encodeURIComponent(user[1])}?$select=displayName,userPrincipalName`);
    if (read.ok) return read.value.userPrincipalName ? `${read.value.displayName ?? read.value.userPrincipalName} (${read.value.userPrincipalName})` : (read.value.displayName ?? user[1]);
    return `the user ${user[1]}`;
  }
  const role = /roleDefinitionId eq '([^']+)'/i.exec(query);
  if (role?.[1]) return `people with the ${roleNames[role[1].toLowerCase()] ?? `role ${role[1]}`} role`;
  const group = /^\/(?:v1\.0\/|beta\/)?groups\/([^/?]+)/i.exec(query);
  if (group?.[1]) return `members of the group ${group[1]}`;
  return query || "a reviewer";
}

function tenantWide(grants: readonly Grant[], graphSpId: string | undefined): { grant?: Grant; scopes: string[] } {
  const grant = grants.find((candidate) => candidate.consentType === "AllPrincipals" && (!graphSpId || candidate.resourceId === graphSpId));
  return { ...(grant ? { grant } : {}), scopes: (grant?.scope ?? "").split(" ").filter(Boolean) };
}

function refusedForScope<T>(result: AdminGraphResult<T>, cloud: Cloud): void {
  if (!result.ok && result.failure.status === 403) throw new ConsentTokenError(noPolicyScopeMessage(cloud), "no-policy-scope");
  if (!result.ok) throw new ConsentTokenError(`Microsoft Graph did not answer the pre-flight's reads (${result.failure.code}). Try again in a minute.`, "graph-unavailable");
}

/** Reads everything the prediction rests on; two round trips. */
export async function readConsentFacts(graph: AdminGraph, cloud: Cloud, tenantId: string, app: SignInApp): Promise<{ facts: ConsentFacts; grant?: Grant; graphSpId?: string }> {
  const [authorization, requestPolicy, signInSp, graphSp, classifications] = await Promise.all([
    graph.request<{ defaultUserRolePermissions?: { permissionGrantPoliciesAssigned?: string[] } }>("GET", "/policies/authorizationPolicy"),
    graph.request<{ isEnabled?: boolean; reviewers?: Reviewer[] }>("GET", "/policies/adminConsentRequestPolicy"),
    readSignInApp(graph, app.clientId),
    readGraphSp(graph),
    graph.request<{ value: { permissionId: string; classification: string }[] }>("GET", `/servicePrincipals(appId='${graphResourceAppId}')/delegatedPermissionClassifications`),
  ]);
  refusedForScope(authorization, cloud);
  const assigned = authorization.ok ? (authorization.value.defaultUserRolePermissions?.permissionGrantPoliciesAssigned ?? []) : [];
  const sp = signInSp.ok ? signInSp.value.value[0] : undefined;
  const graphSpId = graphSp.ok ? graphSp.value.id : undefined;
  const workflowOn = requestPolicy.ok && requestPolicy.value.isEnabled === true;
  const policyIds = selfConsentPolicyIds(assigned);
  const [policies, grants, reviewers] = await Promise.all([
    Promise.all(policyIds.map((id) => graph.request<GrantPolicy>("GET", `/policies/permissionGrantPolicies/${encodeURIComponent(id)}`))),
    sp ? readGrants(graph, sp.id) : Promise.resolve(undefined),
    workflowOn ? Promise.all((requestPolicy.value.reviewers ?? []).map((reviewer) => reviewerName(graph, reviewer))) : Promise.resolve([]),
  ]);
  const wide = tenantWide(grants?.ok ? grants.value.value : [], graphSpId);
  const facts: ConsentFacts = {
    tenantId,
    assigned,
    policies: policies.flatMap((result) => (result.ok ? [{ ...result.value, includes: result.value.includes ?? [], excludes: result.value.excludes ?? [] }] : [])),
    unreadablePolicies: policyIds.filter((_, index) => !policies[index]?.ok),
    graphScopes: graphSp.ok ? (graphSp.value.oauth2PermissionScopes ?? []) : [],
    classifications: classifications.ok ? classifications.value.value : [],
    app: sp
      ? {
          appId: sp.appId,
          servicePrincipalId: sp.id,
          ownerTenantId: sp.appOwnerOrganizationId ?? null,
          verifiedPublisherId: sp.verifiedPublisher?.verifiedPublisherId ?? null,
          assignmentRequired: sp.appRoleAssignmentRequired === true,
        }
      : undefined,
    appId: app.clientId,
    tenantWideScopes: wide.scopes,
    workflow: { enabled: workflowOn, reviewers },
    multiTenant: app.multiTenant,
  };
  return { facts, ...(wide.grant ? { grant: wide.grant } : {}), ...(graphSpId ? { graphSpId } : {}) };
}

export type PredictInput = { cloud: Cloud; token: string; app: SignInApp; actor: AuditActor; ip?: string | null; now?: Date };

/**
 * Runs the pre-flight with a pasted token (or a token from the setup app sign-in) and stores
 * the answer, replacing the tenant's previous one.
 */
export async function predictConsent(db: DbClient, ring: KeyRing, input: PredictInput): Promise<ConsentPrediction & { tenantId: string }> {
  const now = input.now ?? new Date();
  const token = input.token.trim().replace(/^bearer\s+/i, "");
  const facts = inspectConsentToken(token, input.cloud, now);
  // A single-organisation app's members all meet their own organisation's policy: another tenant's
  // prediction (and its reviewers' names) would be shown to them as theirs.
  if (!input.app.multiTenant && input.app.homeTenant) {
    const home = await homeTenantId(input.cloud, input.app.homeTenant);
    if (home && home !== facts.tenantId.toLowerCase()) {
      throw new ConsentTokenError(
        `This token is from another organisation (tenant ${facts.tenantId}). The mailbox sign-in app serves only ${input.app.homeTenant}: use a token of an administrator there.`,
        "other-tenant",
      );
    }
  }
  const graph = createAdminGraph(input.cloud, token);
  const read = await readConsentFacts(graph, input.cloud, facts.tenantId, input.app);
  const prediction = predictFromFacts(read.facts);
  const tokenUntil = new Date(Math.min(facts.expiresAt.getTime(), now.getTime() + GRANT_WINDOW_MS));
  await saveConsentPrediction(db, ring, { tenantId: facts.tenantId, clientId: input.app.clientId, prediction, token, tokenUntil, checkedById: input.actor?.id ?? null, checkedAt: now });
  await recordAudit(db, {
    actor: input.actor,
    action: "consent.preflight",
    target: { type: "tenant", id: facts.tenantId },
    summary: `Consent pre-flight for the mailbox sign-in app ${input.app.clientId}: ${prediction.outcome}.`,
    ip: input.ip ?? null,
  });
  return { ...prediction, tenantId: facts.tenantId };
}

export type GrantResult = { ok: true; prediction: ConsentPrediction } | { ok: false; message: string };

/**
 * The one-click fix: a tenant-wide (AllPrincipals) grant of the sign-in app's delegated permissions on
 * Microsoft Graph, with the token sealed by the pre-flight run. An existing tenant-wide grant is
 * widened rather than duplicated. The sign-in app's enterprise application is not created here: an
 * app without one in this tenant gets it from the admin-consent link, which also grants.
 */
export async function grantTenantWide(db: DbClient, ring: KeyRing, input: { cloud: Cloud; tenantId: string; app: SignInApp; actor: AuditActor; ip?: string | null; now?: Date }): Promise<GrantResult> {
  const now = input.now ?? new Date();
  const token = input.actor ? await openConsentToken(db, ring, { tenantId: input.tenantId, userId: input.actor.id, clientId: input.app.clientId }, now) : undefined;
  if (!token) {
    return {
      ok: false,
      message: "There is no token of yours kept for this grant: it is kept for 15 minutes, for the administrator who ran the pre-flight and the sign-in app it checked. Paste a fresh token and run the pre-flight again.",
    };
  }
  try {
    const graph = createAdminGraph(input.cloud, token);
    const [signInSp, graphSp] = await Promise.all([readSignInApp(graph, input.app.clientId), readGraphSp(graph)]);
    const sp = signInSp.ok ? signInSp.value.value[0] : undefined;
    if (!graphSp.ok) return { ok: false, message: `Microsoft Graph did not answer (${graphSp.failure.code}). Try again in a minute.` };
    if (!sp) {
      return {
        ok: false,
        message: "The mailbox sign-in app has no enterprise application in your organisation yet, so there is nothing to grant to. Send the admin-consent link instead: accepting it creates the enterprise application and grants the permissions.",
      };
    }
    const grants = await readGrants(graph, sp.id);
    const existing = tenantWide(grants.ok ? grants.value.value : [], graphSp.value.id);
    const scope = [...new Set([...existing.scopes, ...signInAppScopeValues])].join(" ");
    const write = existing.grant
      ? await graph.request("PATCH", `/oauth2PermissionGrants/${encodeURIComponent(existing.grant.id)}`, { body: { scope } })
      : await graph.request<Grant>("POST", "/oauth2PermissionGrants", { body: { clientId: sp.id, consentType: "AllPrincipals", resourceId: graphSp.value.id, scope } });
    if (!write.ok) {
      return {
        ok: false,
        message:
          write.failure.status === 403
            ? "Microsoft refused the grant: it needs a token with DelegatedPermissionGrant.ReadWrite.All from a Global Administrator, Privileged Role Administrator, Application Administrator or Cloud Application Administrator."
            : `Microsoft refused the grant (${write.failure.code}): ${write.failure.message.slice(0, 200)}`,
      };
    }
    const grantId = existing.grant?.id ?? (write.value as Grant).id;
    await recordAudit(db, {
      actor: input.actor,
      action: "consent.grant",
      target: { type: "tenant", id: input.tenantId },
      summary: `Granted ${signInAppScopeValues.join(", ")} to the mailbox sign-in app ${input.app.clientId} for everyone in the tenant (oauth2PermissionGrant ${grantId}, service principal ${sp.id}).`,
      ip: input.ip ?? null,
    });
    const read = await readConsentFacts(graph, input.cloud, input.tenantId, input.app);
    const prediction = predictFromFacts(read.facts);
    await saveConsentPrediction(db, ring, { tenantId: input.tenantId, clientId: input.app.clientId, prediction, checkedById: input.actor?.id ?? null, checkedAt: now });
    return { ok: true, prediction };
  } finally {
    await clearConsentToken(db, input.tenantId);
  }
}
