import type { Role } from "@/lib/auth/roles";

/**
 * Who may use what. Every page, server action and route handler is listed here, and each one calls
 * `authorizePage`/`runAction`/`authorizeRoute` with its own name, so this table is what actually runs.
 * access-policy.test.ts fails when a page, action or handler exists that is not listed, and the e2e
 * authorisation spec asserts allow or deny for every entry and every role against the running server.
 */
export const apiScopes = ["connections:read", "credentials:read", "tokens:issue", "reports:write"] as const;
export type ApiScope = (typeof apiScopes)[number];

/**
 * `apiKeyScope` routes belong to the sync engine: they accept only an API key with that scope, never a
 * console session.
 */
export type Access = "public" | "signed-in" | readonly Role[] | { readonly apiKeyScope: ApiScope };

export const pagePolicy = {
  "/": "signed-in",
  "/setup": "public",
  "/sign-in": "public",
  "/invite/[token]": "public",
  "/account": "signed-in",
  "/account/microsoft": "signed-in",
  "/users": ["admin"],
  "/audit": ["admin", "helpdesk"],
  "/connections": ["admin", "helpdesk"],
  "/connections/[id]": ["admin", "helpdesk"],
  "/connections/new": ["admin"],
  "/connections/new/[step]": ["admin"],
  "/connections/new/script": ["admin"],
  "/connections/new/automatic": ["admin"],
  "/connections/new/automatic/[id]": ["admin"],
  "/connections/new/admin-consent/callback/approved": "public",
  "/status": ["admin", "helpdesk"],
  "/settings/api-keys": ["admin"],
  "/settings/notifications": ["admin"],
  "/settings/mailbox-sign-in": ["admin"],
  "/settings/sign-in": ["admin"],
  "/settings/setup-app": ["admin"],
  "/connect": "signed-in",
  "/connect/[id]": "signed-in",
  "/connect/attempts/[id]": "signed-in",
  "/connect/link/[token]": "public",
  "/connect/start": "public",
  "/connect/callback/approved": "public",
  "/connect/invite": ["admin", "helpdesk"],
  // The second step of a sign-in: its caller has no session yet, only a pending sign-in, which the
  // page itself checks (lib/auth/mfa/pending-sign-in.ts).
  "/sign-in/verify": "public",
  "/sign-in/enrol": "public",
  "/account/security": "signed-in",
  "/account/security/totp": "signed-in",
  "/settings/security": ["admin"],
} as const satisfies Record<string, Access>;

export const actionPolicy = {
  claimConsoleAction: "public",
  signInAction: "public",
  acceptInviteAction: "public",
  signOutAction: "signed-in",
  changePasswordAction: "signed-in",
  createUserAction: ["admin"],
  inviteUserAction: ["admin"],
  changeUserRoleAction: ["admin"],
  setUserActiveAction: ["admin"],
  revokeInviteAction: ["admin"],
  startWizardAction: ["admin"],
  saveWizardStepAction: ["admin"],
  generateWizardCertificateAction: ["admin"],
  uploadWizardCertificateAction: ["admin"],
  saveScriptOutputAction: ["admin"],
  discardDraftAction: ["admin"],
  beginAdminConsentAction: ["admin"],
  saveConnectionAction: ["admin"],
  startProvisioningAction: ["admin"],
  undoProvisioningAction: ["admin"],
  startSetupSignInAction: ["admin"],
  saveSetupAppAction: ["admin"],
  updateConnectionAction: ["admin"],
  rotateSecretAction: ["admin"],
  startCertificateSwitchAction: ["admin"],
  switchToCertificateAction: ["admin"],
  updateCertificateIdsAction: ["admin"],
  uploadCertificateForMeAction: ["admin"],
  deleteConnectionAction: ["admin"],
  scopeScriptAction: ["admin"],
  recordScopeChangeAction: ["admin"],
  createApiKeyAction: ["admin"],
  revokeApiKeyAction: ["admin"],
  createNotificationChannelAction: ["admin"],
  deleteNotificationChannelAction: ["admin"],
  testNotificationChannelAction: ["admin"],
  saveMailboxSignInAction: ["admin"],
  generateMailboxCertificateAction: ["admin"],
  runConsentPreflightAction: ["admin"],
  startConsentPreflightSignInAction: ["admin"],
  grantTenantWideAction: ["admin"],
  startConnectAction: "signed-in",
  disconnectMailboxAction: "signed-in",
  connectFromLinkAction: "signed-in",
  createAccountFromLinkAction: "public",
  createConnectLinkAction: ["admin", "helpdesk"],
  startMicrosoftSignInAction: "public",
  startOneStepConnectAction: "public",
  linkMicrosoftAccountAction: "signed-in",
  saveConsoleSignInAction: ["admin"],
  endUserSessionsAction: ["admin"],
  setBreakGlassAction: ["admin"],
  verifyTotpAction: "public",
  verifyRecoveryCodeAction: "public",
  enrolTotpAtSignInAction: "public",
  finishEnrolmentAction: "public",
  passkeyEnrolmentOptionsAction: "public",
  enrolPasskeyAtSignInAction: "public",
  passkeySignInOptionsAction: "public",
  verifyPasskeyAction: "public",
  passkeyOptionsAction: "signed-in",
  addPasskeyAction: "signed-in",
  removePasskeyAction: "signed-in",
  confirmTotpAction: "signed-in",
  removeTotpAction: "signed-in",
  replaceRecoveryCodesAction: "signed-in",
  saveMfaPolicyAction: ["admin"],
  resetUserMfaAction: ["admin"],
} as const satisfies Record<string, Access>;

export const routePolicy = {
  "GET /api/health": "public",
  "POST /api/wizard/verify": ["admin"],
  "GET /api/wizard/certificate": ["admin"],
  "GET /api/settings/mailbox-sign-in/certificate": ["admin"],
  "GET /api/connections/[id]/certificate": ["admin", "helpdesk"],
  "POST /api/provisioning/[id]/run": ["admin"],
  "GET /connections/new/admin-consent/callback": ["admin"],
  "GET /connections/new/automatic/callback": ["admin"],
  // Members may run the checks of a mailbox they connected; the handler refuses any other connection
  // (mayRunConnectionChecks in lib/connections/access.ts).
  "POST /api/connections/[id]/checks": "signed-in",
  "GET /connect/callback": "signed-in",
  // Anyone coming back from Microsoft; the attempt's state and this browser's binding cookie decide.
  "GET /sign-in/microsoft/callback": "public",
  "GET /api/v1/openapi.json": "public",
  "GET /api/v1/connections": { apiKeyScope: "connections:read" },
  "GET /api/v1/connections/[id]": { apiKeyScope: "connections:read" },
  "POST /api/v1/connections/[id]/token": { apiKeyScope: "tokens:issue" },
  "POST /api/v1/connections/[id]/reports": { apiKeyScope: "reports:write" },
} as const satisfies Record<string, Access>;

export type PageName = keyof typeof pagePolicy;
export type ActionName = keyof typeof actionPolicy;
export type RouteName = keyof typeof routePolicy;

/** Whether a console user (or an anonymous visitor, role null) may use something. */
export function isAllowed(access: Access, role: Role | null): boolean {
  if (access === "public") return true;
  if (typeof access === "object" && "apiKeyScope" in access) return false;
  if (role === null) return false;
  if (access === "signed-in") return true;
  return access.includes(role);
}
