import { z } from "zod";

export const totpCodeSchema = z.object({
  code: z
    .string()
    .transform((value) => value.replace(/\s+/g, ""))
    .pipe(z.string().regex(/^\d{6}$/, { message: "Enter the 6-digit code from your authenticator app" })),
});

export const recoveryCodeSchema = z.object({
  recoveryCode: z
    .string()
    .trim()
    .min(1, { message: "Enter one of your recovery codes" })
    .max(40, { message: "A recovery code has 10 letters and digits" }),
});

export const mfaPolicySchema = z.object({
  requirement: z.enum(["optional", "admins", "everyone"], { message: "Choose who must use a second factor" }),
});

export const userIdSchema = z.object({ userId: z.uuid({ message: "Unknown user" }) });
