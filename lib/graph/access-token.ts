import { z } from "zod";

/**
 * Reads the claims of an access token issued for Microsoft Graph. We never validate the signature:
 * the token is meant for Graph, not for us (Microsoft says clients must not validate it); we only
 * read what Entra granted, to explain it. Pure.
 */

const claimsSchema = z
  .object({
    roles: z.array(z.string()).optional(),
    scp: z.string().optional(),
    tid: z.string().optional(),
    aud: z.string().optional(),
    appid: z.string().optional(),
    azp: z.string().optional(),
    idtyp: z.string().optional(),
  })
  .loose();

export type AccessTokenClaims = z.infer<typeof claimsSchema>;

export function decodeAccessTokenClaims(token: string): AccessTokenClaims | undefined {
  const payload = token.split(".")[1];
  if (!payload) return undefined;
  try {
    const json: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    const parsed = claimsSchema.safeParse(json);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
