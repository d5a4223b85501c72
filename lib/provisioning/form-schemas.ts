import { z } from "zod";
import { cloudIdSchema } from "@/lib/entra/clouds";
import { plainText } from "@/lib/validation/text";

/** The "Set it up for me" forms. The token field is checked by the token intake, which explains each problem. */

const guid = z.string().trim().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "Enter an object ID (a GUID).");

export const startProvisioningSchema = z.object({
  cloud: cloudIdSchema,
  name: z.string().trim().min(1, "Enter a name for the app.").max(120, "At most 120 characters.").check(plainText("The app's name")),
  secretMonths: z.coerce.number({ message: "Enter a whole number of months." }).int("Enter a whole number of months.").min(1, "At least one month.").max(24, "At most 24 months."),
  token: z.string().trim().min(1, "Paste the token the command printed.").max(20_000, "That is longer than any access token."),
  reuseObjectId: z.preprocess((value) => (value === "" ? undefined : value), guid.optional()),
  credential: z.enum(["secret", "certificate"], { message: "Choose a client secret or a certificate." }).default("secret"),
});

export const undoProvisioningSchema = z.object({
  id: z.uuid(),
  token: z.string().trim().min(1, "Paste a fresh token: the one used for the setup was discarded when it ended.").max(20_000, "That is longer than any access token."),
  permanent: z.preprocess((value) => value === "on" || value === "true", z.boolean()),
  confirm: z.literal("on", { message: "Tick the box to confirm that the app is to be deleted." }),
});

/** "Sign in with Microsoft" on the automatic path: the same choices as with a pasted token, without the token. */
export const startSetupSignInSchema = startProvisioningSchema.omit({ token: true, cloud: true });
