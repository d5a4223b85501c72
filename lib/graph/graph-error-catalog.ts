import type { ErrorEntryWithVariants } from "@/lib/checks/error-types";

/**
 * Microsoft Graph error codes met by directory and calendar calls. Keyed by Graph's `error.code`;
 * `variants` refine the meaning by Microsoft's message where one code covers several causes.
 * Pure data.
 */
export const graphErrorCatalog: Readonly<Record<string, ErrorEntryWithVariants>> = {
  ErrorAccessDenied: {
    title: "Access to the mailbox denied",
    explanation:
      "Exchange refused access to this mailbox. Either the app lacks the Calendars.ReadWrite application permission with admin consent, or an Exchange RBAC for Applications scope does not include this mailbox.",
    who: "global-admin",
    fix: {
      step: "api-permissions",
      text: "Add the Calendars.ReadWrite application permission and grant admin consent; if your Exchange admin scoped the app, add this mailbox to its management scope.",
    },
    variants: [
      {
        messageIncludes: "Access to OData is disabled",
        entry: {
          title: "Mailbox excluded by an Exchange application access policy",
          explanation:
            "An Exchange Online application access policy restricts this app to certain mailboxes, and this mailbox is not among them. Policy changes can take an hour or more to apply.",
          who: "exchange-admin",
          fix: {
            step: "mailbox-scope",
            text: "An Exchange admin adds the mailbox to the mail-enabled security group used by the app's access policy (New-ApplicationAccessPolicy / Test-ApplicationAccessPolicy).",
          },
        },
      },
    ],
  },
  Authorization_RequestDenied: {
    title: "Not allowed to read the directory",
    explanation: "Microsoft Graph refused to list users: the app lacks the User.Read.All application permission with admin consent.",
    who: "global-admin",
    fix: {
      step: "api-permissions",
      text: "Add the User.Read.All application permission (Read all users' full profiles) and grant admin consent.",
    },
  },
  ErrorInvalidUser: {
    title: "Mailbox not found",
    explanation: "No user with this address exists in the tenant.",
    who: "user",
    fix: { step: "mailbox-scope", text: "Check the spelling of the mailbox address (its user principal name)." },
  },
  MailboxNotEnabledForRESTAPI: {
    title: "User has no Exchange Online mailbox",
    explanation:
      "The user exists but has no cloud mailbox: no Exchange Online licence, a soft-deleted or inactive mailbox, or a mailbox that is still on-premises.",
    who: "exchange-admin",
    fix: { step: "mailbox-scope", text: "Pick a licensed Exchange Online mailbox, or have an Exchange admin license or migrate this one." },
  },
  ResourceNotFound: {
    title: "Mailbox or item not found",
    explanation: "Microsoft Graph could not find the mailbox or item. The user may have no Exchange Online mailbox.",
    who: "exchange-admin",
    fix: { step: "mailbox-scope", text: "Pick a licensed Exchange Online mailbox." },
  },
  Request_ResourceNotFound: {
    title: "User not found",
    explanation: "No user with this address or ID exists in the tenant.",
    who: "user",
    fix: { step: "mailbox-scope", text: "Check the spelling of the mailbox address (its user principal name)." },
  },
  ErrorItemNotFound: {
    title: "Item not found",
    explanation: "The calendar item no longer exists (it may already have been deleted).",
    who: "user",
    fix: { step: "mailbox-scope", text: "Check the mailbox and try again." },
  },
  InvalidAuthenticationToken: {
    title: "Microsoft Graph rejected the token",
    explanation:
      "Microsoft Graph did not accept the access token. This is a Calsync problem unless the token was issued for another cloud's Graph.",
    who: "us",
    variants: [
      {
        messageIncludes: "Invalid audience",
        entry: {
          title: "Token issued for another cloud",
          explanation: "The token was issued for a different Microsoft cloud's Graph than the one called.",
          who: "user",
          fix: { step: "copy-ids", text: "Choose the cloud the tenant belongs to and validate again." },
        },
      },
    ],
  },
  TooManyRequests: {
    title: "Microsoft is throttling requests",
    explanation: "Microsoft Graph asked Calsync to slow down and kept doing so for longer than the check waits.",
    who: "us",
  },
  ApplicationThrottled: {
    title: "Microsoft is throttling this app",
    explanation: "Microsoft Graph limits how many requests this app may make to the mailbox at once; it stayed over the limit for longer than the check waits.",
    who: "us",
  },
  ServiceUnavailable: {
    title: "Microsoft service unavailable",
    explanation: "Microsoft Graph is temporarily unavailable. Nothing in your tenant needs changing; try again later.",
    who: "us",
  },
  UnknownError: {
    title: "Microsoft service error",
    explanation: "Microsoft Graph returned an error without details, usually a temporary service problem. Try again later.",
    who: "us",
  },
};
