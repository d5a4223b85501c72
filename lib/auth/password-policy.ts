import { z } from "zod";
import { plainText } from "@/lib/validation/text";

// A short built-in list of passwords that pass the length rule but appear at the top of breach lists.
const commonPasswords = new Set([
  "password1234", "123456789012", "qwertyuiop12", "password123!", "iloveyou1234", "welcome12345",
  "administrator", "letmein12345", "changeme1234", "passw0rd1234", "qwerty123456", "abc123456789",
  "111111111111", "000000000000", "calsync12345", "admin1234567", "p@ssw0rd1234", "summer2026!!",
  "winter2026!!", "password!234", "1q2w3e4r5t6y", "qazwsxedcrfv", "trustno11234", "monkey123456",
]);

export const MIN_PASSWORD_LENGTH = 12;

export const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, { message: `Use at least ${MIN_PASSWORD_LENGTH} characters` })
  .max(256, { message: "Use at most 256 characters" })
  .refine((value) => !commonPasswords.has(value.toLowerCase()), {
    message: "This password is on the list of commonly used passwords; choose another",
  });

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .check(plainText("The email address"))
  .pipe(z.email({ message: "Enter a valid email address, such as name@example.com" }).max(254));

export const displayNameSchema = z
  .string()
  .trim()
  .min(1, { message: "Enter a name" })
  .max(120, { message: "Use at most 120 characters" })
  .check(plainText("The name"));
