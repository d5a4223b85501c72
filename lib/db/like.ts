/**
 * Prisma turns `contains`, `startsWith` and `endsWith` into LIKE without escaping the pattern, so a
 * search for "100%" or "a_b" would match far more than it says. PostgreSQL's LIKE escapes with a
 * backslash by default; escaping it too keeps a typed backslash literal.
 */
export function likeLiteral(value: string): string {
  return value.replace(/[\\%_]/g, "\\$&");
}
