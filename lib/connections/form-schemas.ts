import { z } from "zod";
import { plainText } from "@/lib/validation/text";
import { isoDateSchema } from "@/lib/wizard/draft-fields";
import { scopeFormSchema } from "@/lib/connections/scope-mode";

/** The connection page's edit and delete forms, read by its server actions. */

const optionalDate = z
  .string()
  .trim()
  .transform((value) => value || undefined)
  .pipe(isoDateSchema.optional());

export const updateConnectionSchema = z.object({
  id: z.uuid(),
  version: z.coerce.number().int().min(1),
  name: z.string().trim().min(1, { message: "Give the connection a name" }).max(120).check(plainText("The connection name")),
  mailboxScopeKind: z.enum(["all", "list"], { message: "Choose all users or a list" }),
  mailboxes: z.string().max(20_000).optional(),
  testMailbox: z.string().trim().max(320).optional(),
  outOfScopeMailbox: z.string().trim().max(320).optional(),
  writeTest: z.literal("on").optional(),
  secretExpiresAt: optionalDate,
  ...scopeFormSchema.shape,
});

export const deleteConnectionSchema = z.object({ id: z.uuid(), confirmName: z.string().max(200).check(plainText("The confirmation")) });
