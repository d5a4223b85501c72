import { z } from "zod";

/**
 * The one rule for names and free text that people type: no control characters and no characters
 * that reorder text. A NUL byte is refused by PostgreSQL (a server error instead of a message), an
 * ESC or BEL lands in terminals that read the logs, and a right-to-left override makes a name in the
 * audit log read differently from what was stored. Letters of every script, accents and emoji pass;
 * the invisible left-to-right and right-to-left marks pass too, because right-to-left names need them.
 * No server-only imports: client forms read the same schemas.
 */

// C0 controls, DEL, C1 controls, bidi embeddings/overrides (U+202A–U+202E), isolates (U+2066–U+2069),
// and the line and paragraph separators, which break a single-line value just as a newline does.
const singleLineForbidden = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/u;
// Multi-line text keeps tab, line feed and carriage return, and may use the Unicode separators.
const multiLineForbidden = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

export function plainTextMessage(field: string): string {
  return `${field} cannot contain control characters (such as NUL, ESC or BEL) or text-direction characters (such as U+202E)`;
}

export function isPlainText(value: string, options: { multiLine?: boolean } = {}): boolean {
  return !(options.multiLine ? multiLineForbidden : singleLineForbidden).test(value);
}

/** Use as `z.string().check(plainText("The name"))`; `field` starts the message shown beside the field. */
export function plainText(field: string, options: { multiLine?: boolean } = {}) {
  return z.refine<string>((value) => isPlainText(value, options), { message: plainTextMessage(field) });
}

/** A search box's query: dropped (and reported by rejectedSearch) rather than sent to the database. */
export const searchQuerySchema = z.string().trim().max(200).check(plainText("The search"));

/** The notice for a page whose `q` was dropped, so the person knows why the list is unfiltered. */
export function rejectedSearch(params: Record<string, unknown>): string | null {
  const q = params.q;
  if (typeof q !== "string" || isPlainText(q)) return null;
  return `The search was ignored: it ${plainTextMessage("").trim()}.`;
}
