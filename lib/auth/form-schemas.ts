import { z } from "zod";
import { displayNameSchema, emailSchema, passwordSchema } from "@/lib/auth/password-policy";
import { roleSchema } from "@/lib/auth/roles";

const confirmed = <T extends { password: string; confirmPassword: string }>(schema: z.ZodType<T>) =>
  schema.refine((value) => value.password === value.confirmPassword, {
    message: "The two passwords do not match",
    path: ["confirmPassword"],
  });

export const claimConsoleSchema = confirmed(
  z.object({
    code: z.string().trim().min(1, { message: "Enter the setup code from the server log" }).max(40),
    displayName: displayNameSchema,
    email: emailSchema,
    password: passwordSchema,
    confirmPassword: z.string(),
  }),
);

export const signInSchema = z.object({
  email: emailSchema,
  password: z.string().min(1, { message: "Enter your password" }).max(256),
  next: z.string().max(500).optional(),
});

export const acceptInviteSchema = confirmed(
  z.object({
    token: z.string().min(1).max(200),
    displayName: displayNameSchema,
    password: passwordSchema,
    confirmPassword: z.string(),
  }),
);

export const changePasswordSchema = confirmed(
  z.object({
    currentPassword: z.string().min(1, { message: "Enter your current password" }).max(256),
    password: passwordSchema,
    confirmPassword: z.string(),
  }),
);

export const createUserSchema = confirmed(
  z.object({
    email: emailSchema,
    displayName: displayNameSchema,
    role: roleSchema,
    password: passwordSchema,
    confirmPassword: z.string(),
  }),
);

export const inviteUserSchema = z.object({ email: emailSchema, role: roleSchema });

export const changeUserRoleSchema = z.object({ userId: z.uuid({ message: "Unknown user" }), role: roleSchema });

export const setUserActiveSchema = z.object({
  userId: z.uuid({ message: "Unknown user" }),
  active: z.enum(["true", "false"]).transform((value) => value === "true"),
});

/** Only same-site paths may be used as a post-sign-in destination. */
export function safeReturnPath(value: string | undefined): string {
  return value && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\") ? value : "/";
}
