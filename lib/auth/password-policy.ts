import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import * as zxcvbnCommon from "@zxcvbn-ts/language-common";
import * as zxcvbnEnglish from "@zxcvbn-ts/language-en";
import { z } from "zod";
import { plainText } from "@/lib/validation/text";
import { UserFacingError } from "@/lib/errors";

const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 256;
// zxcvbn's 3 means at least about 10^8 guesses: out of reach online, and slow offline against argon2id.
const MIN_STRENGTH_SCORE = 3;
// Four of one character in a row ("aaaa", "....") adds almost nothing an attacker has to guess.
const REPEATED_RUN = /(.)\1{3}/su;

export const PASSWORD_HINT = `At least ${MIN_PASSWORD_LENGTH} characters. A few unrelated words work well; avoid your name, common passwords and repeated characters.`;

let estimator: ZxcvbnFactory | undefined;

// The dictionaries take a tenth of a second to load, so they load on the first password checked.
function strengthEstimator(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEnglish.dictionary },
    graphs: zxcvbnCommon.adjacencyGraphs,
    translations: zxcvbnEnglish.translations,
  });
  return estimator;
}

/**
 * What someone who knows the person or the site would try first: the console's own name, and each
 * given name or address (and each side of an address's @) whole, in its parts and run together
 * ("ada.lovelace@example.com" → "adalovelace").
 */
export function personalWords(...values: ReadonlyArray<string | null | undefined>): string[] {
  const words = new Set(["calsync", "console"]);
  for (const value of values) {
    const lower = value?.trim().toLowerCase();
    if (!lower) continue;
    for (const piece of new Set([lower, ...lower.split("@")])) {
      const parts = piece.split(/[^\p{L}\p{N}]+/u).filter((part) => part.length >= 2);
      for (const word of [piece, parts.join(""), ...parts]) if (word) words.add(word);
    }
  }
  return [...words];
}

/** Why a chosen password is refused, in words for the form (never quoting it), or null when it is fine. */
export function passwordProblem(password: string, userInputs: readonly string[] = personalWords()): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `Use at most ${MAX_PASSWORD_LENGTH} characters`;
  if (!/\S/u.test(password)) return "A password of only spaces is easy to guess. Use words or other characters.";
  if (REPEATED_RUN.test(password)) return "Avoid the same character four or more times in a row: repeated characters are easy to guess.";
  const { score, feedback } = strengthEstimator().check(password, [...userInputs]);
  if (score >= MIN_STRENGTH_SCORE) return null;
  return [feedback.warning ?? "This password is too easy to guess.", ...feedback.suggestions].join(" ");
}

/** For lib functions that set a password: the same rule, with the account's own name and address counted. */
export function assertAcceptablePassword(password: string, about: ReadonlyArray<string | null | undefined>): void {
  const problem = passwordProblem(password, personalWords(...about));
  if (problem) throw new UserFacingError("Choose a stronger password.", { password: problem });
}

export const passwordSchema = z.string().superRefine((value, ctx) => {
  const problem = passwordProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/**
 * The form-level check for forms that also ask for a name or address: runs only once the password
 * passed on its own, so a refusal gives one reason.
 */
export function refinePasswordAgainst<T extends { password: string }>(fields: (value: T) => ReadonlyArray<string | undefined>) {
  return (value: T, ctx: z.RefinementCtx<T>) => {
    if (ctx.issues.some((issue) => issue.path?.[0] === "password")) return;
    const problem = passwordProblem(value.password, personalWords(...fields(value)));
    if (problem) ctx.addIssue({ code: "custom", message: problem, path: ["password"] });
  };
}

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
