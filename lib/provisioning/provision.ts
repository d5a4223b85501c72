import "server-only";
import { randomUUID } from "node:crypto";
import { certificateDer, describeCertificate, generateCertificateCredential } from "@/lib/crypto/certificates";
import { recordAudit, type AuditActor } from "@/lib/audit/audit";
import { isGuid } from "@/lib/checks/format";
import type { CheckReport } from "@/lib/checks/schema";
import { runChecks } from "@/lib/checks/run-checks";
import { createConnection } from "@/lib/connections/connections";
import type { KeyRing } from "@/lib/crypto/seal";
import type { Cloud } from "@/lib/entra/clouds";
import { graphResourceAppId } from "@/lib/entra/permissions";
import type { AppPrismaClient } from "@/lib/db/types";
import { createAdminGraph, type AdminGraph, type AdminGraphFailure } from "@/lib/provisioning/admin-graph";
import { explainFailure, hasCode, isAlreadyGranted } from "@/lib/provisioning/explain";
import { recordTenantName } from "@/lib/connections/tenant-names";
import { odataLiteral, runPreflight, type ChecklistItem, type CredentialPlan, type PreflightPlan, type PreflightResult, type TaggedApp } from "@/lib/provisioning/preflight";
import {
  createProvisioningRecord,
  discardProvisioningSecrets,
  finishProvisioning,
  getProvisioning,
  keepProvisioningCertificate,
  keepProvisioningSecret,
  openProvisioningSecrets,
  recordStep,
  updateProvisioning,
  type MicrosoftIds,
  type ProvisioningRow,
} from "@/lib/provisioning/records";
import { getEnv } from "@/lib/env";
import { defaultBackoff, replicationTokenCodes, withReplicationRetry, type BackoffOptions, type RetryOutcome } from "@/lib/provisioning/replication";
import { inspectSetupToken, type SetupTokenFacts } from "@/lib/provisioning/setup-token";
import { wizardConsentHandOff } from "@/lib/wizard/consent-hand-off";
import { consentRedirectUri } from "@/lib/wizard/urls";

/**
 * "Set it up for me": registers the console's app in the administrator's tenant with their Graph
 * token, grants its permissions, adds its credential, verifies what Microsoft really granted, and
 * saves the connection.
 *
 *   pre-flight reads (parallel) → create app → create service principal → (grants ‖ credential) → verify → save
 *
 * Every Microsoft write is recorded (its step row, with Microsoft's ids) and audited as soon as it
 * succeeds, so running the same provisioning again, after a crash, a replication time-out or a
 * consent hand-off, continues from the first unfinished step and never creates a second app.
 */

/** Tags the console puts on apps it creates: one to find its apps, one to find this provisioning's app after a crash. */
export const CONSOLE_APP_TAG = "calsync-console";
export const provisioningTag = (id: string) => `calsync-provisioning:${id}`;

export type ProvisioningEvent = { type: "item"; item: ChecklistItem };

export type ProvisioningOutcome = {
  id: string;
  status: "done" | "handoff" | "waiting" | "failed" | "stopped" | "busy";
  message: string;
  items: ChecklistItem[];
  handOff?: { url: string; message: string; tenant: string };
  report?: CheckReport;
  connectionId?: string;
  /** What Microsoft really granted, read back from the service principal. */
  grantedRoles?: string[];
};

export type RunOptions = {
  actor: AuditActor;
  ip?: string | null;
  onEvent?: (event: ProvisioningEvent) => void;
  backoff?: BackoffOptions;
  signal?: AbortSignal;
  /** Save the connection (the console) or stop after verifying (the CLI's --no-save). */
  save?: boolean;
  /** A test hook: throws inside the run right after the named step is recorded, as a crash would. */
  crashAfter?: string;
  /** A test hook: the certificate's key, since generating an RSA-3072 key takes up to a second. */
  certificateKeyPem?: string;
};

export type StartInput = {
  cloud: Cloud;
  token: string;
  displayName: string;
  /** The credential's lifetime in months, a secret's or a certificate's. */
  secretMonths: number;
  reuseObjectId?: string;
  /** A client secret (default), or a certificate the console generates and uploads. */
  credentialKind?: "secret" | "certificate";
};

export const MAX_SECRET_MONTHS = 24;

export function provisioningBackoff(): BackoffOptions {
  return { ...defaultBackoff, boundMs: getEnv().CALSYNC_PROVISION_REPLICATION_MINUTES * 60_000 };
}

/** Creates the provisioning record (the token sealed to it). Throws with a plain message when the token is unusable. */
export async function startProvisioning(db: AppPrismaClient, ring: KeyRing, input: StartInput, actor: AuditActor): Promise<string> {
  const inspected = inspectSetupToken(input.token, input.cloud);
  if (!inspected.ok) throw new ProvisioningInputError(inspected.problem);
  const id = randomUUID();
  await createProvisioningRecord(db, ring, {
    id,
    cloud: input.cloud.id,
    tenantId: inspected.facts.tenantId,
    displayName: input.displayName,
    secretMonths: input.secretMonths,
    credentialKind: input.credentialKind ?? "secret",
    ...(input.reuseObjectId ? { reuseObjectId: input.reuseObjectId } : {}),
    token: input.token.trim().replace(/^bearer\s+/i, ""),
    createdById: actor?.id ?? null,
  });
  return id;
}

export class ProvisioningInputError extends Error {
  override name = "ProvisioningInputError";
}

type Context = {
  db: AppPrismaClient;
  ring: KeyRing;
  cloud: Cloud;
  graph: AdminGraph;
  row: ProvisioningRow;
  /** What the administrator's token says about them: whose app a tagged one must be, whose mailbox to read. */
  facts: SetupTokenFacts;
  options: RunOptions;
  backoff: BackoffOptions;
  items: Map<string, ChecklistItem>;
  /**
   * Records and audit entries written beside the next Microsoft request instead of before it: a run
   * that stops early is resumed from Microsoft's side (the app's tag, ObjectConflict), so they need
   * not hold up the next round trip. Settled before the run returns.
   */
  background: Promise<unknown>[];
  /** The run's lease on the provisioning, renewed before each step (each may wait out replication up to the bound). */
  lease: { until: Date };
  /** When this run saw the permissions granted: by its own grants, or found after a hand-off. */
  consentGrantedAt?: Date;
  /** The credential added in this run, so the verification need not read it back. */
  credential?: NewCredential;
};

function later(ctx: Context, write: Promise<unknown>): void {
  ctx.background.push(write);
}

async function settle(ctx: Context): Promise<void> {
  const writes = ctx.background.splice(0);
  const results = await Promise.allSettled(writes);
  const failed = results.find((result) => result.status === "rejected");
  if (failed) throw failed.reason;
}

const stepTitles: Record<string, string> = {
  "create-app": "Create the app registration",
  "create-service-principal": "Create its service principal (enterprise application)",
  grant: "Grant Calendars.ReadWrite and User.Read.All (admin consent)",
  credential: "Add its credential (a client secret or a certificate)",
  verify: "Verify what Microsoft granted",
  save: "Save the connection",
};

function show(ctx: Context, item: ChecklistItem): void {
  ctx.items.set(item.id, item);
  ctx.options.onEvent?.({ type: "item", item });
}

function stepItem(ctx: Context, id: string, status: ChecklistItem["status"], detail: string, who?: string): void {
  show(ctx, { id, title: stepTitles[id] ?? id, status, detail, ...(who ? { who } : {}) });
}

/**
 * Extends the run's lease for the next step. A step may wait out replication up to the bound, so a
 * lease taken once for the whole run could lapse and let a second window run the same writes. A lease
 * that lapsed and was taken meanwhile stops this run before it writes anything more.
 */
async function holdLease(ctx: Context): Promise<void> {
  const until = new Date(Date.now() + ctx.backoff.boundMs + 2 * 60_000);
  const { count } = await ctx.db.provisioning.updateMany({ where: { id: ctx.row.id, leaseUntil: ctx.lease.until }, data: { leaseUntil: until } });
  if (count === 0) throw new StepStop("busy", "Another window or process took over this setup while it waited; it continues there.");
  ctx.lease.until = until;
}

/** When the permissions were granted through this provisioning: in this run, or as recorded by an earlier one. */
function consentGrantedAt(ctx: Context): Date | undefined {
  const recorded = ctx.row.steps.find((step) => step.step === "grant" && step.status === "done");
  // Only assignments an earlier run made count; "existing" ones were there before this setup.
  const madeHere = recorded && Object.values((recorded.microsoftIds ?? {}) as Record<string, unknown>).some((assignment) => assignment !== "existing");
  return ctx.consentGrantedAt ?? (madeHere ? recorded.updatedAt : undefined);
}

function done(row: ProvisioningRow, step: string): boolean {
  return row.steps.some((candidate) => candidate.step === step && candidate.status === "done");
}

async function audit(ctx: Context, action: string, summary: string): Promise<void> {
  await recordAudit(ctx.db, {
    actor: ctx.options.actor,
    action: `provisioning.${action}`,
    target: { type: "provisioning", id: ctx.row.id, label: ctx.row.displayName },
    summary,
    ip: ctx.options.ip ?? null,
  });
}

async function crashPoint(ctx: Context, step: string, record?: () => Promise<void>): Promise<void> {
  if (ctx.options.crashAfter !== step) return;
  await settle(ctx);
  await record?.();
  throw new Error(`simulated crash after ${step}`);
}

/** Retries on replication only, and shows each wait on the checklist. */
function retrying<T>(ctx: Context, step: string, run: () => Promise<{ ok: true; value: T } | { ok: false; failure: AdminGraphFailure }>): Promise<RetryOutcome<T>> {
  return withReplicationRetry(run, {
    ...ctx.backoff,
    ...(ctx.options.signal ? { signal: ctx.options.signal } : {}),
    onWait: ({ attempt, nextInMs }) =>
      stepItem(ctx, step, "waiting", `Waiting for Microsoft Entra to replicate (attempt ${attempt}, next try in ${Math.max(1, Math.round(nextInMs / 1000))} s)`),
  });
}

class StepStop extends Error {
  constructor(
    readonly status: ProvisioningOutcome["status"],
    message: string,
    /** No later attempt may continue it: the token is discarded and the page offers no retry. */
    readonly final = false,
  ) {
    super(message);
  }
}

async function failStep(ctx: Context, step: string, outcome: Extract<RetryOutcome<unknown>, { ok: false }>): Promise<never> {
  const explanation = explainFailure(step, outcome.failure, { replicationTimedOut: outcome.replication, boundMinutes: Math.round(ctx.backoff.boundMs / 60_000) });
  const status = outcome.replication ? "waiting" : "failed";
  await recordStep(ctx.db, ctx.row.id, step, { status: outcome.replication ? "waiting" : "failed", attempts: outcome.attempts, error: `${outcome.failure.code} (HTTP ${outcome.failure.status})` });
  stepItem(ctx, step, "fail", explanation.detail, explanation.who);
  throw new StepStop(status, explanation.detail);
}

async function createApp(ctx: Context, plan: PreflightPlan): Promise<void> {
  const { row } = ctx;
  if (row.applicationObjectId && row.appId) return stepItem(ctx, "create-app", "pass", `Created earlier: application (client) ID ${row.appId}.`);
  stepItem(ctx, "create-app", "running", "Creating…");
  let created: { id: string; appId: string } | undefined;
  if (row.reuseObjectId) {
    const existing = await ctx.graph.request<{ id: string; appId: string }>("GET", `/applications/${encodeURIComponent(row.reuseObjectId)}?$select=id,appId`);
    if (!existing.ok) await failStep(ctx, "create-app", { ok: false, failure: existing.failure, attempts: 1, replication: false });
    else created = existing.value;
  } else {
    // A crash between Microsoft's answer and our record leaves a tagged app behind, which the
    // pre-flight's tag search already found: adopt it, if it is really ours.
    if (plan.tagged.length > 0) created = await adoptTaggedApp(ctx, plan.tagged);
    else {
      const result = await ctx.graph.request<{ id: string; appId: string }>("POST", "/applications", {
        body: {
          displayName: row.displayName,
          signInAudience: "AzureADMyOrg",
          tags: [CONSOLE_APP_TAG, provisioningTag(row.id)],
          notes: "Registered by Calsync Console (Set it up for me). Deleting it disconnects the console from this tenant.",
          requiredResourceAccess: [{ resourceAppId: graphResourceAppId, resourceAccess: plan.roles.map((role) => ({ id: role.id, type: "Role" })) }],
          web: { redirectUris: [consentRedirectUri()] },
        },
      });
      if (!result.ok) await failStep(ctx, "create-app", { ok: false, failure: result.failure, attempts: 1, replication: false });
      else {
        created = result.value;
        later(ctx, audit(ctx, "create-app", `Created app “${row.displayName}” in tenant ${row.tenantId}: application (client) ID ${created.appId}, object ID ${created.id}`));
      }
    }
  }
  if (!created) return;
  row.applicationObjectId = created.id;
  row.appId = created.appId;
  later(ctx, updateProvisioning(ctx.db, row.id, { applicationObjectId: created.id, appId: created.appId }));
  later(ctx, recordStep(ctx.db, row.id, "create-app", { status: "done", microsoftIds: { applicationObjectId: created.id, appId: created.appId }, attempts: 1 }));
  stepItem(ctx, "create-app", "pass", `Application (client) ID ${created.appId}.`);
  await crashPoint(ctx, "create-app");
}

/** Apps created up to this long before the provisioning began still count as after it: Microsoft's clock is not ours. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * A tagged app is this provisioning's only when it is the only one with the tag, Microsoft created
 * it after the provisioning began, the signed-in administrator is its only owner (whoever registers
 * an app becomes its owner), and it has no credential and no service principal yet (the lost answer
 * came before the next step). The tag is readable by anyone in the tenant once our app exists, so
 * someone may copy it onto an app of their own, make the administrator an owner, and add a secret or
 * a federated credential before stepping back; adopting that app would grant it Calendars.ReadWrite
 * across the tenant. Anything else ends the provisioning for good: nothing is reused, the token is
 * discarded, and a new setup starts from a clean slate.
 */
async function adoptTaggedApp(ctx: Context, tagged: TaggedApp[]): Promise<{ id: string; appId: string }> {
  const { row } = ctx;
  const ids = tagged.map((app) => `${app.appId} (object ID ${app.id})`).join(", ");
  const refuse = async (reason: string, code: string): Promise<never> => {
    const detail = `${reason} Nothing was reused and nothing more was changed. Check ${tagged.length === 1 ? "that app" : "these apps"} in the Microsoft Entra admin center (App registrations), delete any you do not recognise, then start a new setup.`;
    await Promise.all([
      recordStep(ctx.db, row.id, "create-app", { status: "failed", attempts: 0, error: code }),
      audit(ctx, "tagged-app-refused", `Refused to adopt app ${ids} in tenant ${row.tenantId}, which carries this setup's tag: ${code}`),
    ]);
    stepItem(ctx, "create-app", "fail", detail, "an Application Administrator or Global Administrator");
    throw new StepStop("failed", detail, true);
  };
  if (tagged.length > 1) {
    return refuse(`${tagged.length} apps carry the tag this setup puts on the app it creates: ${ids}. Only one can be the app an earlier attempt created; another may have been made by someone else to receive this app's permissions.`, "several tagged apps");
  }
  const [app] = tagged as [TaggedApp];
  const createdAt = Date.parse(app.createdDateTime ?? "");
  if (!Number.isFinite(createdAt) || createdAt < row.createdAt.getTime() - CLOCK_SKEW_MS) {
    return refuse(`The app ${ids} carries the tag this setup puts on the app it creates, but Microsoft registered it before this setup began, so an earlier attempt cannot have created it.`, "tagged app older than the setup");
  }
  if (!isGuid(app.appId)) return refuse(`The app ${ids} carries the tag this setup puts on the app it creates, but Microsoft named no valid client ID for it.`, "tagged app without a client ID");
  // Read side by side. A resume right after the crash may ask before the new app has replicated, so
  // each read waits like the writes do.
  const path = `/applications/${encodeURIComponent(app.id)}`;
  const read = <T>(url: string) => retrying(ctx, "create-app", () => ctx.graph.request<T>("GET", url));
  const [owners, credentials, federated, principals] = await Promise.all([
    // Owners are directory objects; $select keeps them to their ids.
    read<{ value: { id: string }[]; "@odata.nextLink"?: string }>(`${path}/owners?$select=id`),
    read<{ passwordCredentials?: unknown[]; keyCredentials?: unknown[] }>(`${path}?$select=passwordCredentials,keyCredentials`),
    read<{ value: unknown[] }>(`${path}/federatedIdentityCredentials`),
    read<{ value: { id: string }[] }>(`/servicePrincipals?$filter=${encodeURIComponent(`appId eq ${odataLiteral(app.appId)}`)}&$select=id`),
  ]);
  if (!owners.ok) return failStep(ctx, "create-app", owners);
  if (!credentials.ok) return failStep(ctx, "create-app", credentials);
  if (!federated.ok) return failStep(ctx, "create-app", federated);
  if (!principals.ok) return failStep(ctx, "create-app", principals);
  const ownerIds = owners.value.value.map((owner) => owner.id.toLowerCase());
  if (owners.value["@odata.nextLink"] !== undefined || ownerIds.length !== 1 || ownerIds[0] !== ctx.facts.userId.toLowerCase()) {
    return refuse(
      `The app ${ids} carries the tag this setup puts on the app it creates, but you (${ctx.facts.account}) are not its only owner, as you would be had this setup created it with your sign-in.`,
      "tagged app owned by someone else",
    );
  }
  const credentialCount = (credentials.value.passwordCredentials?.length ?? 0) + (credentials.value.keyCredentials?.length ?? 0) + federated.value.value.length;
  if (credentialCount > 0) {
    return refuse(`The app ${ids} carries the tag this setup puts on the app it creates, but it already has ${credentialCount === 1 ? "a credential" : `${credentialCount} credentials`} (secrets, certificates or federated credentials) that this setup did not add.`, "tagged app with credentials");
  }
  if (principals.value.value.length > 0) {
    return refuse(`The app ${ids} carries the tag this setup puts on the app it creates, but it already has a service principal that this setup did not create.`, "tagged app with a service principal");
  }
  later(ctx, audit(ctx, "create-app", `Adopted app “${row.displayName}” in tenant ${row.tenantId}, created by an earlier attempt whose answer was lost: application (client) ID ${app.appId}, object ID ${app.id}`));
  return { id: app.id, appId: app.appId };
}

async function createServicePrincipal(ctx: Context): Promise<void> {
  const { row } = ctx;
  if (row.servicePrincipalId) return stepItem(ctx, "create-service-principal", "pass", `Created earlier: object ID ${row.servicePrincipalId}.`);
  stepItem(ctx, "create-service-principal", "running", "Creating…");
  const appId = row.appId ?? "";
  const outcome = await retrying(ctx, "create-service-principal", () => ctx.graph.request<{ id: string }>("POST", "/servicePrincipals", { body: { appId } }));
  let spId: string | undefined;
  const attempts = outcome.attempts;
  if (outcome.ok) {
    spId = outcome.value.id;
    later(ctx, audit(ctx, "create-service-principal", `Created the service principal of app ${appId} in tenant ${row.tenantId}: object ID ${spId}`));
  } else if (hasCode(outcome.failure, "ObjectConflict")) {
    // An earlier attempt created it and stopped before recording it.
    const existing = await ctx.graph.request<{ value: { id: string }[] }>("GET", `/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${appId}'`)}&$select=id`);
    spId = existing.ok ? existing.value.value[0]?.id : undefined;
  }
  if (!spId) return failStep(ctx, "create-service-principal", outcome.ok ? { ok: false, failure: { status: 404, code: "Request_ResourceNotFound", detailCodes: [], message: "" }, attempts, replication: false } : outcome);
  row.servicePrincipalId = spId;
  later(ctx, updateProvisioning(ctx.db, row.id, { servicePrincipalId: spId }));
  later(ctx, recordStep(ctx.db, row.id, "create-service-principal", { status: "done", microsoftIds: { servicePrincipalId: spId }, attempts: Math.max(1, attempts) }));
  stepItem(ctx, "create-service-principal", "pass", `Object ID ${spId}.`);
  await crashPoint(ctx, "create-service-principal");
}

async function grantedRoleIds(ctx: Context): Promise<string[] | undefined> {
  const read = await ctx.graph.request<{ value: { appRoleId: string; resourceId: string }[] }>("GET", `/servicePrincipals/${ctx.row.servicePrincipalId ?? ""}/appRoleAssignments`);
  return read.ok ? read.value.value.map((assignment) => assignment.appRoleId.toLowerCase()) : undefined;
}

async function grant(ctx: Context, plan: PreflightPlan): Promise<ProvisioningOutcome["handOff"] | undefined> {
  const { row } = ctx;
  if (done(row, "grant")) return stepItem(ctx, "grant", "pass", "Granted earlier."), undefined;
  // Who cannot grant learns from the read-back whether someone else has consented meanwhile; who can
  // grants at once (an existing grant answers "already exists", which counts as success).
  const already = plan.grant === "handoff" ? ((await grantedRoleIds(ctx)) ?? []) : [];
  const missing = plan.roles.filter((role) => !already.includes(role.id.toLowerCase()));
  if (missing.length > 0 && plan.grant === "handoff") {
    const handOff = wizardConsentHandOff({ cloud: ctx.cloud, tenant: row.tenantId, clientId: row.appId ?? "", requester: ctx.options.actor?.email ?? "Calsync Console" });
    await recordStep(ctx.db, row.id, "grant", { status: "handoff", attempts: 0 });
    stepItem(ctx, "grant", "handoff", "You cannot grant these permissions yourself. Send the link and message below to a Privileged Role Administrator or Global Administrator; once they approve, check again here.", "a Privileged Role Administrator or Global Administrator");
    return handOff;
  }
  stepItem(ctx, "grant", "running", "Granting…");
  const ids: MicrosoftIds = {};
  let attempts = 0;
  // One assignment per role, in parallel: each is the admin consent for that permission.
  const outcomes = await Promise.all(
    missing.map(async (role) => {
      const outcome = await retrying(ctx, "grant", async () => {
        const result = await ctx.graph.request<{ id: string }>("POST", `/servicePrincipals/${plan.graphServicePrincipalId}/appRoleAssignedTo`, {
          body: { principalId: row.servicePrincipalId, resourceId: plan.graphServicePrincipalId, appRoleId: role.id },
        });
        // Granted by an earlier attempt whose answer was lost: the permission is there, which is what we wanted.
        if (!result.ok && isAlreadyGranted(result.failure)) return { ok: true as const, value: { id: "existing" } };
        return result;
      });
      return { role, outcome };
    }),
  );
  for (const { role, outcome } of outcomes) {
    attempts = Math.max(attempts, outcome.attempts);
    if (!outcome.ok) return failStep(ctx, "grant", outcome);
    ids[role.value] = outcome.value.id;
    if (outcome.value.id !== "existing") {
      later(ctx, audit(ctx, "grant", `Granted Microsoft Graph ${role.value} to app ${row.appId ?? ""} in tenant ${row.tenantId} (assignment ${outcome.value.id})`));
    }
  }
  // Consent given through Calsync (here, or through the hand-off link): the access-denied diagnosis
  // expects Exchange to lag behind it for up to two hours. Assignments that already existed are older.
  if ((plan.grant === "handoff" && !row.reuseObjectId) || Object.values(ids).some((assignment) => assignment !== "existing")) ctx.consentGrantedAt = new Date();
  later(ctx, recordStep(ctx.db, row.id, "grant", { status: "done", microsoftIds: ids, attempts: Math.max(1, attempts) }));
  stepItem(ctx, "grant", "pass", `Granted ${plan.roles.map((role) => role.value).join(" and ")}.`);
  await crashPoint(ctx, "grant");
  return undefined;
}

function secretEnd(months: number, maxDays: number | undefined, now = new Date()): Date {
  const wanted = new Date(now);
  wanted.setUTCMonth(wanted.getUTCMonth() + months);
  if (maxDays === undefined) return wanted;
  // A minute inside the cap: Microsoft compares against its own clock.
  const capped = new Date(now.getTime() + maxDays * 86_400_000 - 60_000);
  return capped < wanted ? capped : wanted;
}

/** What the tenant's policy refuses about a client secret; the console then adds a certificate instead. */
function secretRefusedByPolicy(failure: AdminGraphFailure): boolean {
  return hasCode(failure, "CredentialTypeNotAllowedAsPerAppPolicy") || hasCode(failure, "CredentialInvalidLifetimeAsPerAppPolicy");
}

async function addCredential(ctx: Context, plan: PreflightPlan): Promise<void> {
  const { row } = ctx;
  if (row.credentialKind === "certificate" || plan.credential.kind === "certificate") {
    return addCertificate(ctx, plan.credential.kind === "certificate" ? plan.credential : { kind: "certificate", because: "chosen" });
  }
  if (row.credentialKeyId && (await openProvisioningSecrets(ctx.db, ctx.ring, row.id)).secret) {
    return stepItem(ctx, "credential", "pass", `Added earlier (key ID ${row.credentialKeyId}).`);
  }
  stepItem(ctx, "credential", "running", "Adding…");
  if (row.credentialKeyId) {
    // Its value was lost with the run that added it (the CLI keeps no secrets in its state file): replace it.
    const removed = await ctx.graph.request("POST", `/applications/${row.applicationObjectId ?? ""}/removePassword`, { body: { keyId: row.credentialKeyId } });
    if (removed.ok) await audit(ctx, "credential-remove", `Removed client secret ${row.credentialKeyId} from app ${row.appId ?? ""} in tenant ${row.tenantId}: its value was not kept`);
  }
  const end = secretEnd(row.secretMonths, plan.credential.maxDays);
  const outcome = await retrying(ctx, "credential", () =>
    ctx.graph.request<{ keyId: string; secretText: string; endDateTime: string }>("POST", `/applications/${row.applicationObjectId ?? ""}/addPassword`, {
      body: { passwordCredential: { displayName: `Calsync Console ${new Date().toISOString().slice(0, 10)}`, endDateTime: end.toISOString() } },
    }),
  );
  // A policy this token could not read refuses the secret: a certificate is what such tenants expect.
  if (!outcome.ok && secretRefusedByPolicy(outcome.failure)) return addCertificate(ctx, { kind: "certificate", because: "policy" });
  if (!outcome.ok) return failStep(ctx, "credential", outcome);
  const expiresAt = new Date(outcome.value.endDateTime);
  later(ctx, keepProvisioningSecret(ctx.db, ctx.ring, row.id, { keyId: outcome.value.keyId, value: outcome.value.secretText, expiresAt }));
  row.credentialKeyId = outcome.value.keyId;
  row.credentialExpiresAt = expiresAt;
  ctx.credential = { clientSecret: outcome.value.secretText };
  later(ctx, audit(ctx, "credential", `Added client secret ${outcome.value.keyId} to app ${row.appId ?? ""} in tenant ${row.tenantId}, valid until ${expiresAt.toISOString().slice(0, 10)}`));
  later(ctx, recordStep(ctx.db, row.id, "credential", { status: "done", microsoftIds: { keyId: outcome.value.keyId }, attempts: outcome.attempts }));
  stepItem(ctx, "credential", "pass", `Client secret valid until ${expiresAt.toISOString().slice(0, 10)}.`);
  await crashPoint(ctx, "credential");
}

/**
 * A certificate the console generates, uploaded with `PATCH /applications/{id}` and its
 * `keyCredentials`. Not `addKey`: that needs a proof signed by a certificate the app already has, and
 * a new app has none. Not on `POST /applications` either: the credential stays its own step, run
 * beside the grants, resumable like the secret. The key id is chosen here and kept (with the sealed
 * key) before the upload, so a repeated upload sends the same certificate under the same id.
 */
async function addCertificate(ctx: Context, plan: Extract<CredentialPlan, { kind: "certificate" }>): Promise<void> {
  const { row } = ctx;
  if (row.credentialKind === "certificate" && done(row, "credential")) return stepItem(ctx, "credential", "pass", `Certificate uploaded earlier (key ID ${row.credentialKeyId ?? ""}).`);
  if (row.reuseObjectId) {
    // PATCH replaces the whole keyCredentials collection: on an app the console did not create, that would remove the admin's certificates.
    const detail = "The console uploads its certificate by replacing the app's certificate list, which would remove the certificates this existing app already has. Nothing was changed. Choose another name so the console creates a new app, or connect this app manually with a certificate.";
    await recordStep(ctx.db, row.id, "credential", { status: "failed", attempts: 0, error: "certificate on a reused app" });
    stepItem(ctx, "credential", "fail", detail, "us");
    throw new StepStop("failed", detail);
  }
  stepItem(ctx, "credential", "running", plan.because === "policy" ? "The tenant's policy refuses client secrets: generating a certificate and uploading it…" : "Generating a certificate and uploading it…");
  const kept = await openProvisioningSecrets(ctx.db, ctx.ring, row.id);
  let certificatePem = row.credentialKind === "certificate" ? row.certificatePem : null;
  let keyId = row.credentialKeyId;
  if (!certificatePem || !keyId || !kept.secret) {
    const now = new Date();
    const generated = await generateCertificateCredential({
      commonName: `Calsync Console ${row.displayName}`,
      validityMonths: row.secretMonths,
      now,
      // The policy limits the whole validity, from the certificate's first valid moment.
      ...(plan.maxDays !== undefined ? { maxDays: plan.maxDays } : {}),
      ...(ctx.options.certificateKeyPem ? { privateKeyPem: ctx.options.certificateKeyPem } : {}),
    });
    keyId = randomUUID();
    certificatePem = generated.certificatePem;
    await keepProvisioningCertificate(ctx.db, ctx.ring, row.id, { keyId, privateKeyPem: generated.privateKeyPem, certificatePem, expiresAt: generated.expiresAt });
    row.credentialKind = "certificate";
    row.credentialKeyId = keyId;
    row.certificatePem = certificatePem;
    row.credentialExpiresAt = generated.expiresAt;
  }
  const described = describeCertificate(certificatePem);
  const uploadKeyId = keyId;
  const outcome = await retrying(ctx, "credential", () =>
    ctx.graph.request("PATCH", `/applications/${row.applicationObjectId ?? ""}`, {
      body: { keyCredentials: [{ keyId: uploadKeyId, type: "AsymmetricX509Cert", usage: "Verify", key: certificateDer(certificatePem).toString("base64"), displayName: described.subject }] },
    }),
  );
  if (!outcome.ok) return failStep(ctx, "credential", outcome);
  const until = described.expiresAt.toISOString().slice(0, 10);
  later(ctx, audit(ctx, "credential", `Uploaded certificate ${described.thumbprintSha256.slice(0, 16)}… (key ID ${keyId}) to app ${row.appId ?? ""} in tenant ${row.tenantId}, valid until ${until}`));
  later(ctx, recordStep(ctx.db, row.id, "credential", { status: "done", microsoftIds: { keyId, thumbprintSha256: described.thumbprintSha256 }, attempts: outcome.attempts }));
  stepItem(ctx, "credential", "pass", `Certificate (SHA-256 thumbprint ${described.thumbprintSha256.slice(0, 16)}…) valid until ${until}${plan.because === "policy" ? ", since the tenant's policy refuses client secrets" : ""}.`);
  await crashPoint(ctx, "credential");
}

function replicationInReport(report: CheckReport): boolean {
  return report.checks.some((check) => check.status === "fail" && replicationTokenCodes.some((code) => check.code === code || check.code === code.replace("AADSTS", "")));
}

/** The new app's credential as the checks and the connection take it: its secret, or its certificate and key. */
type NewCredential = { clientSecret: string; certificate?: { privateKeyPem: string; certificatePem: string; thumbprintSha256: string; expiresAt: Date } };

async function newCredential(ctx: Context): Promise<NewCredential> {
  if (ctx.credential) return ctx.credential;
  const { secret } = await openProvisioningSecrets(ctx.db, ctx.ring, ctx.row.id);
  if (ctx.row.credentialKind !== "certificate" || !ctx.row.certificatePem) return { clientSecret: secret ?? "" };
  const described = describeCertificate(ctx.row.certificatePem);
  return { clientSecret: "", certificate: { privateKeyPem: secret ?? "", certificatePem: ctx.row.certificatePem, thumbprintSha256: described.thumbprintSha256, expiresAt: described.expiresAt } };
}

type StepRecord = Parameters<typeof recordStep>[3];

/** A passing verification's record is the caller's to write, with the saved connection; a failing one is written here. */
async function verify(ctx: Context, plan: PreflightPlan, credential: NewCredential): Promise<{ report: CheckReport; granted: string[]; record: StepRecord }> {
  const { row } = ctx;
  stepItem(ctx, "verify", "running", "Signing in as the new app and reading what Microsoft granted…");
  const outcome = await withReplicationRetry(
    async () => {
      // The token check and the read-back of the real grants run side by side.
      const [report, granted] = await Promise.all([
        runChecks(
          {
            cloud: ctx.cloud.id,
            tenant: row.tenantId,
            clientId: row.appId ?? "",
            clientSecret: credential.clientSecret,
            ...(credential.certificate ? { certificate: { privateKeyPem: credential.certificate.privateKeyPem, certificatePem: credential.certificate.certificatePem, thumbprintSha256: credential.certificate.thumbprintSha256 } } : {}),
            mailboxScope: { kind: "all" },
            ...(consentGrantedAt(ctx) ? { consentGrantedAt: consentGrantedAt(ctx)!.toISOString() } : {}),
          },
          { likelyMailbox: { id: ctx.facts.userId, label: ctx.facts.account }, ...(ctx.options.signal ? { signal: ctx.options.signal } : {}) },
        ),
        grantedRoleIds(ctx),
      ]);
      if (replicationInReport(report)) return { ok: false as const, failure: { status: 401, code: "token-replication", detailCodes: [], message: "" } };
      return { ok: true as const, value: { report, granted: granted ?? [] } };
    },
    {
      ...ctx.backoff,
      ...(ctx.options.signal ? { signal: ctx.options.signal } : {}),
      isReplication: (failure) => failure.code === "token-replication",
      onWait: ({ attempt, nextInMs }) => stepItem(ctx, "verify", "waiting", `Waiting for Microsoft Entra to replicate (attempt ${attempt}, next try in ${Math.max(1, Math.round(nextInMs / 1000))} s)`),
    },
  );
  if (!outcome.ok) return failStep(ctx, "verify", outcome);
  const { report, granted } = outcome.value;
  const grantedNames = plan.roles.filter((role) => granted.includes(role.id.toLowerCase())).map((role) => role.value);
  const record: StepRecord = { status: report.ok ? "done" : "failed", microsoftIds: Object.fromEntries(grantedNames.map((name) => [name, "granted"])), attempts: outcome.attempts };
  if (!report.ok) {
    await recordStep(ctx.db, row.id, "verify", record);
    const failed = report.checks.find((check) => check.status === "fail");
    stepItem(ctx, "verify", "fail", failed ? `${failed.title}: ${failed.detail}` : "The verification failed.");
    throw new StepStop("failed", failed?.detail ?? "The verification failed.");
  }
  stepItem(ctx, "verify", "pass", `Microsoft granted ${grantedNames.join(" and ") || "nothing"}; the app signs in and reads calendars.`);
  return { report, granted: grantedNames, record };
}

/** Runs (or resumes) a provisioning to its end, a hand-off, or a stop. Expected failures are outcomes, not exceptions. */
export async function runProvisioning(db: AppPrismaClient, ring: KeyRing, cloud: Cloud, id: string, options: RunOptions): Promise<ProvisioningOutcome> {
  const [row, { token }] = await Promise.all([getProvisioning(db, id), openProvisioningSecrets(db, ring, id)]);
  if (!row) throw new ProvisioningInputError("This provisioning no longer exists.");
  if (!token) {
    return { id, status: "stopped", message: "The administrator's token for this provisioning was discarded. Sign in or paste a new token to continue.", items: [] };
  }
  const items = new Map<string, ChecklistItem>();
  const outcome = (status: ProvisioningOutcome["status"], message: string, extra: Partial<ProvisioningOutcome> = {}): ProvisioningOutcome => ({ id, status, message, items: [...items.values()], ...extra });
  if (row.status === "done" || row.status === "undone" || row.status === "refused") return outcome(row.status === "done" ? "done" : "stopped", row.message ?? "This provisioning has ended.");

  const inspected = inspectSetupToken(token, cloud);
  const graph = createAdminGraph(cloud, token, options.signal);
  const backoff = options.backoff ?? provisioningBackoff();
  // The pre-flight only reads, so it runs beside the claim below; a run that finds the claim taken
  // drops its answers. Its rejection (a bug) surfaces where it is awaited.
  const preflight = inspected.ok
    ? runPreflight(graph, inspected.facts, {
        displayName: row.displayName,
        ...(row.reuseObjectId ? { reuseObjectId: row.reuseObjectId } : {}),
        ...(row.applicationObjectId ? { ownApplicationObjectId: row.applicationObjectId } : {}),
        ...(row.applicationObjectId || row.reuseObjectId ? {} : { tag: provisioningTag(row.id) }),
        credentialKind: row.credentialKind === "certificate" ? "certificate" : "secret",
      })
    : undefined;
  void preflight?.catch(() => undefined);

  // One run at a time: a second window (or the CLI) would otherwise send the same writes twice. A
  // process that dies keeps the lease until it expires, after the longest wait one attempt may take.
  const now = new Date();
  const lease = { until: new Date(now.getTime() + backoff.boundMs + 2 * 60_000) };
  const claimed = await db.provisioning.updateMany({
    where: { id, OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
    data: { leaseUntil: lease.until },
  });
  if (claimed.count === 0) return outcome("busy", "This setup is already running in another window or process. Wait for it to finish, then reload this page.");
  const background: Promise<unknown>[] = [];
  let finished = false;
  try {
    if (!inspected.ok || !preflight) {
      const problem = inspected.ok ? "The token could not be read." : inspected.problem;
      await updateProvisioning(db, id, { status: "failed", message: problem });
      return outcome("stopped", problem);
    }
    const ctx: Context = { db, ring, cloud, graph, row, facts: inspected.facts, options, backoff, items, background, lease };
    const result = await runClaimed(ctx, await preflight, outcome);
    await settle(ctx);
    finished = result.status === "done";
    return result;
  } finally {
    // A run that threw still leaves its records written before the lease goes.
    await Promise.allSettled(background);
    // A finished provisioning let go of its lease in the write that ended it.
    // Only our own lease: one that lapsed may have been taken by another run since.
    if (!finished) await db.provisioning.updateMany({ where: { id, leaseUntil: lease.until }, data: { leaseUntil: null } });
  }
}

async function runClaimed(
  ctx: Context,
  preflight: PreflightResult,
  outcome: (status: ProvisioningOutcome["status"], message: string, extra?: Partial<ProvisioningOutcome>) => ProvisioningOutcome,
): Promise<ProvisioningOutcome> {
  const { db, ring, cloud, row, options } = ctx;
  const { id } = row;
  for (const title of Object.keys(stepTitles)) if (!ctx.items.has(title)) stepItem(ctx, title, "pending", "");
  for (const item of preflight.items) show(ctx, item);
  if (preflight.tenant && preflight.tenant.id.toLowerCase() === ctx.facts.tenantId.toLowerCase()) {
    later(ctx, recordTenantName(db, preflight.tenant.id, preflight.tenant.displayName));
  }
  const { plan } = preflight;
  // A provisioning that already wrote something keeps going; only a fresh one stops on the pre-flight.
  const started = row.applicationObjectId !== null;
  const blocking = started ? preflight.items.filter((item) => item.status === "fail" && item.id !== "name") : [];
  if ((!started && !plan.proceed) || blocking.length > 0) {
    const message = plan.stopReason ?? blocking.map((item) => item.detail).join(" ");
    await updateProvisioning(db, id, { status: "failed", message: message.slice(0, 2000) });
    await discardProvisioningSecrets(db, id);
    return outcome("stopped", message);
  }

  try {
    await createApp(ctx, plan);
    await holdLease(ctx);
    await createServicePrincipal(ctx);
    await holdLease(ctx);
    // Both run to their end before anything is reported, so neither keeps writing after the run stops.
    const [grantResult, credentialResult] = await Promise.allSettled([grant(ctx, plan), addCredential(ctx, plan)]);
    if (grantResult.status === "rejected") throw grantResult.reason;
    if (credentialResult.status === "rejected") throw credentialResult.reason;
    const handOff = grantResult.value;
    if (handOff) {
      const message = "The app is created. Its permissions wait for a Privileged Role Administrator or Global Administrator: send them the link and message.";
      stepItem(ctx, "verify", "skip", "Waits for the permissions to be granted.");
      await updateProvisioning(db, id, { status: "handoff", message });
      return outcome("handoff", message, { handOff });
    }
    const credential = await newCredential(ctx);
    await holdLease(ctx);
    const { report, granted, record } = await verify(ctx, plan, credential);
    // Its record is written with the connection below rather than on its own before it; a run that
    // stops in between verifies again, which writes nothing in the tenant.
    await crashPoint(ctx, "verify", () => recordStep(db, id, "verify", record));
    // The held secret must be written before it is discarded with the rest.
    await settle(ctx);
    const message = `Connected: app ${row.appId ?? ""} in tenant ${row.tenantId}, verified.`;
    let connectionId: string | undefined;
    if (options.save !== false) {
      if (!options.actor) throw new ProvisioningInputError("Saving a connection needs a console account.");
      const actor = options.actor;
      stepItem(ctx, "save", "running", "Saving…");
      // The connection, its step record and the provisioning's end in one transaction.
      const connection = await db.$transaction(async (tx) => {
        const saved = await createConnection(
          tx,
          ring,
          {
            name: row.displayName,
            cloud: cloud.id,
            tenant: row.tenantId,
            clientId: row.appId ?? "",
            clientSecret: credential.clientSecret,
            secretExpiresAt: credential.certificate ? null : row.credentialExpiresAt,
            ...(credential.certificate
              ? { certificate: { ...credential.certificate, generated: true, applicationObjectId: row.applicationObjectId, keyId: row.credentialKeyId } }
              : {}),
            mailboxScope: { kind: "all" },
            testMailbox: null,
            outOfScopeMailbox: null,
            writeTest: false,
            consentGrantedAt: consentGrantedAt(ctx) ?? null,
            report,
          },
          { actor, ...(options.ip !== undefined ? { ip: options.ip } : {}) },
        );
        await recordStep(tx, id, "verify", record);
        await recordStep(tx, id, "save", { status: "done", microsoftIds: { connectionId: saved.id }, attempts: 1 });
        await finishProvisioning(tx, id, { message, connectionId: saved.id, discard: true });
        return saved;
      });
      connectionId = connection.id;
      stepItem(ctx, "save", "pass", `Saved as “${connection.name}”.`);
    } else {
      stepItem(ctx, "save", "skip", "Not saved (--no-save).");
      await recordStep(db, id, "verify", record);
      await finishProvisioning(db, id, { message, discard: false });
    }
    return outcome("done", message, { report, grantedRoles: granted, ...(connectionId ? { connectionId } : {}) });
  } catch (error) {
    if (!(error instanceof StepStop)) throw error;
    // The run that took over owns the record now.
    if (error.status === "busy") return outcome("busy", error.message);
    await updateProvisioning(db, id, { status: error.final ? "refused" : error.status === "waiting" ? "waiting" : "failed", message: error.message.slice(0, 2000) });
    if (error.final) await discardProvisioningSecrets(db, id);
    return outcome(error.status, error.message);
  }
}

/** The new app's secret, for the CLI's --no-save print-out; then discards the held token and secret. */
export async function takeProvisionedSecret(db: AppPrismaClient, ring: KeyRing, id: string): Promise<string | undefined> {
  const { secret } = await openProvisioningSecrets(db, ring, id);
  await discardProvisioningSecrets(db, id);
  return secret;
}

/**
 * Undo: deletes the app (Microsoft removes its service principal and grants with it) and, when asked,
 * removes it from the deleted items too, so it stops counting towards the tenant's quota.
 */
export async function undoProvisioning(
  db: AppPrismaClient,
  cloud: Cloud,
  id: string,
  input: { token: string; permanent: boolean },
  options: Pick<RunOptions, "actor" | "ip" | "backoff" | "signal">,
): Promise<{ ok: true; message: string } | { ok: false; message: string }> {
  const row = await getProvisioning(db, id);
  if (!row?.applicationObjectId) return { ok: false, message: "This provisioning created no app, so there is nothing to undo." };
  if (row.status === "undone") return { ok: false, message: "This provisioning was already undone." };
  const inspected = inspectSetupToken(input.token, cloud);
  if (!inspected.ok) return { ok: false, message: inspected.problem };
  if (inspected.facts.tenantId !== row.tenantId) return { ok: false, message: "This token is for another tenant than the app's." };
  const graph = createAdminGraph(cloud, input.token.trim().replace(/^bearer\s+/i, ""), options.signal);
  const objectId = row.applicationObjectId;
  const deleted = await graph.request("DELETE", `/applications/${objectId}`);
  if (!deleted.ok && deleted.failure.status !== 404) return { ok: false, message: explainFailure("create-app", deleted.failure).detail };
  const auditEntry = (action: string, summary: string) =>
    recordAudit(db, { actor: options.actor, action: `provisioning.${action}`, target: { type: "provisioning", id, label: row.displayName }, summary, ip: options.ip ?? null });
  await auditEntry("undo", `Deleted app ${row.appId ?? ""} (object ID ${objectId}) in tenant ${row.tenantId}, with its service principal and grants`);
  if (input.permanent) {
    const purged = await withReplicationRetry(() => graph.request("DELETE", `/directory/deletedItems/${objectId}`), { ...(options.backoff ?? provisioningBackoff()) });
    if (!purged.ok) return { ok: false, message: `The app is deleted, but not yet permanently: ${explainFailure("create-app", purged.failure, { replicationTimedOut: purged.replication }).detail}` };
    await auditEntry("purge", `Permanently deleted app ${row.appId ?? ""} (object ID ${objectId}) from the deleted items of tenant ${row.tenantId}`);
  }
  if (row.connectionId) await db.connection.deleteMany({ where: { id: row.connectionId } });
  await updateProvisioning(db, id, { status: "undone", message: input.permanent ? "The app was deleted permanently." : "The app was deleted; Microsoft keeps it in deleted items for 30 days." });
  await recordStep(db, id, "undo", { status: "done", microsoftIds: { applicationObjectId: objectId }, attempts: 1 });
  return { ok: true, message: input.permanent ? "The app was deleted permanently." : "The app was deleted. Microsoft keeps it in Deleted applications for 30 days." };
}

