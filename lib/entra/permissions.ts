/**
 * Microsoft Graph permissions Calsync asks for, with the ids the token and the app manifest use and
 * the texts the Entra portal shows (the wizard repeats them so people recognise what they click).
 * Pure data: used in the browser too.
 */

export const graphResourceAppId = "00000003-0000-0000-c000-000000000000";

export type PermissionKind = "Application" | "Delegated";

export type GraphPermission = {
  /** The claim value (`roles` for Application, `scp` for Delegated). */
  value: string;
  kind: PermissionKind;
  /** App role id (Application) or OAuth2 permission scope id (Delegated). */
  id: string;
  /** The portal's "Description" column on the API permissions blade. */
  displayText: string;
  adminConsentRequired: boolean;
};

export const graphPermissions = {
  calendarsReadWriteApp: {
    value: "Calendars.ReadWrite",
    kind: "Application",
    id: "ef54d2bf-783f-4e0f-bca1-3210c0444d99",
    displayText: "Read and write calendars in all mailboxes",
    adminConsentRequired: true,
  },
  userReadAllApp: {
    value: "User.Read.All",
    kind: "Application",
    id: "df021288-bdef-4463-88db-98f22de89214",
    displayText: "Read all users' full profiles",
    adminConsentRequired: true,
  },
  calendarsReadWriteDelegated: {
    value: "Calendars.ReadWrite",
    kind: "Delegated",
    id: "1ec239c2-d7c9-4623-a91a-a9775856bb36",
    displayText: "Have full access to user calendars",
    adminConsentRequired: false,
  },
  userReadDelegated: {
    value: "User.Read",
    kind: "Delegated",
    id: "e1fe6dd8-ba31-4d61-89e7-88639da4683d",
    displayText: "Sign in and read user profile",
    adminConsentRequired: false,
  },
  offlineAccessDelegated: {
    value: "offline_access",
    kind: "Delegated",
    id: "7427e0e9-2fba-42fe-b0c0-848c9e6a8182",
    displayText: "Maintain access to data you have given it access to",
    adminConsentRequired: false,
  },
} as const satisfies Record<string, GraphPermission>;

/** Application permissions the sync engine needs, by mailbox scope. */
export function requiredApplicationPermissions(scope: "all" | "list"): GraphPermission[] {
  return scope === "all"
    ? [graphPermissions.calendarsReadWriteApp, graphPermissions.userReadAllApp]
    : [graphPermissions.calendarsReadWriteApp];
}

/** Every Application permission Calsync may use; anything else in `roles` is more than it needs. */
export const usefulApplicationPermissions: readonly GraphPermission[] = [
  graphPermissions.calendarsReadWriteApp,
  graphPermissions.userReadAllApp,
];

/** `requiredResourceAccess` entry for an app manifest or `az ad app create --required-resource-accesses`. */
export function requiredResourceAccess(permissions: readonly GraphPermission[]): {
  resourceAppId: string;
  resourceAccess: { id: string; type: "Role" | "Scope" }[];
} {
  return {
    resourceAppId: graphResourceAppId,
    resourceAccess: permissions.map((permission) => ({
      id: permission.id,
      type: permission.kind === "Application" ? "Role" : "Scope",
    })),
  };
}
