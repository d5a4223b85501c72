import type { ErrorEntryWithVariants } from "@/lib/checks/error-types";

/**
 * Microsoft Entra sign-in errors (AADSTS numbers), keyed by `AADSTS<number>`. Shared by the
 * app-only validation and the delegated "connect your mailbox" flow, so entries speak about the
 * situation, not about one screen. Pure data: the browser may render it.
 */
export const aadstsCatalog: Readonly<Record<string, ErrorEntryWithVariants>> = {
  AADSTS90002: {
    title: "Tenant not found",
    explanation:
      "No tenant with this ID or domain exists in {cloud}. The Directory (tenant) ID may be mistyped, or the tenant lives in another Microsoft cloud.",
    who: "user",
    fix: {
      step: "copy-ids",
      text: "Copy the Directory (tenant) ID from the app registration's Overview page, and check that the chosen cloud is the tenant's cloud.",
    },
  },
  AADSTS900023: {
    title: "Tenant ID is not valid",
    explanation: "The tenant is neither a GUID nor a domain name, so Microsoft cannot look it up.",
    who: "user",
    fix: { step: "copy-ids", text: "Paste the Directory (tenant) ID (a GUID) from the app registration's Overview page." },
  },
  AADSTS700016: {
    title: "App not found in this tenant",
    explanation:
      "The tenant has no app with this Application (client) ID. Either the client ID is wrong (a common slip is pasting the app's Object ID, which sits right next to it on the Overview page), or the app was registered in a different tenant.",
    who: "user",
    fix: {
      step: "copy-ids",
      text: "Copy both the Application (client) ID and the Directory (tenant) ID from the same app registration's Overview page.",
    },
  },
  AADSTS7000215: {
    title: "Client secret is wrong",
    explanation:
      "Microsoft rejected the client secret. The usual cause is copying the Secret ID column instead of the Value, or a secret from another app.",
    who: "user",
    fix: {
      step: "client-secret",
      text: "Create a new client secret and copy its Value (shown only once, right after creation), not its Secret ID.",
    },
  },
  AADSTS7000222: {
    title: "Client secret has expired",
    explanation: "The client secret is past its expiry date, so Microsoft no longer accepts it.",
    who: "global-admin",
    fix: { step: "client-secret", text: "Create a new client secret on the app registration and paste its Value here." },
  },
  AADSTS700027: {
    title: "Certificate not registered on this app",
    explanation:
      "Microsoft found no certificate with this thumbprint on the app registration. Either it was never uploaded, or it was uploaded to a different app (a common mix-up when several apps are open in the portal). Right after an upload, Microsoft can take a few minutes to accept a new certificate.",
    who: "global-admin",
    fix: {
      step: "client-secret",
      text: "Open this app's Certificates & secrets page (check the Application (client) ID on its Overview page), upload the certificate on the Certificates tab, and compare the thumbprint Entra shows with the one on the credential step.",
    },
    variants: [
      {
        messageIncludes: "The key used is expired",
        entry: {
          title: "Certificate has expired",
          explanation: "The certificate Calsync signs with is past its end date, so Microsoft no longer accepts it.",
          who: "global-admin",
          fix: { step: "client-secret", text: "Generate a new certificate on the credential step, upload it on the app's Certificates tab, then verify again." },
        },
      },
      {
        messageIncludes: "did not match the expected signature",
        entry: {
          title: "Certificate and key do not belong together",
          explanation:
            "A certificate with this thumbprint is registered, but the signature made with Calsync's private key does not verify against it: the key Calsync holds is not the key of that certificate.",
          who: "global-admin",
          fix: { step: "client-secret", text: "Upload the certificate together with the private key it was made for, or generate a new certificate and upload that one." },
        },
      },
    ],
  },
  AADSTS700024: {
    title: "Signed assertion outside its valid time",
    explanation:
      "The short-lived assertion Calsync signs with its certificate was already expired, or not yet valid, when Microsoft checked it. The clock of the server running Calsync is usually off by several minutes; a long network delay does the same.",
    who: "us",
  },
  AADSTS700023: {
    title: "Signed assertion addressed to the wrong sign-in authority",
    explanation:
      "The audience of the assertion Calsync signed with its certificate does not match the tenant and cloud it was sent to. Check that the connection's cloud is the tenant's cloud.",
    who: "user",
    fix: { step: "copy-ids", text: "Check the Directory (tenant) ID and the chosen cloud against the app registration's Overview page." },
    variants: [
      {
        messageIncludes: "scope",
        entry: {
          title: "Requested scope is not valid",
          explanation: "Microsoft refused the scope of the token request. Calsync asks for Microsoft Graph's /.default scope; this is a Calsync problem, not a setting in your tenant.",
          who: "us",
        },
      },
    ],
  },
  AADSTS7000216: {
    title: "No client secret was sent",
    explanation: "The token request carried no credential. This is a Calsync problem, not a setting in your tenant.",
    who: "us",
  },
  AADSTS7000218: {
    title: "No client secret was sent",
    explanation: "The token request carried no client secret or certificate. This is a Calsync problem, not a setting in your tenant.",
    who: "us",
  },
  AADSTS900144: {
    title: "Incomplete request",
    explanation: "Calsync sent Microsoft a request with a required parameter missing. This is a Calsync problem.",
    who: "us",
  },
  AADSTS90033: {
    title: "Microsoft sign-in temporarily unavailable",
    explanation: "Microsoft's sign-in service had a temporary problem. Nothing in your tenant needs changing; try again in a few minutes.",
    who: "us",
  },
  AADSTS50196: {
    title: "Too many sign-in requests",
    explanation: "Microsoft is throttling sign-in requests for this app (it saw a request loop). Wait a few minutes before trying again.",
    who: "us",
  },
  AADSTS500121: {
    title: "Multi-factor authentication was not completed",
    explanation: "The multi-factor approval was denied or timed out.",
    who: "user",
  },
  AADSTS7000112: {
    title: "App is disabled",
    explanation: "The app's enterprise application (service principal) is disabled in this tenant, so it cannot sign in.",
    who: "global-admin",
    fix: {
      step: "register-app",
      text: "In Enterprise applications, open the app, choose Properties and set \"Enabled for users to sign-in?\" to Yes.",
    },
  },
  AADSTS65001: {
    title: "Consent not granted",
    explanation: "Nobody has consented to the permissions this app asks for in this tenant.",
    who: "global-admin",
    fix: { step: "admin-consent", text: "Open the app's API permissions page and select \"Grant admin consent\", or use the console's consent link." },
  },
  AADSTS65004: {
    title: "Consent was declined",
    explanation: "The person on the consent screen chose Cancel, so no permission was granted.",
    who: "user",
    fix: { step: "admin-consent", text: "Start the consent again and choose Accept." },
  },
  AADSTS90094: {
    title: "Administrator approval required",
    explanation: "Users in this tenant may not consent to this app themselves; an administrator must approve it first.",
    who: "global-admin",
    fix: { step: "admin-consent", text: "Grant admin consent for the app, then the user tries again." },
  },
  AADSTS900941: {
    title: "Administrator approval required",
    explanation:
      "The tenant's consent policy does not let users approve this app (for example because it is from an unverified publisher); an administrator must approve it.",
    who: "global-admin",
    fix: { step: "admin-consent", text: "Grant admin consent for the app, then the user tries again." },
  },
  AADSTS500011: {
    title: "Microsoft Graph not found for this tenant",
    explanation:
      "The tenant does not know the Microsoft Graph endpoint that was asked for. This happens when the tenant lives in a different Microsoft cloud than the one chosen.",
    who: "user",
    fix: { step: "copy-ids", text: "Choose the cloud the tenant belongs to (Global, US Government or China) and try again." },
  },
  AADSTS70011: {
    title: "Invalid permission scope requested",
    explanation: "Calsync asked Microsoft for a scope it does not accept. This is a Calsync problem, not a setting in your tenant.",
    who: "us",
  },
  AADSTS1002012: {
    title: "Invalid scope for an app-only token",
    explanation: "Calsync asked for an app-only token with a scope Microsoft does not accept. This is a Calsync problem.",
    who: "us",
  },
  AADSTS50034: {
    title: "Account does not exist",
    explanation: "The user account typed at sign-in does not exist in this tenant.",
    who: "user",
    fix: { step: "register-app", text: "Sign in with your work account from this organisation." },
  },
  AADSTS50126: {
    title: "Wrong user name or password",
    explanation: "Microsoft did not accept the user name or password entered at sign-in.",
    who: "user",
  },
  AADSTS50076: {
    title: "Multi-factor authentication required",
    explanation: "Your organisation requires multi-factor authentication for this sign-in.",
    who: "user",
  },
  AADSTS50079: {
    title: "Multi-factor authentication setup required",
    explanation: "Your organisation requires you to register for multi-factor authentication before signing in.",
    who: "user",
  },
  AADSTS50078: {
    title: "Multi-factor authentication expired",
    explanation: "Your earlier multi-factor approval has expired; sign in again to renew it.",
    who: "user",
  },
  AADSTS53003: {
    title: "Blocked by Conditional Access",
    explanation: "A Conditional Access policy in this tenant blocked the sign-in.",
    who: "global-admin",
    fix: {
      step: "register-app",
      text: "An administrator reviews the sign-in logs and allows this app (or workload identity) in the Conditional Access policy that blocked it.",
    },
  },
  AADSTS50020: {
    title: "Account from another organisation",
    explanation:
      "The account used to sign in belongs to a different tenant (or is a personal Microsoft account), and the app only accepts accounts from its own tenant.",
    who: "app-admin",
    fix: {
      step: "register-app",
      text: "Sign in with an account of this organisation, or change the app's Supported account types.",
    },
  },
  AADSTS50011: {
    title: "Redirect URI mismatch",
    explanation: "The reply address Calsync uses is not registered on the app registration.",
    who: "app-admin",
    fix: { step: "register-app", text: "Add Calsync's redirect URI exactly as shown under Authentication → Web → Redirect URIs." },
  },
  AADSTS50105: {
    title: "User not assigned to the app",
    explanation: "The app requires user assignment and this user is not assigned to it.",
    who: "app-admin",
    fix: { step: "register-app", text: "Assign the user (or a group) under Enterprise applications → Users and groups." },
  },
  AADSTS50173: {
    title: "Sign-in has expired",
    explanation: "The saved sign-in is no longer valid, typically after a password change or when sessions were revoked.",
    who: "user",
  },
  AADSTS500200: {
    title: "Personal account not supported",
    explanation: "A personal Microsoft account (outlook.com, hotmail.com, live.com) cannot be used here; a work account is required.",
    who: "user",
    fix: { step: "register-app", text: "Sign in with a work account from your organisation." },
  },
  AADSTS50194: {
    title: "App is not multi-tenant",
    explanation: "The app is registered for its home tenant only, but sign-in was attempted for another tenant.",
    who: "app-admin",
    fix: { step: "register-app", text: "Set Supported account types to include other organisations, or use the app's home tenant." },
  },
  AADSTS70008: {
    title: "Sign-in has expired",
    explanation: "The saved sign-in expired (or was revoked) and can no longer be renewed.",
    who: "user",
  },
  AADSTS700082: {
    title: "Sign-in expired after inactivity",
    explanation: "The saved sign-in was unused for 90 days and Microsoft expired it.",
    who: "user",
  },
  AADSTS70043: {
    title: "Sign-in frequency policy",
    explanation: "A Conditional Access sign-in frequency policy requires signing in again.",
    who: "user",
  },
};

/** OAuth `error` strings without a number; the delegated flow meets these on redirects. */
export const oauthErrorCatalog: Readonly<Record<string, ErrorEntryWithVariants>> = {
  invalid_grant: {
    title: "Sign-in is no longer valid",
    explanation: "Microsoft refused the saved sign-in (it expired, was revoked or was already used).",
    who: "user",
  },
  access_denied: {
    title: "Access was denied",
    explanation: "The sign-in or consent was cancelled or refused.",
    who: "user",
  },
  interaction_required: {
    title: "Sign-in needs attention",
    explanation: "Microsoft needs the user to complete an interactive step (consent, MFA or a policy prompt).",
    who: "user",
  },
};
