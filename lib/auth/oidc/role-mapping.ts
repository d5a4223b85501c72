import { z } from "zod";
import type { Role } from "@/lib/auth/roles";

/**
 * Which console role a Microsoft sign-in gets, from the ID token's `roles` (app roles) and `groups`
 * claims. Pure, so the settings page, the sign-in and the tests share one rule: the highest role any
 * claim grants wins, and no claim means no role (the caller decides whether members are allowed).
 */

export const APP_ROLE_VALUES = {
  admin: "Calsync.Admin",
  helpdesk: "Calsync.Helpdesk",
  member: "Calsync.Member",
} as const satisfies Record<Role, string>;

const ROLE_ORDER: readonly Role[] = ["admin", "helpdesk", "member"];

export type GroupMapping = Record<Role, readonly string[]>;

export const EMPTY_GROUP_MAPPING: GroupMapping = { admin: [], helpdesk: [], member: [] };

export type RoleClaims = { roles: readonly string[]; groups: readonly string[] };

export type RoleDecision = { role: Role; source: "app-role" | "group"; claim: string } | null;

export function mapRole(claims: RoleClaims, groups: GroupMapping): RoleDecision {
  const groupIds = new Set(claims.groups.map((id) => id.toLowerCase()));
  for (const role of ROLE_ORDER) {
    if (claims.roles.includes(APP_ROLE_VALUES[role])) return { role, source: "app-role", claim: APP_ROLE_VALUES[role] };
    const group = groups[role].find((id) => groupIds.has(id.toLowerCase()));
    if (group) return { role, source: "group", claim: group };
  }
  return null;
}

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A textarea of group object ids, one per line or separated by commas. */
export const groupListSchema = z
  .string()
  .max(4000, { message: "List at most a hundred groups" })
  .transform((value) => [...new Set(value.split(/[\s,;]+/).map((id) => id.trim().toLowerCase()).filter(Boolean))])
  .refine((ids) => ids.every((id) => guidPattern.test(id)), { message: "Enter group object IDs (GUIDs), one per line" })
  .refine((ids) => ids.length <= 100, { message: "List at most a hundred groups" });

/** Stable ids for the three app roles, so a manifest pasted twice updates rather than duplicates. */
const APP_ROLE_IDS: Record<Role, string> = {
  admin: "6f1c1b0e-7c3a-4b8e-9f5d-2a1c0b3e4d01",
  helpdesk: "6f1c1b0e-7c3a-4b8e-9f5d-2a1c0b3e4d02",
  member: "6f1c1b0e-7c3a-4b8e-9f5d-2a1c0b3e4d03",
};

const APP_ROLE_TEXT: Record<Role, { displayName: string; description: string }> = {
  admin: { displayName: "Calsync administrator", description: "Administers the Calsync console: connections, users, settings." },
  helpdesk: { displayName: "Calsync helpdesk", description: "Reads connection status and the audit log in the Calsync console, and runs checks." },
  member: { displayName: "Calsync member", description: "Connects their own mailbox in the Calsync console." },
};

function appRoleDefinitions() {
  return ROLE_ORDER.map((role) => ({
    allowedMemberTypes: ["User"],
    description: APP_ROLE_TEXT[role].description,
    displayName: APP_ROLE_TEXT[role].displayName,
    id: APP_ROLE_IDS[role],
    isEnabled: true,
    value: APP_ROLE_VALUES[role],
  }));
}

/** The `appRoles` fragment of the application manifest (Entra admin center → App registrations → Manifest). */
export function appRolesManifestFragment(): string {
  return JSON.stringify({ appRoles: appRoleDefinitions() }, null, 2);
}

/**
 * An Azure CLI script that adds the app roles to the registration. `az ad app update --app-roles`
 * replaces the whole list, so the script keeps roles the app already has and adds ours.
 */
export function appRolesScript(clientId: string): string {
  const roles = JSON.stringify(appRoleDefinitions());
  return [
    "#!/usr/bin/env bash",
    "# Adds the Calsync.Admin, Calsync.Helpdesk and Calsync.Member app roles to the sign-in app registration.",
    "# Needs the Azure CLI (az login as an Application Administrator) and jq.",
    "set -euo pipefail",
    `APP_ID='${clientId}'`,
    `CALSYNC_ROLES='${roles}'`,
    'EXISTING=$(az ad app show --id "$APP_ID" --query appRoles -o json)',
    'MERGED=$(jq -n --argjson old "$EXISTING" --argjson new "$CALSYNC_ROLES" \'[$old[] | select(.value as $v | [$new[].value] | index($v) | not)] + $new\')',
    'FILE=$(mktemp)',
    'printf \'%s\' "$MERGED" > "$FILE"',
    'az ad app update --id "$APP_ID" --app-roles "@$FILE"',
    'rm -f "$FILE"',
    'echo "App roles added. Assign them under Enterprise applications → this app → Users and groups."',
    "",
  ].join("\n");
}
