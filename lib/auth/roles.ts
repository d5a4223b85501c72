import { z } from "zod";

export const roles = ["admin", "helpdesk", "member"] as const;
export const roleSchema = z.enum(roles, { message: "Choose admin, helpdesk or member" });
export type Role = z.infer<typeof roleSchema>;

export const roleLabels: Record<Role, string> = {
  admin: "Administrator",
  helpdesk: "Helpdesk",
  member: "Member",
};

export const roleDescriptions: Record<Role, string> = {
  admin: "Does everything: connections, users, settings and secrets.",
  helpdesk: "Reads all connection status and the audit log and runs checks; sees no secrets and changes no settings.",
  member: "Sees only their own mailbox connections.",
};
