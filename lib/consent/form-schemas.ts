import { z } from "zod";

/** The pasted administrator token: one long line; its contents are checked by inspectConsentToken. */
export const consentPreflightSchema = z.object({
  token: z.string().trim().min(1, "Paste the token.").max(20_000, "That is longer than any access token; paste only the command's output."),
});

export const consentGrantSchema = z.object({
  tenantId: z.string().trim().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "The tenant is not a GUID."),
});
