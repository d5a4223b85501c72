import { createHash, randomBytes, randomUUID } from "node:crypto";
import { clientRequestIdOf, graphHeaders, sendGraphError, type InnerErrorKind } from "./errors";
import { readBody, sendJson, send, type RequestContext } from "./http";
import { handleApplicationManagement } from "./applications";
import { decideMailboxAccess, settlePendingScoping } from "./exchange-scoping";
import { verifyOwnJwt, type JwtPayload } from "./jwt";
import type { ScenarioApp, ScenarioEvent, ScenarioTenant, ScenarioUser } from "./scenario";
import { GRAPH_APP_ID } from "./state";

/**
 * Microsoft Graph v1.0 subset: users, calendar and events, for app-only (`roles`) and delegated
 * (`scp`) tokens. Error codes and messages follow reference §6.3 / graph-errors.json.
 */

const ODATA_JSON = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

const DIRECTORY_READ_ROLES = ["User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All", "User.ReadBasic.All"];
const DIRECTORY_READ_SCOPES = ["User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"];
const SELF_READ_SCOPES = ["User.Read", "User.ReadWrite", ...DIRECTORY_READ_SCOPES];
// Graph documents User.RevokeSessions.All as least privileged; the broader write permissions also allow it.
const REVOKE_SESSIONS = ["User.RevokeSessions.All", "User.ReadWrite.All", "Directory.ReadWrite.All"];
// getMemberGroups on a user: Graph lists GroupMember.Read.All (with User.ReadBasic.All) as least privileged.
const MEMBER_GROUPS_SCOPES = ["GroupMember.Read.All", "Group.Read.All", "Directory.Read.All", "Directory.AccessAsUser.All"];
const CALENDAR_READ = ["Calendars.Read", "Calendars.ReadWrite"];
const CALENDAR_WRITE = ["Calendars.ReadWrite"];
const DEFAULT_USER_PROPERTIES = [
  "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
  "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id",
] as const;

const messages = {
  insufficientPrivileges: "Insufficient privileges to complete the operation.",
  accessDenied: "Access is denied. Check credentials and try again.",
  odataDisabled: "Access to OData is disabled.",
  noMailbox: "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
  meNeedsDelegated: "/me request is only valid with delegated authentication flow.",
};

interface Caller {
  tenant: ScenarioTenant;
  app: ScenarioApp | undefined;
  payload: JwtPayload;
  kind: "app" | "delegated";
  /** roles (app) or scp entries (delegated). */
  permissions: Set<string>;
  me: ScenarioUser | undefined;
}

function error(ctx: RequestContext, status: number, code: string, message: string, innerError: InnerErrorKind = "standard"): void {
  sendGraphError(ctx, status, code, message, { innerError });
}

function ok(ctx: RequestContext, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const requestId = randomUUID();
  const headers = { ...graphHeaders(requestId, clientRequestIdOf(ctx) ?? requestId), "content-type": ODATA_JSON, ...extra };
  sendJson(ctx, status, body, headers);
}

function acceptedAudiences(ctx: RequestContext): string[] {
  const configured = ctx.state.scenario.settings.graphAudiences;
  return (configured ?? [ctx.origin, "https://graph.microsoft.com", GRAPH_APP_ID]).map((a) => a.replace(/\/+$/, "").toLowerCase());
}

/** Bearer token → caller, or a 401 InvalidAuthenticationToken already sent. */
function authenticate(ctx: RequestContext): Caller | null {
  const header = ctx.req.headers.authorization ?? "";
  const token = header.toLowerCase().startsWith("bearer ") ? header.slice(7).trim() : "";
  if (!token) {
    error(ctx, 401, "InvalidAuthenticationToken", "Access token is empty.");
    return null;
  }
  const check = verifyOwnJwt(ctx.signingKey, token, Math.floor(Date.now() / 1000));
  if (!check.ok) {
    const message =
      check.reason === "expired"
        ? "Access token has expired or is not yet valid."
        : check.reason === "malformed"
          ? "CompactToken parsing failed with error code: 80049217"
          : "Access token validation failure.";
    error(ctx, 401, "InvalidAuthenticationToken", message);
    return null;
  }
  const { payload } = check;
  const aud = typeof payload.aud === "string" ? payload.aud.replace(/\/+$/, "").toLowerCase() : "";
  if (!acceptedAudiences(ctx).includes(aud)) {
    error(ctx, 401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.");
    return null;
  }
  const tenant = ctx.state.scenario.tenants.find((t) => t.id === payload.tid);
  if (!tenant) {
    error(ctx, 401, "InvalidAuthenticationToken", "Access token validation failure.");
    return null;
  }
  const app = typeof payload.appid === "string" ? ctx.state.findApp(tenant, payload.appid) : undefined;
  const delegated = typeof payload.scp === "string";
  const permissions = delegated
    ? new Set(String(payload.scp).split(" ").filter(Boolean))
    : new Set(Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === "string") : []);
  const me = delegated && typeof payload.oid === "string" ? ctx.state.findUser(tenant, payload.oid) : undefined;
  return { tenant, app, payload, kind: delegated ? "delegated" : "app", permissions, me };
}

function hasAny(caller: Caller, wanted: readonly string[]): boolean {
  return wanted.some((p) => caller.permissions.has(p));
}

function graphId(prefix: string, seed: string): string {
  return `${prefix}${createHash("sha256").update(seed).digest("base64url").replace(/[-_]/g, "x")}`;
}

// ---------------------------------------------------------------------------------------------
// Users

function userResource(user: ScenarioUser): Record<string, unknown> {
  return {
    businessPhones: [],
    displayName: user.displayName,
    givenName: user.givenName,
    jobTitle: user.jobTitle,
    mail: user.mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: user.surname,
    userPrincipalName: user.upn,
    id: user.id,
    userType: user.guest ? "Guest" : "Member",
    accountEnabled: true,
  };
}

function project(resource: Record<string, unknown>, select: string[] | undefined): Record<string, unknown> {
  const keys = select ?? [...DEFAULT_USER_PROPERTIES];
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const match = Object.keys(resource).find((k) => k.toLowerCase() === key.toLowerCase());
    if (match) out[match] = resource[match];
  }
  return out;
}

function parseSelect(ctx: RequestContext): string[] | undefined {
  const raw = ctx.url.searchParams.get("$select");
  return raw ? raw.split(",").map((s) => s.trim()).filter(Boolean) : undefined;
}

type Filter = (user: Record<string, unknown>) => boolean;

/** The few $filter forms a directory probe uses: `prop eq 'x'`, `startswith(prop,'x')`, joined by `and`. */
function parseFilter(raw: string): Filter | null {
  const clauses = raw.split(/\s+and\s+/i);
  const tests: Filter[] = [];
  for (const clause of clauses) {
    const eq = /^\s*(\w+)\s+eq\s+(?:'((?:[^']|'')*)'|(true|false|null))\s*$/i.exec(clause);
    const sw = /^\s*startswith\(\s*(\w+)\s*,\s*'((?:[^']|'')*)'\s*\)\s*$/i.exec(clause);
    if (eq) {
      const [, prop = "", str, literal] = eq;
      const expected: unknown = str !== undefined ? str.replace(/''/g, "'").toLowerCase() : literal === "null" ? null : literal === "true";
      tests.push((user) => {
        const key = Object.keys(user).find((k) => k.toLowerCase() === prop.toLowerCase());
        const value = key ? user[key] : undefined;
        return typeof value === "string" ? value.toLowerCase() === expected : value === expected;
      });
    } else if (sw) {
      const [, prop = "", prefix = ""] = sw;
      tests.push((user) => {
        const key = Object.keys(user).find((k) => k.toLowerCase() === prop.toLowerCase());
        const value = key ? user[key] : undefined;
        return typeof value === "string" && value.toLowerCase().startsWith(prefix.replace(/''/g, "'").toLowerCase());
      });
    } else {
      return null;
    }
  }
  return (user) => tests.every((test) => test(user));
}

function parseTop(ctx: RequestContext, fallback: number, max: number): number | null {
  const raw = ctx.url.searchParams.get("$top");
  if (raw === null) return fallback;
  const top = Number(raw);
  if (!Number.isInteger(top) || top < 1 || top > max) {
    error(ctx, 400, "Request_BadRequest", `Invalid page size specified: '${raw}'. Must be between 1 and ${max} inclusive.`);
    return null;
  }
  return top;
}

/** Graph writes `$top=…&$skiptoken=…` with literal `$` signs; URLSearchParams would encode them. */
function nextLink(ctx: RequestContext, pagingKey: string, pagingValue: string, top: number): string {
  const params = new Map<string, string>();
  for (const [key, value] of ctx.url.searchParams) if (key !== pagingKey && key !== "$top") params.set(key, value);
  params.set("$top", String(top));
  params.set(pagingKey, pagingValue);
  const query = [...params].map(([key, value]) => `${key.startsWith("$") ? key : encodeURIComponent(key)}=${encodeURIComponent(value)}`).join("&");
  return `${ctx.origin}${ctx.url.pathname}?${query}`;
}

function listUsers(ctx: RequestContext, caller: Caller): void {
  const allowed = caller.kind === "app" ? hasAny(caller, DIRECTORY_READ_ROLES) : hasAny(caller, DIRECTORY_READ_SCOPES);
  if (!allowed) return error(ctx, 403, "Authorization_RequestDenied", messages.insufficientPrivileges);
  const top = parseTop(ctx, 100, 999);
  if (top === null) return;
  const select = parseSelect(ctx);
  const rawFilter = ctx.url.searchParams.get("$filter");
  const filter = rawFilter ? parseFilter(rawFilter) : () => true;
  if (!filter) return error(ctx, 400, "Request_UnsupportedQuery", "Unsupported Query.");
  const skiptoken = ctx.url.searchParams.get("$skiptoken");
  const offset = skiptoken ? Number.parseInt(Buffer.from(skiptoken.replace(/^RFNwdAIAAQAAA/, ""), "base64url").toString("utf8"), 10) || 0 : 0;
  const all = caller.tenant.users.map(userResource).filter(filter);
  const pageItems = all.slice(offset, offset + top).map((u) => project(u, select));
  const body: Record<string, unknown> = {
    "@odata.context": `${ctx.origin}/v1.0/$metadata#users${select ? `(${select.join(",")})` : ""}`,
  };
  if (offset + top < all.length) {
    body["@odata.nextLink"] = nextLink(ctx, "$skiptoken", `RFNwdAIAAQAAA${Buffer.from(String(offset + top)).toString("base64url")}`, top);
  }
  body.value = pageItems;
  ok(ctx, 200, body);
}

function getUser(ctx: RequestContext, caller: Caller, user: ScenarioUser | undefined, idOrUpn: string): void {
  const self = caller.kind === "delegated" && user !== undefined && caller.me?.id === user.id;
  const allowed =
    caller.kind === "app" ? hasAny(caller, DIRECTORY_READ_ROLES) : self ? hasAny(caller, SELF_READ_SCOPES) : hasAny(caller, DIRECTORY_READ_SCOPES);
  if (!allowed) return error(ctx, 403, "Authorization_RequestDenied", messages.insufficientPrivileges);
  if (!user) {
    return error(ctx, 404, "Request_ResourceNotFound", `Resource '${idOrUpn}' does not exist or one of its queried reference-property objects are not present.`);
  }
  const select = parseSelect(ctx);
  ok(ctx, 200, {
    "@odata.context": `${ctx.origin}/v1.0/$metadata#users${select ? `(${select.join(",")})` : ""}/$entity`,
    ...project(userResource(user), select),
  });
}

// ---------------------------------------------------------------------------------------------
// Calendar and events

/**
 * Outlook authorisation order: some grant, user exists, mailbox exists, Exchange scoping. App-only calls ask
 * Exchange (exchange-scoping.ts): RBAC for Applications can grant a mailbox the token's roles do not,
 * and an application access policy can take one away ("Access to OData is disabled.").
 */
function authorizeMailbox(ctx: RequestContext, caller: Caller, user: ScenarioUser | undefined, idOrUpn: string, write: boolean, basicOk: boolean): user is ScenarioUser {
  const needed = [...(write ? CALENDAR_WRITE : CALENDAR_READ), ...(basicOk && !write ? ["Calendars.ReadBasic"] : [])];
  if (caller.kind === "app") {
    if (caller.app) settlePendingScoping(caller.app, ctx.state.now());
    const mayBeScoped = caller.app?.exchangeScoping?.rbacAssignments.length;
    // Without any grant, Exchange refuses before it looks the mailbox up.
    if (!hasAny(caller, needed) && !mayBeScoped) {
      error(ctx, 403, "ErrorAccessDenied", messages.accessDenied);
      return false;
    }
  } else {
    const self = user !== undefined && caller.me?.id === user.id;
    const sharedNeeded = write ? ["Calendars.ReadWrite.Shared"] : ["Calendars.Read.Shared", "Calendars.ReadWrite.Shared"];
    if (!hasAny(caller, self ? needed : sharedNeeded)) {
      error(ctx, 403, "ErrorAccessDenied", messages.accessDenied);
      return false;
    }
  }
  if (!user) {
    error(ctx, 404, "ErrorInvalidUser", `The requested user '${idOrUpn}' is invalid.`);
    return false;
  }
  if (!user.hasMailbox || user.guest || user.personalAccount) {
    error(ctx, 404, "MailboxNotEnabledForRESTAPI", messages.noMailbox, "none");
    return false;
  }
  if (caller.kind === "app") {
    const decision = decideMailboxAccess(caller.app, user, hasAny(caller, needed), write);
    if (!decision.allowed) {
      error(ctx, 403, "ErrorAccessDenied", decision.reason === "access-policy" ? messages.odataDisabled : messages.accessDenied);
      return false;
    }
  }
  return true;
}

function userPath(ctx: RequestContext, user: ScenarioUser, me: boolean): string {
  return me ? `${ctx.origin}/v1.0/$metadata#me` : `${ctx.origin}/v1.0/$metadata#users('${user.id}')`;
}

function calendarResource(user: ScenarioUser): Record<string, unknown> {
  return {
    id: graphId("AAMkAD", `calendar:${user.id}`),
    name: "Calendar",
    color: "auto",
    hexColor: "",
    isDefaultCalendar: true,
    changeKey: graphId("", `ck:${user.id}`).slice(0, 24),
    canShare: true,
    canViewPrivateItems: true,
    canEdit: true,
    allowedOnlineMeetingProviders: ["teamsForBusiness"],
    defaultOnlineMeetingProvider: "teamsForBusiness",
    isTallyingResponses: true,
    isRemovable: false,
    owner: { name: user.displayName, address: user.mail ?? user.upn },
  };
}

function ensureEventId(user: ScenarioUser, event: ScenarioEvent, index: number): string {
  if (!event.id) event.id = graphId("AAMkAGI2", `event:${user.id}:${index}:${event.subject}`);
  return event.id;
}

function eventResource(user: ScenarioUser, event: ScenarioEvent, index: number): Record<string, unknown> {
  const id = ensureEventId(user, event, index);
  const organizer = { emailAddress: { name: user.displayName, address: user.mail ?? user.upn } };
  const created = typeof event.createdDateTime === "string" ? event.createdDateTime : "2026-01-01T00:00:00.0000000Z";
  const { location: _location, bodyPreview: _preview, ...rest } = event;
  return {
    "@odata.etag": `W/"${graphId("", `etag:${id}`).slice(0, 24)}"`,
    createdDateTime: created,
    lastModifiedDateTime: created,
    changeKey: graphId("", `etag:${id}`).slice(0, 24),
    categories: [],
    transactionId: null,
    originalStartTimeZone: event.start.timeZone,
    originalEndTimeZone: event.end.timeZone,
    iCalUId: graphId("040000008200E00074C5B7101A82E008", id).slice(0, 60),
    reminderMinutesBeforeStart: 15,
    isReminderOn: true,
    hasAttachments: false,
    importance: "normal",
    sensitivity: "normal",
    isAllDay: false,
    isCancelled: false,
    isOrganizer: true,
    responseRequested: true,
    seriesMasterId: null,
    showAs: "busy",
    type: "singleInstance",
    webLink: `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(id)}&exvsurl=1&path=/calendar/item`,
    onlineMeetingUrl: null,
    isOnlineMeeting: false,
    onlineMeetingProvider: "unknown",
    allowNewTimeProposals: true,
    isDraft: false,
    hideAttendees: false,
    responseStatus: { response: "organizer", time: "0001-01-01T00:00:00Z" },
    bodyPreview: event.bodyPreview ?? "",
    body: { contentType: "html", content: "" },
    location: { displayName: event.location ?? "", locationType: "default", uniqueIdType: "unknown", address: {}, coordinates: {} },
    locations: [],
    recurrence: null,
    attendees: [],
    organizer,
    onlineMeeting: null,
    ...rest,
    id,
  };
}

function cleanEvent(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = v;
  return out;
}

/** Outlook always keeps `@odata.etag` and `id` next to the selected properties. */
function selectEvent(event: Record<string, unknown>, select: string[] | undefined): Record<string, unknown> {
  if (!select) return event;
  return { "@odata.etag": event["@odata.etag"], id: event.id, ...project(event, select) };
}

function listEvents(ctx: RequestContext, user: ScenarioUser, me: boolean): void {
  const top = parseTop(ctx, 10, 1000);
  if (top === null) return;
  const skip = Math.max(0, Number.parseInt(ctx.url.searchParams.get("$skip") ?? "0", 10) || 0);
  const select = parseSelect(ctx);
  const events = user.events.map((event, index) => selectEvent(cleanEvent(eventResource(user, event, index)), select));
  const body: Record<string, unknown> = { "@odata.context": `${userPath(ctx, user, me)}/events` };
  body.value = events.slice(skip, skip + top);
  if (skip + top < events.length) {
    body["@odata.nextLink"] = nextLink(ctx, "$skip", String(skip + top), top);
  }
  ok(ctx, 200, body);
}

async function createEvent(ctx: RequestContext, user: ScenarioUser, me: boolean): Promise<void> {
  let input: unknown;
  try {
    input = JSON.parse(await readBody(ctx.req));
  } catch {
    return error(ctx, 400, "RequestBodyRead", "Invalid JSON in the request body.");
  }
  const candidate = input as Partial<ScenarioEvent> | null;
  if (!candidate || typeof candidate !== "object" || !candidate.start?.dateTime || !candidate.end?.dateTime) {
    return error(ctx, 400, "ErrorInvalidRequest", "Your request can't be completed. The event must have a start and an end.");
  }
  const now = new Date().toISOString().replace("Z", "0000Z");
  const location = (candidate as { location?: unknown }).location;
  const event: ScenarioEvent = {
    ...(candidate as Record<string, unknown>),
    id: `AAMkAGI2${randomBytes(24).toString("hex")}`,
    subject: typeof candidate.subject === "string" ? candidate.subject : "",
    start: { dateTime: candidate.start.dateTime, timeZone: candidate.start.timeZone ?? "UTC" },
    end: { dateTime: candidate.end.dateTime, timeZone: candidate.end.timeZone ?? "UTC" },
    location: typeof location === "object" && location !== null && "displayName" in location ? String((location as { displayName: unknown }).displayName) : undefined,
    createdDateTime: now,
  };
  user.events.push(event);
  const resource = cleanEvent(eventResource(user, event, user.events.length - 1));
  ok(ctx, 201, { "@odata.context": `${userPath(ctx, user, me)}/events/$entity`, ...resource }, {
    location: `${ctx.origin}/v1.0/users('${user.id}')/events('${event.id}')`,
  });
}

function findEvent(user: ScenarioUser, eventId: string): number {
  user.events.forEach((event, index) => ensureEventId(user, event, index));
  return user.events.findIndex((event) => event.id === eventId);
}

function eventNotFound(ctx: RequestContext): void {
  error(ctx, 404, "ErrorItemNotFound", "The specified object was not found in the store.");
}

// ---------------------------------------------------------------------------------------------
// Organization (tenant name and verified domains)

const ORGANIZATION_ROLES = ["Organization.Read.All", "Organization.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];

function getOrganization(ctx: RequestContext, caller: Caller): void {
  // Delegated callers can read their own organization with User.Read.
  const allowed = caller.kind === "app" ? hasAny(caller, ORGANIZATION_ROLES) : hasAny(caller, [...ORGANIZATION_ROLES, ...SELF_READ_SCOPES]);
  if (!allowed) return error(ctx, 403, "Authorization_RequestDenied", messages.insufficientPrivileges);
  const { tenant } = caller;
  ok(ctx, 200, {
    "@odata.context": `${ctx.origin}/v1.0/$metadata#organization`,
    value: [
      {
        id: tenant.id,
        displayName: tenant.displayName,
        tenantType: "AAD",
        countryLetterCode: tenant.cloud === "china" ? "CN" : "US",
        verifiedDomains: tenant.domains.map((name, index) => ({
          capabilities: index === 0 ? "Email, OfficeCommunicationsOnline" : "Email",
          isDefault: index === tenant.domains.length - 1,
          isInitial: index === 0,
          name,
          type: "Managed",
        })),
      },
    ],
  });
}

// ---------------------------------------------------------------------------------------------
// Router

/** Handles /v1.0/... (segments after the version). */
export async function handleGraph(ctx: RequestContext, segments: string[]): Promise<void> {
  const caller = authenticate(ctx);
  if (!caller) return;
  if (await handleApplicationManagement(ctx, caller, segments)) return;
  const method = ctx.record.method;
  const [root, ...rest] = segments;
  let user: ScenarioUser | undefined;
  let idOrUpn = "";
  let me = false;
  let tail: string[];

  if (root === "me") {
    if (caller.kind === "app") return error(ctx, 400, "BadRequest", messages.meNeedsDelegated, "none");
    me = true;
    user = caller.me;
    idOrUpn = typeof caller.payload.oid === "string" ? caller.payload.oid : "";
    tail = rest;
  } else if (root === "organization" && rest.length === 0 && method === "GET") {
    return getOrganization(ctx, caller);
  } else if (root === "users") {
    if (rest.length === 0) {
      if (method !== "GET") return error(ctx, 405, "Request_BadRequest", "Method not allowed.");
      return listUsers(ctx, caller);
    }
    idOrUpn = rest[0] ?? "";
    user = ctx.state.findUser(caller.tenant, idOrUpn);
    tail = rest.slice(1);
  } else {
    return error(ctx, 400, "BadRequest", `Resource not found for the segment '${root ?? ""}'.`);
  }

  // Graph routes /calendar/events to the same default-calendar collection as /events.
  if (tail[0] === "calendar" && tail[1] === "events") tail = tail.slice(1);
  const resource = tail.join("/");

  if (resource === "" && method === "GET") {
    if (me && user) {
      if (!hasAny(caller, SELF_READ_SCOPES)) return error(ctx, 403, "Authorization_RequestDenied", messages.insufficientPrivileges);
      const select = parseSelect(ctx);
      return ok(ctx, 200, { "@odata.context": `${ctx.origin}/v1.0/$metadata#users/$entity`, ...project(userResource(user), select) });
    }
    return getUser(ctx, caller, user, idOrUpn);
  }
  if (resource === "revokeSignInSessions" && method === "POST") {
    if (!hasAny(caller, REVOKE_SESSIONS)) return error(ctx, 403, "Authorization_RequestDenied", messages.insufficientPrivileges);
    if (!user) {
      return error(ctx, 404, "Request_ResourceNotFound", `Resource '${idOrUpn}' does not exist or one of its queried reference-property objects are not present.`);
    }
    ctx.state.revokeUserSessions(user.id);
    return ok(ctx, 200, { "@odata.context": `${ctx.origin}/v1.0/$metadata#Edm.Boolean`, value: true });
  }
  if (resource === "getMemberGroups" && method === "POST") {
    if (!hasAny(caller, MEMBER_GROUPS_SCOPES)) return error(ctx, 403, "Authorization_RequestDenied", messages.insufficientPrivileges);
    if (!user) {
      return error(ctx, 404, "Request_ResourceNotFound", `Resource '${idOrUpn}' does not exist or one of its queried reference-property objects are not present.`);
    }
    return ok(ctx, 200, { "@odata.context": `${ctx.origin}/v1.0/$metadata#Collection(Edm.String)`, value: [...user.groups] });
  }
  if (resource === "calendar" && method === "GET") {
    if (!authorizeMailbox(ctx, caller, user, idOrUpn, false, false)) return;
    return ok(ctx, 200, { "@odata.context": `${userPath(ctx, user, me)}/calendar/$entity`, ...calendarResource(user) });
  }
  if (tail[0] === "events" && tail.length === 1) {
    if (method === "GET") {
      if (!authorizeMailbox(ctx, caller, user, idOrUpn, false, true)) return;
      return listEvents(ctx, user, me);
    }
    if (method === "POST") {
      if (!authorizeMailbox(ctx, caller, user, idOrUpn, true, false)) return;
      return createEvent(ctx, user, me);
    }
  }
  if (tail[0] === "events" && tail.length === 2) {
    const eventId = tail[1] ?? "";
    if (method === "GET") {
      if (!authorizeMailbox(ctx, caller, user, idOrUpn, false, true)) return;
      const index = findEvent(user, eventId);
      const event = user.events[index];
      if (!event) return eventNotFound(ctx);
      return ok(ctx, 200, { "@odata.context": `${userPath(ctx, user, me)}/events/$entity`, ...cleanEvent(eventResource(user, event, index)) });
    }
    if (method === "DELETE") {
      if (!authorizeMailbox(ctx, caller, user, idOrUpn, true, false)) return;
      const index = findEvent(user, eventId);
      if (index < 0) return eventNotFound(ctx);
      user.events.splice(index, 1);
      const requestId = randomUUID();
      return send(ctx, 204, "", graphHeaders(requestId, clientRequestIdOf(ctx) ?? requestId));
    }
  }
  error(ctx, 400, "BadRequest", `Resource not found for the segment '${tail[0] ?? root ?? ""}'.`);
}
