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

/** A WebAuthn answer as @simplewebauthn/browser sends it; the library verifies every part of it. */
const webAuthnResponse = z
  .string()
  .max(20_000, { message: "The passkey's answer is too long" })
  .transform((value, ctx) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "The passkey's answer is not JSON" });
      return z.NEVER;
    }
  })
  .pipe(z.looseObject({ id: z.string().min(1).max(1024), rawId: z.string().max(1024), type: z.literal("public-key"), response: z.looseObject({}), clientExtensionResults: z.looseObject({}) }));

export const passkeyRegistrationSchema = z.object({
  response: webAuthnResponse,
  name: z.string().trim().min(1, { message: "Name the passkey, such as the device it is on" }).max(60, { message: "Use at most 60 characters" }),
});

export const passkeyAnswerSchema = z.object({ response: webAuthnResponse });

export const passkeyIdSchema = z.object({ passkeyId: z.uuid({ message: "Unknown passkey" }) });
