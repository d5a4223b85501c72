import type { Role } from "@/lib/auth/roles";

/**
 * Who may use what. Every page, server action and route handler is listed here, and each one calls
 * `authorizePage`/`runAction`/`authorizeRoute` with its own name, so this table is what actually runs.
 * access-policy.test.ts fails when a page, action or handler exists that is not listed, and the e2e
 * authorisation spec asserts allow or deny for every entry and every role against the running server.
 */
export type Access = "public" | "signed-in" | readonly Role[];

export const pagePolicy = {
  "/": "signed-in",
  "/setup": "public",
  "/sign-in": "public",
  "/invite/[token]": "public",
  "/account": "signed-in",
  "/users": ["admin"],
  "/audit": ["admin", "helpdesk"],
  "/connections": ["admin", "helpdesk"],
  "/connections/[id]": ["admin", "helpdesk"],
  "/connections/new": ["admin"],
  "/connections/new/[step]": ["admin"],
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
  startWizardAction: ["admin"],
  saveWizardStepAction: ["admin"],
  discardDraftAction: ["admin"],
  beginAdminConsentAction: ["admin"],
  saveConnectionAction: ["admin"],
  updateConnectionAction: ["admin"],
  rotateSecretAction: ["admin"],
  deleteConnectionAction: ["admin"],
} as const satisfies Record<string, Access>;

export const routePolicy = {
  "GET /api/health": "public",
  "POST /api/wizard/verify": ["admin"],
  "GET /connections/new/admin-consent/callback": ["admin"],
  "POST /api/connections/[id]/checks": ["admin", "helpdesk"],
} as const satisfies Record<string, Access>;

export type PageName = keyof typeof pagePolicy;
export type ActionName = keyof typeof actionPolicy;
export type RouteName = keyof typeof routePolicy;

export function isAllowed(access: Access, role: Role | null): boolean {
  if (access === "public") return true;
  if (role === null) return false;
  if (access === "signed-in") return true;
  return access.includes(role);
}
