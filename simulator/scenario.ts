import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/**
 * Scenario format for the Entra ID + Microsoft Graph simulator.
 *
 * A scenario is the whole "Microsoft cloud" the simulator pretends to be: tenants with their app
 * registrations (service principals), users, mailboxes, consent state and injected faults. The
 * simulator mutates its live copy (admin consent, created events), so callers that want a pristine
 * state call `setScenario(parseScenario(json))` again.
 */

const guid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { message: "must be a GUID" })
  .transform((value) => value.toLowerCase());

const isoDateTime = z.iso.datetime({ offset: true, message: "must be an ISO 8601 date-time, e.g. 2027-05-01T00:00:00Z" });

export const cloudSchema = z.enum(["global", "usgov", "usgov-dod", "china"]);
export type Cloud = z.infer<typeof cloudSchema>;

export const secretSchema = z.object({
  id: guid,
  value: z.string().min(1),
  expiresAt: isoDateTime,
  displayName: z.string().optional(),
});
export type AppSecret = z.infer<typeof secretSchema>;

/**
 * Either a PEM certificate (thumbprints and public key derived from it) or an explicit SPKI public key
 * plus the SHA-1 thumbprint (hex), as the Entra "certificates & secrets" blade stores them.
 */
export const certificateSchema = z
  .object({
    pem: z.string().includes("BEGIN CERTIFICATE").optional(),
    publicKeyPem: z.string().includes("BEGIN PUBLIC KEY").optional(),
    thumbprint: z
      .string()
      .regex(/^[0-9a-f]{40}$/i, { message: "must be the 40-hex-digit SHA-1 thumbprint" })
      .transform((value) => value.toUpperCase())
      .optional(),
    thumbprintSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/i, { message: "must be the 64-hex-digit SHA-256 thumbprint" })
      .transform((value) => value.toUpperCase())
      .optional(),
    expiresAt: isoDateTime.optional(),
    /** The credential's keyId, as addKey returns it and removeKey takes it. */
    keyId: guid.optional(),
    /** Until then the token endpoint does not know the key yet (replication delay: AADSTS700027). */
    usableFrom: isoDateTime.optional(),
  })
  .refine((value) => value.pem !== undefined || (value.publicKeyPem !== undefined && value.thumbprint !== undefined), {
    message: "give either pem, or publicKeyPem together with thumbprint",
  });
export type AppCertificate = z.infer<typeof certificateSchema>;

/**
 * What Exchange Online adds to and takes away from an app's Entra grant, per mailbox (app-only access):
 * - `rbacAssignments`: RBAC for Applications (New-ManagementRoleAssignment -App … -Role "Application
 *   Calendars.ReadWrite" with a scope). These grants are independent of the unscoped Entra grant and
 *   add to it: the app reaches a mailbox when either allows it
 *   (https://learn.microsoft.com/en-us/exchange/permissions-exo/application-rbac).
 * - `accessPolicies`: legacy application access policies (New-ApplicationAccessPolicy). They restrict
 *   the Entra grant: RestrictAccess keeps only the group's mailboxes, DenyAccess keeps all but them;
 *   a refused mailbox answers 403 ErrorAccessDenied "Access to OData is disabled."
 *   (https://learn.microsoft.com/en-us/graph/auth-limit-mailbox-access, "Handling API errors").
 * Mailboxes are listed by UPN, mail or object id (standing in for the scope's group members).
 */
export const exchangeScopingSchema = z.object({
  rbacAssignments: z
    .array(z.object({ role: z.enum(["Application Calendars.Read", "Application Calendars.ReadWrite"]), mailboxes: z.array(z.string().min(1)) }))
    .default([]),
  accessPolicies: z.array(z.object({ accessRight: z.enum(["RestrictAccess", "DenyAccess"]), mailboxes: z.array(z.string().min(1)) })).default([]),
  /**
   * False while a fresh Entra grant has not reached Exchange yet: the token carries the role, and
   * Exchange still answers the plain "Access is denied." (put the change in `pendingExchangeScoping`).
   */
  entraGrantSeen: z.boolean().default(true),
});
export type ExchangeScoping = z.infer<typeof exchangeScopingSchema>;

/**
 * A scoping change on its way through Exchange (Microsoft: up to 2 hours). It replaces the app's
 * `exchangeScoping` once the simulator's clock passes `effectiveAt`, or after `afterRequests` more
 * mailbox requests by the app, whichever comes first; with neither it applies on the next request.
 */
export const pendingExchangeScopingSchema = z.object({
  scoping: exchangeScopingSchema,
  effectiveAt: isoDateTime.optional(),
  afterRequests: z.number().int().nonnegative().optional(),
});
export type PendingExchangeScoping = z.infer<typeof pendingExchangeScopingSchema>;

export const signInAudienceSchema = z.enum([
  "AzureADMyOrg",
  "AzureADMultipleOrgs",
  "AzureADandPersonalMicrosoftAccount",
  "PersonalMicrosoftAccount",
]);

export const appSchema = z.object({
  clientId: guid,
  displayName: z.string().min(1),
  /** Object id of the service principal; becomes `oid`/`sub` of app-only tokens. Derived when omitted. */
  servicePrincipalId: guid.optional(),
  secrets: z.array(secretSchema).default([]),
  certificates: z.array(certificateSchema).default([]),
  /** Application permissions (on Microsoft Graph) with admin consent: the `roles` claim. */
  grantedRoles: z.array(z.string().min(1)).default([]),
  /** Delegated permissions already consented (short names like `Calendars.ReadWrite`): the `scp` claim. */
  grantedScopes: z.array(z.string().min(1)).default([]),
  /** Application permissions configured on the registration; admin consent grants exactly these. */
  requestedRoles: z.array(z.string().min(1)).default([]),
  /** Delegated permissions configured on the registration; admin consent grants these too. */
  requestedScopes: z.array(z.string().min(1)).default([]),
  redirectUris: z.array(z.string().min(1)).default([]),
  signInAudience: signInAudienceSchema.default("AzureADMyOrg"),
  /** Service principal disabled ("Enabled for users to sign in" = No): AADSTS7000112. */
  disabled: z.boolean().default(false),
  /** Tenant lets users consent to this app themselves; otherwise sign-in needs admin approval. */
  userConsentAllowed: z.boolean().default(true),
  /** Which refusal a user meets when user consent is not allowed: admin approval (90094) or risky app (900941). */
  consentBlockCode: z.union([z.literal(90094), z.literal(900941)]).default(90094),
  /** Conditional Access for workload identities blocks this app: AADSTS53003 on client credentials. */
  conditionalAccessBlocked: z.boolean().default(false),
  exchangeScoping: exchangeScopingSchema.optional(),
  pendingExchangeScoping: pendingExchangeScopingSchema.optional(),
  /** Overrides `settings.accessTokenLifetimeSeconds` for this app's tokens. */
  accessTokenLifetimeSeconds: z.number().int().positive().optional(),
  /** Object id of the application (not the appId); derived when omitted. */
  objectId: guid.optional(),
  tags: z.array(z.string()).default([]),
  notes: z.string().nullable().default(null),
  /** False for an app registered through Graph whose service principal is not created yet. */
  hasServicePrincipal: z.boolean().default(true),
  /** When Graph created it (ISO); replication faults count their window from here. */
  createdAt: isoDateTime.optional(),
  /** When its service principal was created through Graph (ISO). */
  servicePrincipalCreatedAt: isoDateTime.optional(),
  /** Users who registered it: they may manage it without an admin role. */
  ownerIds: z.array(guid).default([]),
  /** Federated identity credentials: an outside identity provider's tokens stand in for a secret (learn.microsoft.com/graph/api/resources/federatedidentitycredential). */
  federatedIdentityCredentials: z
    .array(z.object({ id: guid, name: z.string().min(1), issuer: z.string().min(1), subject: z.string().min(1), audiences: z.array(z.string()).default(["api://AzureADTokenExchange"]) }))
    .default([]),
  /** When it was deleted (apps in a tenant's deleted items only). */
  deletedAt: isoDateTime.optional(),
  /**
   * The manifest's `groupMembershipClaims`: which group object ids the ID token's `groups` claim
   * carries. `None` (the default, as the manifest's null) leaves the claim out.
   */
  groupMembershipClaims: z.enum(["None", "SecurityGroup", "All", "ApplicationGroup"]).default("None"),
  /** The enterprise app's "Assignment required?": only assigned users sign in (others get AADSTS50105). */
  appRoleAssignmentRequired: z.boolean().default(false),
  /** The Microsoft Partner Network id of a verified publisher; unverified when omitted. */
  verifiedPublisherId: z.string().min(1).optional(),
  /** The tenant the app is registered in, for an app from another tenant (a multi-tenant app); this tenant when omitted. */
  homeTenantId: guid.optional(),
});
export type ScenarioApp = z.infer<typeof appSchema>;

export const eventSchema = z
  .object({
    id: z.string().min(1).optional(),
    subject: z.string().default(""),
    start: z.object({ dateTime: z.string(), timeZone: z.string().default("UTC") }),
    end: z.object({ dateTime: z.string(), timeZone: z.string().default("UTC") }),
    bodyPreview: z.string().optional(),
    location: z.string().optional(),
  })
  .loose();
export type ScenarioEvent = z.infer<typeof eventSchema>;

export const userSchema = z.object({
  id: guid,
  upn: z.string().min(3).includes("@"),
  displayName: z.string().min(1),
  givenName: z.string().nullable().default(null),
  surname: z.string().nullable().default(null),
  jobTitle: z.string().nullable().default(null),
  mail: z.string().nullable().default(null),
  password: z.string().min(1),
  /** Cloud (Exchange Online) mailbox; without it calendar calls get MailboxNotEnabledForRESTAPI. */
  hasMailbox: z.boolean().default(true),
  /** B2B guest (#EXT# UPN); guests have no mailbox in the host tenant. */
  guest: z.boolean().default(false),
  /** A personal Microsoft account (outlook.com/live.com) typed into the sign-in form. */
  personalAccount: z.boolean().default(false),
  /** Global admin or privileged role admin: may grant tenant-wide admin consent. */
  isAdmin: z.boolean().default(false),
  /** Entra directory roles by role template id: the `wids` claim and /me/transitiveMemberOf. */
  directoryRoles: z.array(guid).default([]),
  /** Leave `wids` out of this user's tokens (as tokens issued through some identity endpoints do). */
  omitWids: z.boolean().default(false),
  /** MFA: interactive sign-in asks for approval; prompt=none and refreshes without MFA get AADSTS50076. */
  mfaRequired: z.boolean().default(false),
  /** Refresh-token redemption fails with this MFA error (50078 expired MFA, 50079 enrolment required). */
  refreshMfaError: z.union([z.literal(50078), z.literal(50079)]).optional(),
  /** A Conditional Access policy blocks this user: AADSTS53003 at sign-in and on refresh. */
  conditionalAccessBlocked: z.boolean().default(false),
  /**
   * State of every refresh token of this user: `expired` = AADSTS70008, `inactive` = 700082 (90 days unused),
   * `revoked` = 50173 (password change / revoke sessions).
   */
  refreshTokenState: z.enum(["valid", "expired", "inactive", "revoked"]).default("valid"),
  events: z.array(eventSchema).default([]),
  /** App roles assigned to the user (or a group of theirs), per app: the ID token's `roles` claim for that app. */
  appRoleAssignments: z.array(z.object({ clientId: guid, value: z.string().min(1) })).default([]),
  /** Object ids of the groups the user is a (transitive) member of: the `groups` claim and getMemberGroups. */
  groups: z.array(guid).default([]),
});
export type ScenarioUser = z.infer<typeof userSchema>;

/** A user's request for admin approval, made on the "Approval required" page. */
export const consentRequestSchema = z.object({ clientId: guid, userId: guid, justification: z.string().default(""), createdAt: isoDateTime });

export const consentSettingsSchema = z.object({
  /**
   * authorizationPolicy.defaultUserRolePermissions.permissionGrantPoliciesAssigned, as Microsoft spells
   * them ("ManagePermissionGrantsForSelf.<policy id>"). Tenants created before the Microsoft-managed
   * setting still carry the legacy policy, which is also what the simulator did before it knew policies.
   */
  permissionGrantPoliciesAssigned: z.array(z.string().min(1)).default(["ManagePermissionGrantsForSelf.microsoft-user-default-legacy"]),
  /** Delegated Microsoft Graph permissions (by value) the tenant classified "low" (delegatedPermissionClassifications). */
  lowClassifiedPermissions: z.array(z.string().min(1)).default([]),
  /** adminConsentRequestPolicy: may users ask for approval, and which users review (object ids). */
  adminConsentWorkflow: z.object({ enabled: z.boolean().default(false), reviewerIds: z.array(guid).default([]) }).default({ enabled: false, reviewerIds: [] }),
  requests: z.array(consentRequestSchema).default([]),
});
export type ConsentSettings = z.infer<typeof consentSettingsSchema>;
const defaultConsentSettings: ConsentSettings = {
  permissionGrantPoliciesAssigned: ["ManagePermissionGrantsForSelf.microsoft-user-default-legacy"],
  lowClassifiedPermissions: [],
  adminConsentWorkflow: { enabled: false, reviewerIds: [] },
  requests: [],
};

export const tenantSchema = z.object({
  id: guid,
  displayName: z.string().min(1),
  /** First entry is the initial `*.onmicrosoft.com` domain; any of them addresses the tenant. */
  domains: z.array(z.string().min(3).toLowerCase()).min(1),
  cloud: cloudSchema.default("global"),
  apps: z.array(appSchema).default([]),
  users: z.array(userSchema).default([]),
  /** The tenant's default app-management policy: may apps get client secrets, and for how long. */
  appManagementPolicy: z
    .object({
      passwordCredentialsAllowed: z.boolean().default(true),
      maxPasswordLifetimeDays: z.number().int().positive().optional(),
      /** The `asymmetricKeyLifetime` restriction: the longest certificate an app may get, in days. */
      maxCertificateLifetimeDays: z.number().int().positive().optional(),
      id: guid.default("00000000-0000-0000-0000-000000000000"),
    })
    .default({ passwordCredentialsAllowed: true, id: "00000000-0000-0000-0000-000000000000" }),
  /** authorizationPolicy.defaultUserRolePermissions.allowedToCreateApps */
  usersCanRegisterApps: z.boolean().default(true),
  /** How many more applications the directory accepts (the object quota); unlimited when omitted. */
  appQuota: z.number().int().nonnegative().optional(),
  /** Deleted applications, restorable or removable for 30 days (`/directory/deletedItems`). */
  deletedApps: z.array(appSchema).default([]),
  /** Who may consent to what (simulator/consent-policy.ts evaluates it at sign-in). */
  consent: consentSettingsSchema.default(defaultConsentSettings),
});
export type ScenarioTenant = z.infer<typeof tenantSchema>;

const faultMatch = {
  /**
   * Path pattern: a glob where `*` matches any run of characters (including `/`), or a regular
   * expression when it starts with `^`. Matched against the path without the query string.
   */
  path: z.string().min(1).default("*"),
  /** HTTP method; any method when omitted. */
  method: z.string().toUpperCase().optional(),
};

export const faultSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("latency"), ...faultMatch, ms: z.number().int().nonnegative() }),
  z.object({
    kind: z.literal("throttle"),
    ...faultMatch,
    /** Number of matching requests that get 429 before the path succeeds again; every request when omitted. */
    count: z.number().int().positive().optional(),
    /** Seconds, fractional allowed (Graph sends e.g. 2.128). Keep 0 in tests: graph-client sleeps this long. */
    retryAfterSeconds: z.number().nonnegative().default(0),
    code: z.enum(["TooManyRequests", "ApplicationThrottled"]).default("TooManyRequests"),
  }),
  z.object({
    kind: z.literal("unavailable"),
    ...faultMatch,
    count: z.number().int().positive().optional(),
    status: z.union([z.literal(503), z.literal(504)]).default(503),
    retryAfterSeconds: z.number().nonnegative().optional(),
  }),
  /**
   * Replication delay: an object created through Graph stays invisible to matching requests for its
   * first `requests` requests on that endpoint, or for `seconds` after its creation, whichever is
   * longer; the answer is Microsoft's recorded body for that endpoint (simulator/recorded/application-errors.json).
   */
  z.object({
    kind: z.literal("replication"),
    ...faultMatch,
    requests: z.number().int().nonnegative().default(0),
    seconds: z.number().nonnegative().default(0),
  }),
  /** The request is accepted and never answered (until the server closes). */
  z.object({ kind: z.literal("hang"), ...faultMatch, count: z.number().int().positive().optional() }),
]);
export type Fault = z.infer<typeof faultSchema>;
export type FaultInput = z.input<typeof faultSchema>;

export const settingsSchema = z.object({
  accessTokenLifetimeSeconds: z.number().int().positive().default(3599),
  /**
   * Audiences the simulated Graph accepts. Defaults to the simulator origin plus the global Graph
   * origin, so a token minted for another cloud's Graph is refused with "Invalid audience".
   */
  graphAudiences: z.array(z.string().min(1)).optional(),
  /**
   * Past this many groups a JWT carries the overage indicator instead of `groups` (200 for JWTs at
   * Microsoft); tests lower it rather than build users with hundreds of groups.
   */
  groupsOverageLimit: z.number().int().positive().default(200),
  /** How long a key added with addKey stays unknown to the token endpoint (AADSTS700027). */
  keyReplicationSeconds: z.number().nonnegative().optional(),
});

export const scenarioSchema = z.object({
  name: z.string().default("scenario"),
  settings: settingsSchema.default({ accessTokenLifetimeSeconds: 3599, groupsOverageLimit: 200 }),
  tenants: z.array(tenantSchema).min(1),
  faults: z.array(faultSchema).default([]),
});
export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;

/** Parses and validates; throws a readable error naming the offending path. */
export function parseScenario(input: unknown): Scenario {
  const result = scenarioSchema.safeParse(input);
  if (!result.success) {
    throw new Error(`Invalid simulator scenario:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}

export function parseFaults(input: readonly FaultInput[]): Fault[] {
  return z.array(faultSchema).parse(input);
}

export async function loadScenarioFile(file: string): Promise<Scenario> {
  const raw: unknown = JSON.parse(await readFile(file, "utf8"));
  return parseScenario(raw);
}

/** The path of the bundled demo scenario (contoso + a usgov tenant). */
export const demoScenarioPath: string = fileURLToPath(new URL("./scenarios/demo.json", import.meta.url));

export function loadDemoScenario(): Promise<Scenario> {
  return loadScenarioFile(demoScenarioPath);
}
