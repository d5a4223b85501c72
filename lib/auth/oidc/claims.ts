import { z } from "zod";

/**
 * The ID-token claims console sign-in reads. `nonce` must be the attempt's own (checked by the sign-in
 * itself, not left to msal); `tid` and `oid` name the person, `roles` and `groups` (or the overage indicator) decide the role.
 */

const guid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i)
  .transform((value) => value.toLowerCase());

export const idTokenClaimsSchema = z.object({
  tid: guid,
  oid: guid,
  nonce: z.string().max(200),
  name: z.string().max(300).optional(),
  preferred_username: z.string().max(300).optional(),
  email: z.string().max(300).optional(),
  roles: z.array(z.string().max(200)).max(500).default([]),
  groups: z.array(z.string().max(200)).max(1000).default([]),
  /** Present instead of `groups` when the person is in too many groups (recorded/id-token-claims.md). */
  _claim_names: z.object({ groups: z.string().optional() }).loose().optional(),
});
export type IdTokenClaims = z.infer<typeof idTokenClaimsSchema>;

export function hasGroupsOverage(claims: IdTokenClaims): boolean {
  return claims._claim_names?.groups !== undefined;
}

/** The address a just-in-time account gets: the email claim, else the sign-in name when it is an address. */
export function accountEmail(claims: IdTokenClaims): string | null {
  const candidate = (claims.email ?? claims.preferred_username ?? "").trim().toLowerCase();
  return z.email().safeParse(candidate).success ? candidate : null;
}
