import { explainError } from "@/lib/checks/error-catalog";
import { whoLabel } from "@/lib/checks/fix-roles";
import type { WhoCanFix } from "@/lib/checks/schema";
import type { Cloud } from "@/lib/entra/clouds";

/**
 * Why a "connect my calendar" sign-in did not end in a connection, in the words of the person who
 * tried, with what to do next. Pure: the result page and the "Microsoft showed me a code" lookup both
 * use it.
 */

export type RefusalKind = "admin-approval" | "account-type" | "no-mailbox" | "blocked" | "cancelled" | "forged" | "other";

export type RefusalExplanation = {
  kind: RefusalKind;
  code: string;
  title: string;
  explanation: string;
  nextStep: string;
  who: WhoCanFix;
};

const kinds: Record<string, RefusalKind> = {
  AADSTS65001: "admin-approval",
  AADSTS90094: "admin-approval",
  AADSTS900941: "admin-approval",
  AADSTS50020: "account-type",
  AADSTS500200: "account-type",
  AADSTS9002331: "account-type",
  AADSTS50194: "account-type",
  "personal-account-not-allowed": "account-type",
  MailboxNotEnabledForRESTAPI: "no-mailbox",
  AADSTS53003: "blocked",
  AADSTS50076: "blocked",
  AADSTS50079: "blocked",
  AADSTS50078: "blocked",
  AADSTS50105: "blocked",
  AADSTS500121: "blocked",
  access_denied: "cancelled",
  AADSTS65004: "cancelled",
  "bad-state": "forged",
  nonce_mismatch: "forged",
};

const texts: Record<Exclude<RefusalKind, "other">, Omit<RefusalExplanation, "code" | "kind">> = {
  "admin-approval": {
    title: "Your organisation needs an administrator to approve Calsync first",
    explanation:
      "Your organisation does not let people approve apps like Calsync by themselves (or asks an administrator to review apps first). Nothing is wrong with your account.",
    nextStep: "Send your administrator the message below. Once they have approved Calsync, come back here and connect again.",
    who: "delegated-consent-admin",
  },
  "account-type": {
    title: "This kind of account cannot be used here",
    explanation:
      "You signed in with a kind of account this console does not accept: a personal Microsoft account (outlook.com, hotmail.com, live.com) where a work account is needed, or an account from an organisation the sign-in app is not set up for.",
    nextStep: "Connect again and sign in with your work account (the one you use for Outlook at work). If you did, ask your administrator whether this console accepts accounts from your organisation.",
    who: "user",
  },
  "no-mailbox": {
    title: "This account has no mailbox to sync",
    explanation:
      "The account signed in, but it has no Exchange Online mailbox: it may be a guest account from another organisation, or it has no Microsoft 365 licence with email.",
    nextStep: "Disconnect it and connect again with the account that has your mailbox. If this is that account, ask your Exchange administrator to give it a mailbox.",
    who: "exchange-admin",
  },
  blocked: {
    title: "Your organisation's sign-in rules stopped this sign-in",
    explanation:
      "A Conditional Access policy or a multi-factor authentication requirement in your organisation blocked the sign-in (for example because of the device, the location or a missing MFA approval).",
    nextStep: "Try again and complete every prompt (such as the Authenticator approval). If it is blocked again, send your IT helpdesk the correlation ID below.",
    who: "global-admin",
  },
  cancelled: {
    title: "The sign-in was cancelled",
    explanation: "The sign-in at Microsoft was cancelled or the permissions were declined, so nothing was connected.",
    nextStep: "Connect again when you are ready, and choose Accept when Microsoft asks for permission.",
    who: "user",
  },
  forged: {
    title: "This sign-in answer was not accepted",
    explanation:
      "The answer from Microsoft did not match a sign-in you started in this browser in the last ten minutes. It may be an old or reused link, or someone may have tried to make you connect their account. Nothing was connected.",
    nextStep: "Start again with \"Connect my Microsoft 365 calendar\".",
    who: "user",
  },
};

export function explainRefusal(code: string, options: { cloud?: Cloud; message?: string } = {}): RefusalExplanation {
  const kind = kinds[code] ?? "other";
  if (kind !== "other") return { kind, code, ...texts[kind] };
  if (code === "sign-in-failed") {
    return {
      kind,
      code,
      title: "Your calendar could not be connected",
      explanation: "Something went wrong on our side while saving the sign-in (for example the database did not answer). Nothing was connected.",
      nextStep: "Try again in a few minutes. If it keeps failing, tell helpdesk when it happened.",
      who: "us",
    };
  }
  if (code === "connect-refused") {
    return {
      kind,
      code,
      title: "The mailbox could not be connected",
      explanation: options.message ?? "Calsync could not save this connection.",
      nextStep: "Connect again with the right account, or ask helpdesk for help.",
      who: "user",
    };
  }
  const entry = explainError(code, { ...(options.cloud ? { cloud: options.cloud } : {}), ...(options.message ? { message: options.message } : {}) });
  return {
    kind,
    code,
    title: entry.title,
    explanation: entry.explanation,
    nextStep: entry.who === "user" || entry.who === "us" ? "Try connecting again in a few minutes. If it fails again, send helpdesk the code and correlation ID below." : "Send your IT helpdesk the code and correlation ID below.",
    who: entry.who,
  };
}

export type ConsentHandOffView = {
  /** Microsoft's admin consent link for exactly this app and tenant. */
  url: string;
  /** A message ready to send to the administrator who can grant it. */
  message: string;
  /** The organisation whose administrators can grant it, as the link names it. */
  tenant: string;
};

/**
 * The message asking an administrator to grant consent: a member's delegated sign-in app, or the
 * organisation-wide app a wizard user cannot consent to themselves. The role named is the one that
 * can grant exactly that kind of permission.
 */
export function adminApprovalMessage(input: {
  appName: string;
  clientId: string;
  consentUrl: string;
  requester: string;
  kind?: "delegated" | "application";
}): string {
  const application = input.kind === "application";
  return [
    "Hello,",
    "",
    application
      ? `I am setting up ${input.appName}, our calendar synchronisation, for the whole organisation. Its app registration needs admin consent for Microsoft Graph application permissions, which I cannot grant myself.`
      : `I would like to connect my Microsoft 365 calendar to ${input.appName}, our calendar synchronisation, but Microsoft says an administrator must approve the app first.`,
    "",
    `App (client) ID: ${input.clientId}`,
    application
      ? "Permissions it asks for (application, for the organisation's calendars): Calendars.ReadWrite, User.Read.All."
      : "Permissions it asks for (delegated, for the signed-in user only): User.Read, Calendars.ReadWrite, offline_access.",
    "",
    `An administrator (${whoLabel(application ? "consent-admin" : "delegated-consent-admin")}) can review and approve it here:`,
    input.consentUrl,
    "",
    "Thank you,",
    input.requester,
  ].join("\n");
}
