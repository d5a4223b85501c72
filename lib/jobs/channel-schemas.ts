import { z } from "zod";
import { plainText } from "@/lib/validation/text";

/**
 * Notification channel forms and the alert payload, shared by the settings page, its actions and
 * the delivery worker. No server-only imports: the page's client form reads the same names.
 */

export const channelKinds = ["webhook", "email"] as const;
export type ChannelKind = (typeof channelKinds)[number];

export const channelKindLabels: Record<ChannelKind, string> = { webhook: "Signed JSON webhook", email: "Email" };

const checkbox = z
  .union([z.literal("on"), z.literal("true"), z.literal("")])
  .optional()
  .transform((value) => value === "on" || value === "true");

const emailList = z
  .string()
  .transform((value) =>
    value
      .split(",")
      .map((item) => item.trim().toLowerCase())
      .filter(Boolean),
  )
  .pipe(z.array(z.email({ message: "Each address must be a valid email address" })).min(1, { message: "Enter at least one email address" }).max(20));

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Why a webhook URL is refused, or null. Alerts name connections and tenants, so they travel over
 * TLS; plain http is only accepted to a loopback address, where nothing crosses a network.
 */
export function webhookUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "Enter a full URL starting with https://";
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK_HOST.test(url.hostname))) {
    return "Enter an https:// URL: alerts name your connections and tenants, so they are only sent encrypted";
  }
  // Credentials in the URL would be shown on the settings page; the signing secret authenticates us instead.
  if (url.username || url.password) return "Remove the user name and password from the URL: the signing secret authenticates Calsync instead";
  return null;
}

export const createChannelSchema = z
  .object({
    kind: z.enum(channelKinds, { message: "Choose webhook or email" }),
    name: z.string().trim().min(1, { message: "Give the channel a name" }).max(100).check(plainText("The channel name")),
    target: z.string().trim().min(1, { message: "Enter where alerts go" }).max(2000).check(plainText("The webhook URL or email addresses")),
    onStateChange: checkbox,
    onExpiry: checkbox,
  })
  .superRefine((value, ctx) => {
    const webhookProblem = value.kind === "webhook" ? webhookUrlProblem(value.target) : null;
    if (webhookProblem) ctx.addIssue({ code: "custom", path: ["target"], message: webhookProblem });
    if (value.kind === "email" && !emailList.safeParse(value.target).success) {
      ctx.addIssue({ code: "custom", path: ["target"], message: "Enter one or more email addresses, separated by commas" });
    }
    if (!value.onStateChange && !value.onExpiry) {
      ctx.addIssue({ code: "custom", path: ["onStateChange"], message: "Choose at least one kind of alert" });
    }
  })
  .transform((value) => ({ ...value, target: value.kind === "email" ? emailList.parse(value.target).join(", ") : value.target }));
export type CreateChannelInput = z.output<typeof createChannelSchema>;

/** Said wherever email alerts are offered while the server has no SMTP settings. */
export const smtpMissingMessage =
  "Email alerts need an SMTP server, and this console has none configured. Set CALSYNC_SMTP_URL (for example smtps://user:password@smtp.example.com) and CALSYNC_SMTP_FROM (the sender address) in the server's environment, restart the console, then add the email channel. Until then, use a webhook.";

export const deleteChannelSchema = z.object({
  id: z.uuid({ message: "Unknown channel" }),
  confirmName: z.string().trim().max(100).check(plainText("The confirmation")),
});

export const testChannelSchema = z.object({ id: z.uuid({ message: "Unknown channel" }) });

/** Splits a stored email channel target into addresses. */
export function emailRecipients(target: string): string[] {
  return target
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

const connectionStateSchema = z.enum(["healthy", "warning", "failing", "needs_reauth", "never_checked"]);

/** What a webhook receives as its body (and what an email spells out). Never carries secrets. */
export const alertPayloadSchema = z.object({
  type: z.enum(["connection.state_changed", "connection.secret_expiring", "connection.certificate_expiring", "mailbox_sign_in.credential_expiring", "test"]),
  /** The de-duplication key: the same event never arrives twice with different keys. */
  eventKey: z.string(),
  occurredAt: z.string(),
  summary: z.string(),
  connection: z
    .object({ id: z.string(), name: z.string(), tenant: z.string(), tenantId: z.string(), url: z.string() })
    .nullable(),
  stateChange: z
    .object({ from: connectionStateSchema, to: connectionStateSchema, cause: z.string(), code: z.string().nullable() })
    .optional(),
  expiry: z.object({ expiresAt: z.string(), daysLeft: z.number().int(), threshold: z.number().int() }).optional(),
});
export type AlertPayload = z.infer<typeof alertPayloadSchema>;
