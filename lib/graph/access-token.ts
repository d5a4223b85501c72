import { z } from "zod";

/**
 * The console's one JWT decoder. It reads the claims of an access token that Entra ID has just issued
 * to the console for Microsoft Graph, and deliberately does not verify the signature: Microsoft
 * validates the token when Graph receives it, and says clients must not validate tokens meant for
 * another resource. We only read what Entra granted (to explain it) and when the token expires (to
 * cache it). Never use it to trust a token someone else hands us. Pure.
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
    exp: z.number().optional(),
  })
  .loose();

export type AccessTokenClaims = z.infer<typeof claimsSchema>;

export function decodeAccessTokenClaims(token: string): AccessTokenClaims | undefined {
  const payload = token.split(".")[1];
  if (!payload) return undefined;
  try {
    // atob + TextDecoder rather than Buffer: the wizard may decode a token preview in the browser.
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4)), (char) => char.charCodeAt(0));
    const json: unknown = JSON.parse(new TextDecoder().decode(bytes));
    const parsed = claimsSchema.safeParse(json);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
