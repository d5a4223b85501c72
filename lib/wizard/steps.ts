import { z } from "zod";
import { fixStepIds, legacyFixSteps, type FixStep, type ScopeMode } from "@/lib/checks/schema";
import { whoLabel } from "@/lib/checks/fix-roles";
import { consentPropagationNote } from "@/lib/entra/admin-consent";
import type { Cloud } from "@/lib/entra/clouds";
import { graphPermissions } from "@/lib/entra/permissions";
import {
  appBladeLink,
  appRegistrationsLink,
  enterpriseAppPermissionsLink,
  newRegistrationLink,
  portalName,
  type PortalLink,
} from "@/lib/entra/portal-links";
import type { SignInAudience } from "@/lib/entra/setup-scripts";
import { isGuid } from "@/lib/checks/format";

/**
 * The connection wizard's steps: their order and everything each page says. Pure data and small
 * functions, so the pages stay thin and the texts are tested without a browser. The texts must get
 * someone who has never registered an Entra app through it without other documentation, so they
 * name the portal's own labels exactly and say what goes wrong at each step.
 *
 * Routes are `/connections/new/<id>`; `/connections/new` itself (cloud and path) is not a step.
 */

// The fix steps a failed check can point at are, in order, the wizard's steps; verifying comes last.
export const wizardStepIdSchema = z.enum([...fixStepIds, "verify"]);
export type WizardStepId = z.infer<typeof wizardStepIdSchema>;

/**
 * A step id as stored in a draft or typed in an old link: steps merged into another one map to it,
 * anything unknown to `undefined`.
 */
export function currentStepId(value: unknown): WizardStepId | undefined {
  const mapped = typeof value === "string" && Object.hasOwn(legacyFixSteps, value) ? legacyFixSteps[value] : value;
  return wizardStepIdSchema.safeParse(mapped).data;
}

/** In order. */
export const wizardSteps: readonly WizardStepId[] = wizardStepIdSchema.options;

/** Each step's name, as the stepper, the page title and the resume banner show it. */
export const stepTitles: Readonly<Record<WizardStepId, string>> = {
  "register-app": "Register the app",
  "copy-ids": "Copy the IDs",
  "client-secret": "Add a credential",
  "api-permissions": "Add the API permissions",
  "admin-consent": "Grant admin consent",
  "mailbox-scope": "Choose the mailbox scope",
  verify: "Verify and save",
};

/** Zero-based position of a step. */
export function stepIndex(stepId: WizardStepId): number {
  return wizardSteps.indexOf(stepId);
}

export function nextStep(stepId: WizardStepId): WizardStepId | undefined {
  return wizardSteps[stepIndex(stepId) + 1];
}

export function previousStep(stepId: WizardStepId): WizardStepId | undefined {
  const index = stepIndex(stepId);
  return index > 0 ? wizardSteps[index - 1] : undefined;
}

/** The step a check's `fix` sends people to. The ids are shared, so this only narrows the type. */
export function wizardStepForFix(step: FixStep): WizardStepId {
  return step;
}

/**
 * Steps done in the portal with nothing to type here: "I have done this step" is what completes them.
 * Every other step is complete once its form is saved.
 */
const tickedSteps: ReadonlySet<WizardStepId> = new Set(["api-permissions", "admin-consent"]);

export function confirmedByTick(stepId: WizardStepId): boolean {
  return tickedSteps.has(stepId);
}

/** Form fields the wizard edits, each on exactly one step. */
export const wizardFieldSchema = z.enum([
  "accountType",
  "tenant",
  "clientId",
  "applicationObjectId",
  "name",
  "clientSecret",
  "secretExpiresAt",
  "mailboxScope",
  "mailboxes",
  "testMailbox",
  "outOfScopeMailbox",
  "scopeMode",
  "writeTest",
]);
export type WizardField = z.infer<typeof wizardFieldSchema>;

/** Where each field is edited: a failed check sends the admin to this step with the field highlighted. */
export const fieldStep: Readonly<Record<WizardField, WizardStepId>> = {
  accountType: "register-app",
  tenant: "copy-ids",
  clientId: "copy-ids",
  applicationObjectId: "copy-ids",
  name: "copy-ids",
  clientSecret: "client-secret",
  secretExpiresAt: "client-secret",
  mailboxScope: "mailbox-scope",
  mailboxes: "mailbox-scope",
  testMailbox: "mailbox-scope",
  outOfScopeMailbox: "mailbox-scope",
  scopeMode: "mailbox-scope",
  writeTest: "verify",
};

export type AccountTypeOption = {
  id: SignInAudience;
  /** The radio button's text on "Register an application". */
  label: string;
  /** The short name people use for it. */
  short: string;
  /** When it fits. */
  when: string;
  /** Whether Calsync's organisation-wide connection can use it. */
  worksForCalsync: boolean;
  recommended: boolean;
};

/** The four "Supported account types", for the comparison table on the register step. */
export const accountTypeOptions: readonly AccountTypeOption[] = [
  {
    id: "AzureADMyOrg",
    label: "Accounts in this organizational directory only (Single tenant)",
    short: "Single tenant",
    when: "A line-of-business app used only in your own organisation. Calsync reads and writes calendars in your tenant only, so this is the right choice for an organisation-wide connection.",
    worksForCalsync: true,
    recommended: true,
  },
  {
    id: "AzureADMultipleOrgs",
    label: "Accounts in any organizational directory (Any Microsoft Entra ID tenant - Multitenant)",
    short: "Multitenant",
    when: "A SaaS app offered to many organisations, each of which consents in its own tenant. Works for Calsync, but every other tenant's admin must consent before it can reach their mailboxes.",
    worksForCalsync: true,
    recommended: false,
  },
  {
    id: "AzureADandPersonalMicrosoftAccount",
    label:
      "Accounts in any organizational directory (Any Microsoft Entra ID tenant - Multitenant) and personal Microsoft accounts (e.g. Skype, Xbox)",
    short: "Multitenant and personal accounts",
    when: "The widest reach: work and school accounts of any organisation plus personal Microsoft accounts (Outlook.com, Skype, Xbox). More than Calsync needs, and Microsoft restricts some settings for such apps.",
    worksForCalsync: true,
    recommended: false,
  },
  {
    id: "PersonalMicrosoftAccount",
    label: "Personal Microsoft accounts only",
    short: "Personal accounts only",
    when: "Consumer apps for Outlook.com, Skype and Xbox users only. Such an app cannot read an organisation's mailboxes, so it does not work for Calsync.",
    worksForCalsync: false,
    recommended: false,
  },
];

export type StepInstruction = { text: string; link?: PortalLink };

export type StepContent = {
  id: WizardStepId;
  title: string;
  summary: string;
  instructions: StepInstruction[];
  /** Why the step matters (shown folded, for people who want to know). */
  why: string;
  /** "What can go wrong here". */
  pitfalls: string[];
  /** Form fields shown on this step. */
  fields?: WizardField[];
};

export type StepContext = {
  cloud: Cloud;
  clientId?: string;
  tenant?: string;
  /** The redirect URI the organisation path registers (platform "Web"): the admin consent callback. */
  redirectUri: string;
  /** The tenant's display name, as the portal shows it in "Grant admin consent for …". */
  organisationName?: string;
  /** Under RBAC for Applications the tenant-wide Calendars.ReadWrite is left out (the union trap). */
  scopeMode?: ScopeMode;
};

const rbacLeavesOutCalendars = `This connection is scoped by Exchange RBAC for Applications: do not add ${graphPermissions.calendarsReadWriteApp.value} here. Its tenant-wide grant would reach every mailbox and make the Exchange scope do nothing; the Exchange role assignment grants calendar access instead.`;

/** The text of a step for one cloud and, once known, one app. Deep links are absent for the `custom` cloud. */
export function stepContent(stepId: WizardStepId, context: StepContext): StepContent {
  return builders[stepId](context);
}

const calendarsApp = graphPermissions.calendarsReadWriteApp;
const usersApp = graphPermissions.userReadAllApp;
const userReadDelegated = graphPermissions.userReadDelegated;

/** "the Microsoft Entra admin center" / "the Azure portal"; for custom endpoints, the portal of the cloud they stand in for. */
function where(cloud: Cloud): string {
  return portalName(cloud) ? `the ${portalName(cloud)}` : "the admin center of the Microsoft cloud your endpoints stand in for";
}

function organisation(context: StepContext): string {
  return context.organisationName?.trim() || "your organisation";
}

function wrongPortalPitfall(cloud: Cloud): string {
  if (cloud.id === "custom") {
    return "Custom endpoints have no admin center of their own: register the app where those endpoints' tenant lives (for a test simulator, in its scenario file).";
  }
  if (cloud.id === "global") {
    return "Tenants in a national cloud (US Government, or China operated by 21Vianet) do not appear in the global admin center. If yours is one, go back and choose its cloud.";
  }
  return `Using the wrong portal: a tenant in ${cloud.label} is managed only through ${where(cloud)} (${cloud.portalOrigin}); the global admin center does not show it.`;
}

function withLink(text: string, link: PortalLink | undefined): StepInstruction {
  return link ? { text, link } : { text };
}

function knownClientId(context: StepContext): string | undefined {
  const trimmed = context.clientId?.trim();
  return trimmed && isGuid(trimmed) ? trimmed.toLowerCase() : undefined;
}

/** How to reach a blade of the app, in words, for when the link is missing or the page was closed. */
function openApp(context: StepContext, menu: string): string {
  return `In ${where(context.cloud)}, open App registrations, select your app (All applications lists every app; search by name or client ID), then ${menu} in its menu.`;
}

const builders: Record<WizardStepId, (context: StepContext) => StepContent> = {
  "register-app": (context) => ({
    id: "register-app",
    title: stepTitles["register-app"],
    summary: "One form in the portal: the app's name, who can sign in, and the redirect URI. Then select Register.",
    instructions: [
      withLink(
        `Sign in to ${where(context.cloud)} (formerly the Azure portal's Azure Active Directory) with an account of the organisation whose calendars Calsync will sync.`,
        appRegistrationsLink(context.cloud),
      ),
      withLink(
        portalName(context.cloud) === "Azure portal"
          ? "Open Microsoft Entra ID, then App registrations, and select + New registration."
          : "Open App registrations (under Entra ID, or Identity → Applications in older menus) and select + New registration.",
        newRegistrationLink(context.cloud),
      ),
      { text: 'Under Name, enter a name people will recognise, for example "CalendarSync". It is only a label and can be changed later.' },
      {
        text: 'Under Supported account types, choose "Accounts in this organizational directory only" (single tenant) unless you run Calsync for several organisations. The table below says when each option fits.',
      },
      {
        text: `Under Redirect URI, choose the platform "Web" and enter exactly: ${context.redirectUri} (Microsoft returns the administrator there after granting consent with this console's link).`,
      },
      { text: "Select Register. The portal opens the app's Overview page, where the next step starts." },
    ],
    why: "Microsoft only lets software into a tenant's mailboxes through an app registration. It gives Calsync its own identity (the Application (client) ID), its own permissions and its own secret, all of which your admins can see, limit and revoke at any time without touching anyone's password. Single tenant keeps other organisations' users out; the redirect URI is where Microsoft sends the administrator back after consenting through this console.",
    pitfalls: [
      "Registering in the wrong tenant: check the organisation shown at the top right of the portal. People with guest access to other tenants often land in one of those.",
      `The New registration button is missing or greyed out: your tenant does not let ordinary users register apps ("Users can register applications" is off). Ask for the Application Developer role, or have ${whoLabel("app-admin").replace(/^the app's owner, or /, "")} do this step.`,
      '"Personal Microsoft accounts only" cannot reach organisational mailboxes: Calsync\'s checks then fail with a tenant or app-not-found error. Register again with single tenant.',
      'The redirect URI must match character for character (scheme, host, port, path, letter case) and use the platform "Web", not "Single-page application" or "Public client/native"; otherwise Microsoft answers AADSTS50011 (redirect URI does not match) after consent. Copy it with the copy button.',
      wrongPortalPitfall(context.cloud),
    ],
    fields: ["accountType"],
  }),

  "api-permissions": (context) => ({
    id: "api-permissions",
    title: stepTitles["api-permissions"],
    summary:
      context.scopeMode === "rbac"
        ? `Give the app the Application permission ${usersApp.value}; calendar access comes from Exchange RBAC for Applications.`
        : `Give the app the Application permissions ${calendarsApp.value} and ${usersApp.value}.`,
    instructions: [
      withLink(
        knownClientId(context) ? "Open the app's API permissions page." : openApp(context, "API permissions"),
        appBladeLink(context.cloud, "api-permissions", context.clientId),
      ),
      { text: "Select + Add a permission, then Microsoft Graph, then Application permissions (not Delegated permissions)." },
      context.scopeMode === "rbac"
        ? { text: rbacLeavesOutCalendars }
        : { text: `Search for "${calendarsApp.value}", open Calendars and tick ${calendarsApp.value} ("${calendarsApp.displayText}").` },
      {
        text: `Search for "${usersApp.value}", open User and tick ${usersApp.value} ("${usersApp.displayText}"). Calsync needs it to list the mailboxes it syncs; if you will limit Calsync to a list of mailboxes, it is optional.`,
      },
      { text: "Select Add permissions. Both rows now show Type: Application, and Status: Not granted until the next step." },
      {
        text: `The portal added the Delegated permission ${userReadDelegated.value} ("${userReadDelegated.displayText}") when the app was created. It is harmless: app-only access never uses it. Keep it if people will connect their own mailbox; otherwise you may remove it.`,
      },
    ],
    why: `Application permissions let Calsync act as itself, without a signed-in user, which is what a background sync needs. ${calendarsApp.value} lets it create, update and delete the events it syncs; ${usersApp.value} lets it find the mailboxes to sync. Nothing here takes effect until an administrator consents (next step).`,
    pitfalls: [
      "Picking Delegated permissions instead of Application permissions: the list looks the same, but the Type column then says Delegated and Calsync's checks report no permissions.",
      "Picking Calendars.Read or Calendars.ReadBasic: Calsync can then read but not write events, and the write test fails.",
      "Adding a permission after consent was granted: the new row shows Not granted. Grant admin consent again.",
      "Extra permissions (Mail.Read, Directory.ReadWrite.All and the like) are not needed; Calsync's checks flag them, because every extra permission widens what a leaked secret could do.",
    ],
  }),

  "admin-consent": (context) => {
    const org = organisation(context);
    return {
      id: "admin-consent",
      title: stepTitles["admin-consent"],
      summary: `An administrator approves the permissions for all of ${org}.`,
      instructions: [
        withLink(
          knownClientId(context) && appBladeLink(context.cloud, "api-permissions", context.clientId)
            ? `Open the app's API permissions page and select "Grant admin consent for ${org}" above the list, then Yes.`
            : `${openApp(context, "API permissions")} Select "Grant admin consent for ${org}" above the list, then Yes.`,
          appBladeLink(context.cloud, "api-permissions", context.clientId),
        ),
        {
          text:
            context.scopeMode === "rbac"
              ? `Check the Status column: ${usersApp.value} must show "Granted for ${org}", and ${calendarsApp.value} must not be listed at all. ${rbacLeavesOutCalendars}`
              : `Check the Status column: both ${calendarsApp.value} and ${usersApp.value} must show "Granted for ${org}" with a green check mark.`,
        },
        {
          text: `Only ${whoLabel("consent-admin")} can grant this. If you are neither, send them the consent link and the message below: the link opens Microsoft's consent screen for exactly this app.`,
        },
        withLink(
          "To see who granted consent and when, open the app under Enterprise applications, then Permissions.",
          enterpriseAppPermissionsLink(context.cloud, { clientId: context.clientId }),
        ),
      ],
      why: "Application permissions reach every mailbox in the tenant, so Microsoft requires an administrator's explicit approval. Until it is given, Microsoft issues Calsync tokens without any permission and every calendar call is refused.",
      pitfalls: [
        `Only ${whoLabel("consent-admin")} can consent to Microsoft Graph application permissions. Application Administrators and Cloud Application Administrators cannot, and the button is greyed out for everyone else.`,
        `Status still shows "Not granted for ${org}" or an orange warning: consent was not given for that row, or was given before the permission was added. Press the button again.`,
        consentPropagationNote,
        "With a multitenant app, consent must be given in the tenant whose calendars Calsync syncs, not only in the tenant where the app was registered.",
      ],
    };
  },

  "client-secret": (context) => ({
    id: "client-secret",
    title: stepTitles["client-secret"],
    summary: "Give the app the credential Calsync signs in with: a certificate Calsync makes (recommended), your own certificate, or a client secret.",
    instructions: [
      withLink(
        knownClientId(context) ? "Open the app's Certificates & secrets page." : openApp(context, "Certificates & secrets"),
        appBladeLink(context.cloud, "certificates-secrets", context.clientId),
      ),
      {
        text: "Recommended: select Generate a certificate below and download its .cer file. In the portal, on the Certificates tab, select Upload certificate, choose the file, enter a description such as \"Calsync\" and select Add. The Thumbprint column then shows the SHA-1 thumbprint printed below.",
      },
      {
        text: "Already have a certificate for the app? Upload it below as a PFX file with its password, or as PEM with its private key, and upload its public part (.cer or .pem) in the portal the same way.",
      },
      { text: "Or use a client secret: on the Client secrets tab, select + New client secret." },
      {
        text: 'Enter a Description, for example "Calsync", and choose when it Expires. We recommend 12 months or less. The portal allows at most 24 months (Custom); the "Never" option no longer exists.',
      },
      { text: "Select Add. Copy the Value column straight away with its copy button and paste it below." },
      { text: "Enter the expiry date shown in the Expires column, so Calsync can remind you before the secret stops working." },
    ],
    why: "The credential proves to Microsoft that a sign-in really comes from Calsync. With a certificate, the private key never leaves Calsync (Entra holds only the public part), Calsync knows its exact expiry, and tenants that forbid client secrets still allow it. A secret is a password: Calsync stores it encrypted and never shows it again, and a short lifetime limits the damage if it ever leaks.",
    pitfalls: [
      "Uploading the certificate to a different app registration: Microsoft then answers AADSTS700027 (certificate not registered). Check the Application (client) ID on the Overview page before uploading.",
      "Entra needs only the public certificate (.cer or .pem). Never upload a PFX or a private key to the portal.",
      "Right after the upload, Microsoft can take a few minutes to accept a new certificate; verify again if the first check reports AADSTS700027.",
      "The Value is shown only once, right after creation. After leaving the page it is masked for good; create a new secret if you missed it.",
      "The Secret ID is not the secret. Pasting it makes Microsoft answer AADSTS7000215 (invalid client secret).",
      "Your organisation may enforce a shorter maximum lifetime than 24 months; the portal then refuses longer ones.",
      "An expired secret fails with AADSTS7000222. Create a new one here and paste it; the old one can be deleted once Calsync uses the new one.",
    ],
    fields: ["clientSecret", "secretExpiresAt"],
  }),

  "copy-ids": (context) => ({
    id: "copy-ids",
    title: stepTitles["copy-ids"],
    summary: "Copy the Application (client) ID and the Directory (tenant) ID from the Overview page that opened after Register.",
    instructions: [
      withLink(
        knownClientId(context) ? "Open the app's Overview page." : `The Overview page opened when you selected Register. If you closed it: ${openApp(context, "Overview")}`,
        appBladeLink(context.cloud, "overview", context.clientId),
      ),
      { text: "Under Essentials, copy the Application (client) ID with the copy button that appears on hover, and paste it below." },
      { text: "Copy the Directory (tenant) ID the same way and paste it below. Your tenant's domain (for example contoso.onmicrosoft.com) also works." },
      { text: "Give the connection a name you will recognise in Calsync, for example the organisation's name." },
      {
        text: "Optional, for a certificate: copy the Object ID from the same page too. It is not the client ID: it names the app object itself, and Calsync needs it to renew its certificate without you.",
      },
    ],
    why: "The client ID says which app is signing in, the tenant ID says in which organisation. Both are public identifiers, not secrets; Calsync needs them together with the secret to sign in.",
    pitfalls: [
      "The Object ID on the same page is a different value (the app object's own ID). Pasting it as the client ID makes Microsoft answer AADSTS700016 (app not found).",
      "The Object ID shown under Enterprise applications is yet another value (the service principal's). The optional Object ID below is the one on the app registration's Overview page.",
      "Copying the client ID from one app and the tenant ID from another tenant: both must come from the same Overview page.",
      "An Azure subscription ID looks like a tenant ID but is not one; take the tenant ID from the app's Overview page.",
    ],
    fields: ["name", "tenant", "clientId", "applicationObjectId"],
  }),

  "mailbox-scope": (context) => {
    const appId = knownClientId(context) ?? "<Application (client) ID>";
    return {
      id: "mailbox-scope",
      title: stepTitles["mailbox-scope"],
      summary: "All users, or a list of mailboxes, plus a mailbox to test with.",
      instructions: [
        {
          text: "Choose All users to sync every mailbox Calsync can reach, or A list of mailboxes to sync only the addresses you enter. A list limits what Calsync does; it does not stop the app from reaching other mailboxes.",
        },
        {
          text: "To make Microsoft itself enforce the limit, an Exchange administrator restricts the app in Exchange Online PowerShell (Connect-ExchangeOnline). The current way is RBAC for Applications: New-ServicePrincipal with the app's client ID and its Enterprise application Object ID, New-ManagementScope for the mailboxes (for example members of a group), then New-ManagementRoleAssignment -App " +
            `${appId} -Role "Application Calendars.ReadWrite" -CustomResourceScope <scope name>. Entra consent and Exchange role grants add up, so then remove the tenant-wide ${calendarsApp.value} consent (or never grant it).`,
        },
        {
          text: `Microsoft no longer recommends new application access policies (New-ApplicationAccessPolicy -AppId ${appId} …), the older way. An existing one keeps working alongside consent; the scope assistant on this page writes the RBAC for Applications script, and can convert such a policy and remove it.`,
        },
        { text: "Enter a test mailbox Calsync should reach (for example your own). The checks read its calendar." },
        {
          text: "If you restricted the app, also enter a mailbox outside the allowed set: the checks then confirm that Microsoft refuses it, so you know the restriction works.",
        },
      ],
      why: "Application permissions reach every mailbox in the tenant by default, including executives' and shared mailboxes. Exchange Online is where that reach is narrowed; Calsync then proves the restriction with a mailbox inside and one outside it.",
      pitfalls: [
        "Restrictions in Exchange take time to apply: application access policies can take an hour or more, RBAC for Applications usually less. A check run right after the change may still see the old behaviour.",
        "A mailbox without an Exchange Online licence, or one still on-premises, cannot be reached through Microsoft Graph (MailboxNotEnabledForRESTAPI), whatever the scope.",
        "With RBAC for Applications, a tenant-wide Calendars.ReadWrite consent in Entra still grants access to every mailbox. Remove it, or the scope restricts nothing.",
        "New-ServicePrincipal in Exchange needs the Object ID from Enterprise applications, not the one from App registrations.",
      ],
      fields: ["mailboxScope", "mailboxes", "testMailbox", "outOfScopeMailbox", "scopeMode"],
    };
  },

  verify: () => ({
    id: "verify",
    title: stepTitles["verify"],
    summary: "Calsync signs in as the app and tries each permission, step by step.",
    instructions: [
      { text: "Run the checks. Each one shows what it tried, what Microsoft answered and, when something is wrong, who can fix it and the step that does." },
      {
        text: "Optionally allow the write test: Calsync creates one event in the test mailbox and deletes it again straight away. It is the only check that proves Calsync can write.",
      },
      { text: "When every check passes (warnings allowed), save the connection." },
    ],
    why: "Each value above can be right on its own and still fail together (a secret from another app, consent in another tenant). Checking now, against Microsoft itself, catches that before the first sync does.",
    pitfalls: [
      `Right after consent or a new secret, checks can fail for a few minutes. ${consentPropagationNote}`,
      "The write test needs Calendars.ReadWrite and a test mailbox Calsync may reach. It leaves nothing behind; if deleting fails, the check says so and names the event.",
      "A failing check links to the step that fixes it, with the field to change highlighted.",
    ],
    fields: ["writeTest"],
  }),
};
