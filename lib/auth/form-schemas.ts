import { z } from "zod";
import { displayNameSchema, emailSchema, passwordSchema, refinePasswordAgainst } from "@/lib/auth/password-policy";
import { roleSchema } from "@/lib/auth/roles";

const confirmed = <T extends { password: string; confirmPassword: string }>(schema: z.ZodType<T>) =>
  schema.refine((value) => value.password === value.confirmPassword, {
    message: "The two passwords do not match",
    path: ["confirmPassword"],
  });

export const claimConsoleSchema = confirmed(
  z
    .object({
      code: z.string().trim().min(1, { message: "Enter the setup code from the server log" }).max(40),
      displayName: displayNameSchema,
      email: emailSchema,
      password: passwordSchema,
      confirmPassword: z.string(),
    })
    .superRefine(refinePasswordAgainst((value) => [value.email, value.displayName])),
);

export const signInSchema = z.object({
  email: emailSchema,
  password: z.string().min(1, { message: "Enter your password" }).max(256),
  // An unusable destination is dropped rather than refused: the person still signs in, and lands on "/".
  next: z.string().optional().catch(undefined).transform(safeReturnPath),
});

export const acceptInviteSchema = confirmed(
  z
    .object({
      token: z.string().min(1).max(200),
      displayName: displayNameSchema,
      password: passwordSchema,
      confirmPassword: z.string(),
    })
    .superRefine(refinePasswordAgainst((value) => [value.displayName])),
);

export const changePasswordSchema = confirmed(
  z.object({
    currentPassword: z.string().min(1, { message: "Enter your current password" }).max(256),
    password: passwordSchema,
    confirmPassword: z.string(),
  }),
);

export const createUserSchema = confirmed(
  z
    .object({
      email: emailSchema,
      displayName: displayNameSchema,
      role: roleSchema,
      password: passwordSchema,
      confirmPassword: z.string(),
    })
    .superRefine(refinePasswordAgainst((value) => [value.email, value.displayName])),
);

export const inviteUserSchema = z.object({ email: emailSchema, role: roleSchema });

export const changeUserRoleSchema = z.object({ userId: z.uuid({ message: "Unknown user" }), role: roleSchema });

export const revokeInviteSchema = z.object({ inviteId: z.uuid({ message: "Unknown invitation" }) });

export const setUserActiveSchema = z.object({
  userId: z.uuid({ message: "Unknown user" }),
  active: z.enum(["true", "false"]).transform((value) => value === "true"),
});

const RETURN_PATH_BASE = "http://return-path.invalid";
const MAX_RETURN_PATH_LENGTH = 2000;
// Browsers strip tab, CR and LF before parsing a URL and read a backslash as a slash, so any of them
// can turn "/" + "/" into the start of another origin.
const UNSAFE_IN_PATH = /[\u0000-\u001f\u007f\\]/;
// Enough to see through the double encoding a link can carry; anything encoded deeper is refused.
const MAX_DECODINGS = 3;

function hidesAnotherOrigin(value: string): boolean {
  let layer = value;
  for (let depth = 0; depth <= MAX_DECODINGS; depth += 1) {
    if (UNSAFE_IN_PATH.test(layer) || layer.startsWith("//")) return true;
    let decoded: string;
    try {
      decoded = decodeURIComponent(layer);
    } catch {
      return true;
    }
    if (decoded === layer) return false;
    layer = decoded;
  }
  return true;
}

/**
 * The one rule for every return or redirect target that comes from a request (sign-in's `next`, and
 * the sign-in links built from route parameters): a path on this console, or "/". The value is
 * resolved against a placeholder origin, so dot segments and encodings are judged as a browser would.
 */
export function safeReturnPath(value: string | undefined): string {
  if (!value || value.length > MAX_RETURN_PATH_LENGTH || !value.startsWith("/") || hidesAnotherOrigin(value)) return "/";
  let url: URL;
  try {
    url = new URL(value, RETURN_PATH_BASE);
  } catch {
    return "/";
  }
  const path = `${url.pathname}${url.search}${url.hash}`;
  return url.origin === RETURN_PATH_BASE && !hidesAnotherOrigin(path) ? path : "/";
}

/** Where a visitor who must sign in first is sent, coming back to `returnTo` afterwards. */
export function signInPath(returnTo?: string): string {
  return returnTo === undefined ? "/sign-in" : `/sign-in?next=${encodeURIComponent(safeReturnPath(returnTo))}`;
}
