import { explainError } from "@/lib/checks/error-catalog";
import type { Cloud } from "@/lib/entra/clouds";
import { APP_ROLE_VALUES } from "@/lib/auth/oidc/role-mapping";

/**
 * Why "Sign in with Microsoft" did not sign someone in, in their words. Our own refusals (untrusted
 * tenant, no role) name what to ask for; Microsoft's codes get the error catalog's explanation. Pure.
 */

export type ConsoleSignInRefusal = { code: string; title: string; explanation: string; nextStep: string };

const own: Record<string, Omit<ConsoleSignInRefusal, "code">> = {
  "tenant-not-trusted": {
    title: "Your organisation is not one this console trusts",
    explanation: "You signed in with an account from a Microsoft 365 organisation (tenant) that this console does not accept for staff sign-in.",
    nextStep: "Sign in again with your account in the organisation that runs this console. If you think your organisation should be trusted, ask an administrator of this console.",
  },
  "no-role": {
    title: "You have no role in this console",
    explanation: "Microsoft signed you in, but your account has no Calsync role in Entra ID, and this console does not let people without a role in.",
    nextStep: `Ask your Entra ID administrator to assign you the app role ${APP_ROLE_VALUES.helpdesk} (or ${APP_ROLE_VALUES.admin}) on the Calsync app, or to add you to a group that gives a console role. Then sign in again.`,
  },
  "email-taken": {
    title: "A console account with your email address already exists",
    explanation: "This console already has an account with your email address that is not linked to your Microsoft account. Calsync never joins accounts by email address alone.",
    nextStep: "Sign in with that account's email and password, or ask an administrator to remove the old account so that Microsoft sign-in can create yours.",
  },
  "no-email": {
    title: "Your Microsoft account has no email address",
    explanation: "A console account needs an email address, and Microsoft sent none for your account.",
    nextStep: "Ask your Entra ID administrator to give your account an email address (or a sign-in name that is one).",
  },
  deactivated: {
    title: "Your console account is deactivated",
    explanation: "Your Microsoft account is linked to a console account that an administrator deactivated.",
    nextStep: "Ask an administrator of this console to reactivate it.",
  },
  "groups-unreadable": {
    title: "Your groups could not be read",
    explanation: "You are in more groups than fit in a sign-in token, so Calsync asked Microsoft Graph for them, and Graph refused or did not answer.",
    nextStep: `Try again in a few minutes. If it keeps failing, ask your Entra ID administrator to grant admin consent for GroupMember.Read.All, or to assign you the app role ${APP_ROLE_VALUES.helpdesk} or ${APP_ROLE_VALUES.admin} instead (app roles always fit in the token).`,
  },
  "member-tenant-not-allowed": {
    title: "Your organisation cannot connect calendars here without an invitation",
    explanation: "This console lets people of certain Microsoft 365 organisations connect their calendar by themselves, and yours is not one of them.",
    nextStep: "Ask the people who run this console for an invitation or a connect link.",
  },
  "personal-account-not-allowed": {
    title: "A personal Microsoft account cannot be used here",
    explanation: "You signed in with a personal Microsoft account (outlook.com, hotmail.com, live.com); this needs your work account.",
    nextStep: "Start again and sign in with your work account.",
  },
  "link-for-someone-else": {
    title: "This link is for someone else",
    explanation: "The link you opened was made for another email address than the Microsoft account you signed in with.",
    nextStep: "Open the link again and sign in with the account it was sent to, or ask for a link of your own.",
  },
  "link-not-usable": {
    title: "This link can no longer be used",
    explanation: "The link was used, withdrawn or has expired while you were signing in.",
    nextStep: "Ask the person who sent it for a new link.",
  },
  "identity-linked-elsewhere": {
    title: "This Microsoft account belongs to another console account",
    explanation: "The Microsoft account you signed in with is already linked to a different console account.",
    nextStep: "Sign out and use Sign in with Microsoft to reach that account, or ask an administrator.",
  },
  "not-configured": {
    title: "Sign in with Microsoft is not set up",
    explanation: "Microsoft sign-in was turned off or changed while you were signing in.",
    nextStep: "Sign in with your email and password, or ask an administrator.",
  },
  "bad-state": {
    title: "This sign-in cannot be finished",
    explanation: "The answer from Microsoft did not belong to a sign-in started in this browser in the last ten minutes, or it was already used.",
    nextStep: "Start again with Sign in with Microsoft.",
  },
  "sign-in-failed": {
    title: "Something went wrong on our side",
    explanation: "The sign-in could not be saved (for example the database did not answer). You are not signed in.",
    nextStep: "Try again in a few minutes.",
  },
  access_denied: {
    title: "The sign-in was cancelled",
    explanation: "You cancelled the sign-in at Microsoft.",
    nextStep: "Start again with Sign in with Microsoft when you are ready.",
  },
};

export function explainConsoleSignInRefusal(code: string, options: { cloud?: Cloud; message?: string } = {}): ConsoleSignInRefusal {
  if (code === "connect-refused") {
    return { code, title: "Your calendar could not be connected", explanation: options.message ?? "Calsync could not save this connection.", nextStep: "Try again with the right account, or ask helpdesk for help." };
  }
  const text = own[code];
  if (text) return { code, ...text };
  const entry = explainError(code, { ...(options.cloud ? { cloud: options.cloud } : {}), ...(options.message ? { message: options.message } : {}) });
  return {
    code,
    title: entry.title,
    explanation: entry.explanation,
    nextStep: entry.who === "user" || entry.who === "us" ? "Try again. If it fails again, send your IT helpdesk the code below." : "Send your IT helpdesk the code below: someone with rights in your Entra ID can fix this.",
  };
}
