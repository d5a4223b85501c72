import { aadstsCatalog, oauthErrorCatalog } from "@/lib/entra/aadsts-catalog";
import { errorLookupUrl, type Cloud } from "@/lib/entra/clouds";
import { graphErrorCatalog } from "@/lib/graph/graph-error-catalog";
import type { ErrorEntry, ErrorEntryWithVariants } from "@/lib/checks/error-types";
import { whoCanFix } from "@/lib/checks/fix-roles";
import type { Fix, WhoCanFix } from "@/lib/checks/schema";

/**
 * The error catalog: one lookup over Microsoft's sign-in codes (AADSTS), Graph codes and our own
 * (`timeout`, `network`, `tls`, ...). Pure, so the delegated sign-in flow and the browser can use it.
 */

export const ownErrorCatalog: Readonly<Record<string, ErrorEntryWithVariants>> = {
  timeout: {
    title: "Microsoft did not answer in time",
    explanation: "The request to Microsoft got no answer before the time limit. Microsoft may be slow or an outbound proxy may be holding the connection.",
    who: "us",
  },
  network: {
    title: "Could not reach Microsoft",
    explanation: "The server running Calsync could not connect to Microsoft (DNS, firewall or proxy). Nothing in your tenant needs changing.",
    who: "us",
  },
  tls: {
    title: "Secure connection to Microsoft failed",
    explanation:
      "The server running Calsync did not trust the certificate presented for Microsoft's host. An intercepting proxy without its CA installed is the usual cause.",
    who: "us",
  },
  cancelled: {
    title: "Cancelled",
    explanation: "The validation was cancelled before this check finished.",
    who: "user",
  },
  "unexpected-response": {
    title: "Unexpected answer from Microsoft",
    explanation: "Microsoft answered with something that is not a valid response (for example an HTML error page). Try again later.",
    who: "us",
  },
  "another-cloud": {
    title: "Tenant is in another Microsoft cloud",
    explanation: "This tenant belongs to a different Microsoft cloud than the one chosen.",
    who: "user",
    fix: { step: "copy-ids", text: "Choose the tenant's cloud and validate again." },
  },
  "no-roles": {
    title: "Admin consent was never granted",
    explanation: "The token carries no application permissions at all, which means nobody granted admin consent for this app.",
    who: "global-admin",
    fix: { step: "admin-consent", text: "Open the app's API permissions page and select \"Grant admin consent\", or use the console's consent link." },
  },
  "missing-permission": {
    title: "Required permission missing",
    explanation: "The app's token lacks an application permission Calsync needs.",
    who: "global-admin",
    fix: { step: "api-permissions", text: "Add the missing Microsoft Graph application permission, then grant admin consent." },
  },
  "extra-permissions": {
    title: "More permissions than needed",
    explanation: "The app holds application permissions Calsync does not use. Least privilege says remove them.",
    who: "global-admin",
    fix: { step: "api-permissions", text: "Remove the permissions Calsync does not need and grant admin consent again." },
  },
  "mailbox-not-restricted": {
    title: "Mailbox scoping is not effective",
    explanation:
      "The app could read a mailbox that should be out of scope. With tenant-wide Calendars.ReadWrite consent, Exchange RBAC for Applications scoping cannot narrow access, so the app reaches every mailbox.",
    who: "exchange-admin",
    fix: {
      step: "mailbox-scope",
      text: "Remove the tenant-wide Calendars.ReadWrite consent and grant the permission through an Exchange RBAC for Applications management scope (or an application access policy).",
    },
  },
  "no-mailbox-found": {
    title: "No mailbox to test",
    explanation: "None of the users Calsync could see has a mailbox address, so there is no calendar to read.",
    who: "user",
    fix: { step: "mailbox-scope", text: "Name a test mailbox (a licensed Exchange Online user)." },
  },
  "delete-failed": {
    title: "Test event could not be removed",
    explanation: "Calsync created a test event but could not delete it.",
    who: "exchange-admin",
  },
  "certificate-expired": {
    title: "Certificate has expired",
    explanation: "The certificate stored for this connection is past its end date; Microsoft would refuse it, so Calsync did not send it.",
    who: "global-admin",
    fix: { step: "client-secret", text: "Generate a new certificate on the credential step, upload it on the app's Certificates tab, then verify again." },
  },
  "certificate-not-yet-valid": {
    title: "Certificate is not valid yet",
    explanation: "The certificate's start date is still in the future (or the server's clock is behind); Microsoft would refuse it until then.",
    who: "global-admin",
    fix: { step: "client-secret", text: "Use a certificate that is valid today, or check the server's clock." },
  },
  "no-saved-sign-in": {
    title: "No saved sign-in",
    explanation: "Calsync holds no Microsoft sign-in for this mailbox any more (it was disconnected), so it cannot reach the calendar.",
    who: "user",
  },
  "mailbox-app-missing": {
    title: "Mailbox sign-in is not set up",
    explanation: "The app registration members sign in through has not been configured (or its cloud is not configured on this server).",
    who: "global-admin",
  },
  nonce_mismatch: {
    title: "Sign-in could not be verified",
    explanation: "The answer from Microsoft did not belong to the sign-in Calsync started (its nonce did not match), so it was refused.",
    who: "user",
  },
};

export type ErrorExplanation = {
  code: string;
  /** False when the code is not in the catalog: only Microsoft's own text and lookup link are known. */
  known: boolean;
  title: string;
  explanation: string;
  who: WhoCanFix;
  fix?: Fix;
  /** Microsoft's error lookup page (AADSTS codes only). */
  helpUrl?: string;
};

/** `7000215`, `"7000215"` and `"aadsts7000215"` all become `AADSTS7000215`; other codes are kept. */
export function normaliseErrorCode(code: string | number): string {
  const text = String(code).trim();
  if (/^\d+$/.test(text)) return `AADSTS${text}`;
  const aadsts = /^aadsts(\d+)$/i.exec(text);
  if (aadsts) return `AADSTS${aadsts[1]}`;
  return text;
}

function findEntry(code: string): ErrorEntryWithVariants | undefined {
  const catalogs = [aadstsCatalog, graphErrorCatalog, ownErrorCatalog, oauthErrorCatalog];
  for (const catalog of catalogs) {
    const entry = catalog[code];
    if (entry) return entry;
  }
  const lower = code.toLowerCase();
  for (const catalog of catalogs) {
    for (const [key, entry] of Object.entries(catalog)) if (key.toLowerCase() === lower) return entry;
  }
  return undefined;
}

/**
 * What a code means for the person who must act. `message` is Microsoft's text (used only to pick a
 * variant, never shown as our explanation); `cloud` fills in `{cloud}` and the lookup link's host.
 */
export function explainError(code: string | number, options: { message?: string; cloud?: Cloud } = {}): ErrorExplanation {
  const normalised = normaliseErrorCode(code);
  const isAadsts = normalised.startsWith("AADSTS");
  const helpUrl = isAadsts && options.cloud ? errorLookupUrl(options.cloud, normalised) : undefined;
  const base = findEntry(normalised);
  if (!base) {
    return {
      code: normalised,
      known: false,
      title: `Microsoft error ${normalised}`,
      explanation: isAadsts
        ? "Microsoft refused the request with a code Calsync does not know yet. Microsoft's error lookup page explains it."
        : "Microsoft refused the request with a code Calsync does not know yet.",
      who: "us",
      ...(helpUrl ? { helpUrl } : {}),
    };
  }
  const variant = options.message
    ? base.variants?.find((candidate) => options.message!.toLowerCase().includes(candidate.messageIncludes.toLowerCase()))
    : undefined;
  const entry: ErrorEntry = variant?.entry ?? base;
  const label = options.cloud?.label ?? "the chosen cloud";
  const fill = (text: string) => text.replaceAll("{cloud}", label);
  return {
    code: normalised,
    known: true,
    title: fill(entry.title),
    explanation: fill(entry.explanation),
    who: whoCanFix(entry.who, entry.fix?.step),
    ...(entry.fix ? { fix: { step: entry.fix.step, text: fill(entry.fix.text) } } : {}),
    ...(helpUrl ? { helpUrl } : {}),
  };
}

/**
 * Microsoft's first line, trimmed of the trace/correlation/timestamp trailer and the `AADSTSnnn:`
 * prefix, for display as "Microsoft said: …". `redact` removes any value that must never be shown.
 */
export function microsoftFirstLine(description: string | undefined, redact: readonly string[] = []): string | undefined {
  if (!description) return undefined;
  let line = description.split(/\r?\n/)[0] ?? "";
  line = line.replace(/\s+Trace ID:.*$/i, "").replace(/^AADSTS\d+:\s*/i, "").trim();
  for (const value of redact) if (value.length >= 4) line = line.replaceAll(value, "[redacted]");
  if (line.length > 300) line = `${line.slice(0, 297)}...`;
  return line || undefined;
}
