import { firstPartyAppName } from "@/lib/entra/first-party-apps";
import type { Check, CheckInput, FixStep } from "@/lib/checks/schema";

/**
 * The `format` check: pure, synchronous and free of server-only imports, because the wizard runs it
 * in the browser as people type, and the pipeline runs it again on the server before anything is
 * sent to Microsoft. It cleans pasted values and names the common mix-ups.
 */

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const guidAnywhere = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
// Labels of letters, digits and inner hyphens; a TLD of at least two letters.
const domainPattern = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const emailPattern = /^[^\s@]+@([a-z0-9-]+\.)+[a-z]{2,63}$/i;
// Zero-width space/joiners, word joiner, BOM, soft hyphen, bidi marks, and the non-breaking spaces.
const invisibleCharacters = /[\u200B-\u200F\u2060\uFEFF\u00AD\u202A-\u202E\u00A0\u202F\u2007\u180E]/g;

/** Consumer mail domains: they are not Entra tenants a business app can use. */
const personalDomains = new Set([
  "outlook.com",
  "hotmail.com",
  "live.com",
  "msn.com",
  "passport.com",
  "gmail.com",
  "googlemail.com",
  "yahoo.com",
  "icloud.com",
  "me.com",
  "aol.com",
  "proton.me",
  "protonmail.com",
  "gmx.com",
  "gmx.de",
  "web.de",
  "hotmail.co.uk",
  "outlook.fr",
  "outlook.de",
  "live.co.uk",
]);

export function isPersonalMailDomain(domain: string): boolean {
  return personalDomains.has(domain.toLowerCase());
}

/** Tenant-independent authority segments that cannot carry an app-only token. */
const multiTenantAliases = new Set(["common", "organizations", "consumers"]);

/** Microsoft's initial-domain suffixes, per cloud. */
const initialDomainSuffixes = ["onmicrosoft.com", "onmicrosoft.us", "partner.onmschina.cn", "onmschina.cn"];

export type FormatField = "tenant" | "clientId" | "clientSecret" | "testMailbox" | "outOfScopeMailbox" | "mailboxes";

export type FormatResult = {
  check: Check;
  /** ok = no field has an error (warnings allowed); the pipeline stops after `format` otherwise. */
  ok: boolean;
  /** Field-level messages for the wizard to highlight; errors only. */
  fields: Partial<Record<FormatField, string>>;
  /** Field-level warnings (the value may still work). */
  warnings: Partial<Record<FormatField, string>>;
  /** Fields whose value changed while cleaning (whitespace, invisible characters, braces, case). */
  cleanedFields: FormatField[];
  /** The input with cleaned values; use it for everything after the format check. */
  cleaned: CheckInput;
};

type Problem = { field: FormatField; code: string; message: string; step: FixStep; severity: "error" | "warning" };

function stripInvisible(value: string): string {
  return value.replace(invisibleCharacters, "");
}

/** For identifiers (GUIDs, domains, UPNs) every whitespace is noise: remove it all. */
function cleanIdentifier(value: string): string {
  let text = stripInvisible(value).replace(/\s+/g, "");
  // Quotes and braces come along when copying from JSON, PowerShell output or the registry.
  text = text.replace(/^["'`]+|["'`]+$/g, "");
  if (/^\{[^{}]+\}$/.test(text)) text = text.slice(1, -1);
  return text;
}

/** Secrets may legitimately contain any printable character; only trim the edges and invisible characters. */
function cleanSecret(value: string): string {
  return stripInvisible(value).replace(/^\s+|\s+$/g, "");
}

export function isGuid(value: string): boolean {
  return guidPattern.test(value);
}

function levenshtein(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/** `contoso.onmicrosft.com`, `contoso.onmicrosoft.co`, `contoso.microsoftonline.com` and friends. */
function initialDomainTypo(domain: string): string | undefined {
  const labels = domain.split(".");
  if (labels.length < 2) return undefined;
  const lastTwo = labels.slice(-2).join(".");
  const lastThree = labels.slice(-3).join(".");
  if (lastTwo === "microsoftonline.com" && labels.length > 2) return `${labels.slice(0, -2).join(".")}.onmicrosoft.com`;
  if (initialDomainSuffixes.some((suffix) => domain.endsWith(`.${suffix}`))) return undefined;
  for (const candidate of [lastTwo, lastThree]) {
    for (const suffix of initialDomainSuffixes) {
      if (candidate.includes("onm") || candidate.includes("microsoft")) {
        const distance = levenshtein(candidate, suffix);
        if (distance > 0 && distance <= 3) {
          const prefix = labels.slice(0, labels.length - candidate.split(".").length).join(".");
          return prefix ? `${prefix}.${suffix}` : suffix;
        }
      }
    }
  }
  return undefined;
}

function checkTenant(tenant: string, problems: Problem[]): string {
  const add = (code: string, message: string, severity: Problem["severity"] = "error") =>
    problems.push({ field: "tenant", code, message, step: "copy-ids", severity });
  if (!tenant) {
    add("tenant-missing", "Enter the Directory (tenant) ID from the app registration's Overview page.");
    return tenant;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(tenant) || tenant.includes("/")) {
    const guid = guidAnywhere.exec(tenant)?.[0];
    add(
      "tenant-url",
      guid
        ? `That is a URL, not a tenant ID. It contains the GUID ${guid.toLowerCase()}; paste only the Directory (tenant) ID.`
        : "That is a URL, not a tenant ID. Paste only the Directory (tenant) ID (a GUID) or the tenant's domain.",
    );
    return tenant;
  }
  if (isGuid(tenant)) return tenant.toLowerCase();
  const lower = tenant.toLowerCase();
  if (multiTenantAliases.has(lower)) {
    add(
      "tenant-not-specific",
      `"${lower}" is not a tenant. App-only access needs your own tenant: paste the Directory (tenant) ID.`,
    );
    return lower;
  }
  if (emailPattern.test(lower)) {
    const domain = lower.split("@")[1]!;
    add(
      "tenant-email",
      `That is an email address. Enter the tenant ID, or just the domain (${domain}).`,
    );
    return lower;
  }
  if (!domainPattern.test(lower)) {
    add(
      "tenant-invalid",
      /^[0-9a-f-]+$/i.test(lower)
        ? "That looks like an incomplete GUID. Copy the whole Directory (tenant) ID (36 characters)."
        : "The tenant must be a GUID (Directory (tenant) ID) or a domain name such as contoso.onmicrosoft.com.",
    );
    return lower;
  }
  if (personalDomains.has(lower)) {
    add(
      "tenant-personal-domain",
      `${lower} is a personal email service, not your organisation's tenant. Use your organisation's Directory (tenant) ID.`,
    );
    return lower;
  }
  const suggestion = initialDomainTypo(lower);
  if (suggestion) add("tenant-domain-typo", `Did you mean ${suggestion}? "${lower}" looks like a mistyped initial domain.`);
  return lower;
}

function checkClientId(clientId: string, tenant: string, problems: Problem[]): string {
  const add = (code: string, message: string) =>
    problems.push({ field: "clientId", code, message, step: "copy-ids", severity: "error" });
  if (!clientId) {
    add("client-id-missing", "Enter the Application (client) ID from the app registration's Overview page.");
    return clientId;
  }
  if (/^(api|https?):\/\//i.test(clientId) || clientId.includes("/")) {
    add(
      "client-id-uri",
      "That is a URI (such as the Application ID URI api://…), not the Application (client) ID. Copy the GUID labelled Application (client) ID.",
    );
    return clientId;
  }
  if (!isGuid(clientId)) {
    add("client-id-invalid", "The Application (client) ID is a GUID like 11111111-2222-3333-4444-555555555555.");
    return clientId;
  }
  const lower = clientId.toLowerCase();
  if (lower === tenant) {
    add(
      "client-id-is-tenant-id",
      "The client ID equals the tenant ID. On the Overview page, copy the Application (client) ID, not the Directory (tenant) ID.",
    );
    return lower;
  }
  const firstParty = firstPartyAppName(lower);
  if (firstParty) {
    add(
      "client-id-first-party",
      `${lower} is Microsoft's own app "${firstParty}", not your app registration. Copy the Application (client) ID of the app you registered.`,
    );
  }
  return lower;
}

function checkSecret(secret: string, clientId: string, tenant: string, problems: Problem[]): string {
  const add = (code: string, message: string, severity: Problem["severity"] = "error") =>
    problems.push({ field: "clientSecret", code, message, step: "client-secret", severity });
  if (!secret) {
    add("secret-missing", "Paste the client secret's Value.");
    return secret;
  }
  const compact = secret.replace(/\s+/g, "");
  if (isGuid(compact) || isGuid(compact.replace(/^\{|\}$/g, ""))) {
    const asGuid = compact.replace(/^\{|\}$/g, "").toLowerCase();
    if (asGuid === clientId || asGuid === tenant) {
      add("secret-is-id", "That is the client or tenant ID, not a secret. Paste the client secret's Value.");
    } else {
      add(
        "secret-is-secret-id",
        "That looks like the Secret ID column. Paste the secret's Value instead (it is shown only once, right after you create the secret).",
      );
    }
    return secret;
  }
  if (/^\*+$|\*{4,}/.test(secret)) {
    add("secret-masked", "That is the masked secret the portal shows later. Create a new secret and copy its Value right away.");
    return secret;
  }
  if (secret.length < 16) add("secret-short", "That is shorter than any client secret Entra issues; check that it was copied completely.", "warning");
  return secret;
}

function checkMailbox(field: FormatField, value: string | undefined, problems: Problem[]): string | undefined {
  if (value === undefined) return undefined;
  const cleaned = cleanIdentifier(value).toLowerCase();
  if (!cleaned) return undefined;
  if (!emailPattern.test(cleaned) && !isGuid(cleaned)) {
    problems.push({
      field,
      code: "mailbox-invalid",
      message: `"${cleaned}" is not a mailbox address. Use the user's sign-in name, such as adele@contoso.com.`,
      step: "mailbox-scope",
      severity: "error",
    });
  }
  return cleaned;
}

const fieldLabels: Record<FormatField, string> = {
  tenant: "Tenant",
  clientId: "Client ID",
  clientSecret: "Client secret",
  testMailbox: "Test mailbox",
  outOfScopeMailbox: "Out-of-scope mailbox",
  mailboxes: "Mailboxes",
};

export function checkFormat(input: CheckInput): FormatResult {
  const started = typeof performance !== "undefined" ? performance.now() : Date.now();
  const problems: Problem[] = [];
  const cleanedFields: FormatField[] = [];

  const tenantRaw = cleanIdentifier(input.tenant);
  const clientIdRaw = cleanIdentifier(input.clientId);
  const secretRaw = cleanSecret(input.clientSecret);

  const tenant = checkTenant(tenantRaw, problems);
  const clientId = checkClientId(clientIdRaw, tenant, problems);
  const clientSecret = input.certificate ? secretRaw : checkSecret(secretRaw, clientId, tenant, problems);
  const testMailbox = checkMailbox("testMailbox", input.testMailbox, problems);
  const outOfScopeMailbox = checkMailbox("outOfScopeMailbox", input.outOfScopeMailbox, problems);

  let mailboxScope = input.mailboxScope;
  if (input.mailboxScope.kind === "list") {
    const mailboxes: string[] = [];
    for (const entry of input.mailboxScope.mailboxes) {
      const cleaned = checkMailbox("mailboxes", entry, problems);
      if (cleaned && !mailboxes.includes(cleaned)) mailboxes.push(cleaned);
    }
    if (mailboxes.length === 0) {
      problems.push({
        field: "mailboxes",
        code: "mailbox-list-empty",
        message: "List at least one mailbox, or choose all users.",
        step: "mailbox-scope",
        severity: "error",
      });
    }
    if (mailboxes.join(",") !== input.mailboxScope.mailboxes.join(",").toLowerCase()) cleanedFields.push("mailboxes");
    mailboxScope = { kind: "list", mailboxes };
  }
  if (testMailbox && outOfScopeMailbox && testMailbox === outOfScopeMailbox) {
    problems.push({
      field: "outOfScopeMailbox",
      code: "mailbox-same",
      message: "The out-of-scope mailbox must differ from the test mailbox.",
      step: "mailbox-scope",
      severity: "error",
    });
  }

  // Lower-casing is normalisation, not cleaning: only report removed characters.
  if (tenant.toLowerCase() !== input.tenant.toLowerCase()) cleanedFields.push("tenant");
  if (clientId.toLowerCase() !== input.clientId.toLowerCase()) cleanedFields.push("clientId");
  if (clientSecret !== input.clientSecret) cleanedFields.push("clientSecret");
  if (input.testMailbox !== undefined && (testMailbox ?? "") !== input.testMailbox.toLowerCase()) cleanedFields.push("testMailbox");
  if (input.outOfScopeMailbox !== undefined && (outOfScopeMailbox ?? "") !== input.outOfScopeMailbox.toLowerCase()) cleanedFields.push("outOfScopeMailbox");

  const fields: FormatResult["fields"] = {};
  const warnings: FormatResult["warnings"] = {};
  for (const problem of problems) {
    const target = problem.severity === "error" ? fields : warnings;
    target[problem.field] ??= problem.message;
  }

  const errors = problems.filter((problem) => problem.severity === "error");
  const first = errors[0] ?? problems[0];
  const cleanedNote = cleanedFields.length
    ? ` Cleaned pasted values (removed spaces, line breaks or invisible characters): ${cleanedFields.map((field) => fieldLabels[field]).join(", ")}.`
    : "";
  const durationMs = Math.max(0, (typeof performance !== "undefined" ? performance.now() : Date.now()) - started);

  let check: Check;
  if (!first) {
    check = {
      id: "format",
      status: "pass",
      title: "Values look right",
      detail: `Tenant, client ID and ${input.certificate ? "certificate" : "secret"} have the expected shape.${cleanedNote}`,
      durationMs,
    };
  } else {
    const severity = errors.length > 0 ? "fail" : "warn";
    const listed = (errors.length > 0 ? errors : problems).map((problem) => `${fieldLabels[problem.field]}: ${problem.message}`);
    check = {
      id: "format",
      status: severity,
      title: severity === "fail" ? "Some values are not in the right format" : "Some values look unusual",
      detail: `${listed.join(" ")}${cleanedNote}`,
      code: first.code,
      who: "user",
      fix: { step: first.step, text: first.message },
      durationMs,
    };
  }

  return {
    check,
    ok: errors.length === 0,
    fields,
    warnings,
    cleanedFields,
    cleaned: {
      ...input,
      tenant,
      clientId,
      clientSecret,
      mailboxScope,
      ...(testMailbox !== undefined ? { testMailbox } : {}),
      ...(outOfScopeMailbox !== undefined ? { outOfScopeMailbox } : {}),
    },
  };
}
