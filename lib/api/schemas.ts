import { z } from "zod";
import { mailboxScopeSchema } from "@/lib/checks/schema";
import { connectionStates } from "@/lib/connections/state";
import { cloudIdSchema } from "@/lib/entra/clouds";
import { plainText } from "@/lib/validation/text";

/**
 * The sync-engine API's wire shapes, written once: the route handlers parse requests and type their
 * responses with these, and lib/api/openapi.ts turns the very same objects into the OpenAPI document
 * (z.toJSONSchema), so the document cannot drift from what the handlers do. Response shapes use ISO
 * strings rather than Date because JSON Schema cannot describe a Date.
 */

/** The named schemas that become `components.schemas` of the OpenAPI document. */
export const apiSchemaRegistry = z.registry<{ id: string }>();

export const MAX_BODY_BYTES = 64 * 1024;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

const timestamp = z.iso.datetime().describe("UTC timestamp (RFC 3339)");


export const connectionIdParamsSchema = z.object({ id: z.uuid({ message: "must be a connection id (UUID)" }) });

export const listConnectionsQuerySchema = z
  .object({
    limit: z.coerce
      .number({ message: "must be a whole number" })
      .int({ message: "must be a whole number" })
      .min(1, { message: "must be at least 1" })
      .max(MAX_PAGE_SIZE, { message: `must be at most ${MAX_PAGE_SIZE}` })
      .default(DEFAULT_PAGE_SIZE)
      .describe(`Page size, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).`),
    cursor: z.string().min(1).max(500).optional().describe("The `nextCursor` of the previous page; opaque."),
  })
  .strict();

export const apiConnectionSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    kind: z.enum(["organization", "mailbox"]),
    cloud: cloudIdSchema,
    tenant: z.string().describe("The tenant as the administrator typed it (domain or GUID)."),
    tenantId: z.string().describe("The tenant's GUID."),
    clientId: z.string().describe("The app registration's application (client) id."),
    mailboxScope: mailboxScopeSchema,
    state: z.enum(connectionStates),
    stateSince: timestamp,
    lastCheckedAt: timestamp.nullable(),
    secretExpiresAt: z.iso.date().nullable().describe("When the client secret expires, as the administrator recorded it. Null for a certificate."),
    credentialType: z
      .enum(["secret", "certificate", "delegated"])
      .describe("How the connection signs in: a client secret, a certificate (the console keeps its private key), or a member's delegated sign-in (mailbox connections)."),
    certificateExpiresAt: timestamp.nullable().describe("A certificate connection's exact expiry, read from the certificate; null otherwise. The console renews certificates it made before they expire."),
    updatedAt: timestamp,
    version: z.number().int().min(1).describe("Increases with every change of settings or secret."),
  })
  .register(apiSchemaRegistry, { id: "Connection" });
export type ApiConnection = z.infer<typeof apiConnectionSchema>;

export const connectionPageSchema = z
  .object({
    data: z.array(apiConnectionSchema),
    nextCursor: z.string().nullable().describe("Pass as `cursor` to fetch the next page; null on the last page."),
  })
  .register(apiSchemaRegistry, { id: "ConnectionPage" });
export type ConnectionPage = z.infer<typeof connectionPageSchema>;

export const connectionWithCredentialsSchema = apiConnectionSchema
  .extend({
    credentials: z
      .object({
        type: z.enum(["secret", "certificate", "delegated"]).describe("Which credential the connection holds."),
        clientSecret: z
          .string()
          .nullable()
          .describe("Null when the connection holds no client secret: certificate connections and mailbox connections. Get their access tokens from the token endpoint."),
        certificate: z
          .object({
            thumbprintSha256: z.string().describe("SHA-256 thumbprint of the certificate (hex)."),
            expiresAt: timestamp.describe("The certificate's exact expiry."),
          })
          .nullable()
          .describe("A certificate connection's public facts. The private key never leaves the console: the token endpoint signs with it."),
      })
      .describe("Present only for keys with the credentials:read scope; every such read is audited."),
  })
  .register(apiSchemaRegistry, { id: "ConnectionWithCredentials" });
export type ConnectionWithCredentials = z.infer<typeof connectionWithCredentialsSchema>;

/** What GET /connections/{id} answers: which of the two depends on the key's scopes. */
export const connectionDetailSchema = z.union([apiConnectionSchema, connectionWithCredentialsSchema]).register(apiSchemaRegistry, { id: "ConnectionDetail" });

/** The token endpoint takes no options today; an empty object (or no body) is the whole request. */
export const tokenRequestSchema = z.object({}).strict().register(apiSchemaRegistry, { id: "TokenRequest" });

export const accessTokenSchema = z
  .object({
    accessToken: z.string(),
    tokenType: z.literal("Bearer"),
    expiresOn: timestamp,
    scope: z.string().describe("The Microsoft Graph `.default` scope of the connection's cloud."),
  })
  .register(apiSchemaRegistry, { id: "AccessToken" });
export type AccessToken = z.infer<typeof accessTokenSchema>;

const count = z.number().int().min(0).max(2_147_483_647);

export const engineReportInputSchema = z
  .object({
    outcome: z.enum(["success", "partial", "failure"], { message: "must be success, partial or failure" }),
    startedAt: z.iso.datetime({ offset: true, message: "must be an RFC 3339 timestamp" }).optional(),
    finishedAt: z.iso.datetime({ offset: true, message: "must be an RFC 3339 timestamp" }).optional(),
    itemsSynced: count.optional(),
    itemsFailed: count.optional(),
    errorCode: z.string().trim().min(1).max(200).check(plainText("The error code")).optional(),
    message: z.string().max(4000, { message: "must be at most 4000 characters" }).check(plainText("The message", { multiLine: true })).optional(),
  })
  .strict()
  .refine((value) => !value.startedAt || !value.finishedAt || Date.parse(value.finishedAt) >= Date.parse(value.startedAt), {
    message: "must not be before startedAt",
    path: ["finishedAt"],
  })
  .register(apiSchemaRegistry, { id: "EngineReportInput" });
export type EngineReportInput = z.infer<typeof engineReportInputSchema>;

export const engineReportSchema = z
  .object({
    id: z.string().describe("Report id (a decimal integer, as a string)."),
    connectionId: z.uuid(),
    apiKeyId: z.uuid().nullable(),
    receivedAt: timestamp,
    outcome: z.enum(["success", "partial", "failure"]),
    startedAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
    itemsSynced: z.number().int().nullable(),
    itemsFailed: z.number().int().nullable(),
    errorCode: z.string().nullable(),
    message: z.string().nullable(),
  })
  .register(apiSchemaRegistry, { id: "EngineReport" });
export type EngineReport = z.infer<typeof engineReportSchema>;

/** RFC 9457 problem details. `type` is a URN naming the problem; `title` is fixed per type. */
const problemFields = {
  type: z.string().describe("A URN naming the kind of problem, e.g. urn:calsync:problem:not-found."),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().describe("What happened and what to do, for the person operating the engine."),
  instance: z.string().optional().describe("The request path."),
};

export const problemSchema = z.object({ ...problemFields, requestId: z.string().optional() }).register(apiSchemaRegistry, { id: "Problem" });

export const fieldErrorSchema = z
  .object({ field: z.string().describe("`body`, a body field, a query parameter or `id`."), message: z.string() })
  .register(apiSchemaRegistry, { id: "FieldError" });

export const validationProblemSchema = z.object({ ...problemFields, errors: z.array(fieldErrorSchema).min(1) }).register(apiSchemaRegistry, { id: "ValidationProblem" });

export const microsoftProblemSchema = z
  .object({
    ...problemFields,
    code: z.string().describe("Microsoft's error code (AADSTS…) or ours (timeout, network, tls, unexpected-response)."),
    correlationId: z.string().optional().describe("Quote it to Microsoft support."),
    who: z.string().describe("Who can fix it, as the least-privileged Entra role: app-admin (the app's owner, or an Application or Cloud Application Administrator), consent-admin (Privileged Role or Global Administrator), delegated-consent-admin, exchange-admin, global-admin, user or us."),
    fix: z.object({ step: z.string(), text: z.string() }).optional(),
    helpUrl: z.string().optional(),
    microsoftMessage: z.string().optional().describe("The first line of Microsoft's own message."),
  })
  .register(apiSchemaRegistry, { id: "MicrosoftProblem" });

export type Problem = z.infer<typeof problemSchema>;
export type ValidationProblem = z.infer<typeof validationProblemSchema>;
export type MicrosoftProblem = z.infer<typeof microsoftProblemSchema>;
export type FieldError = z.infer<typeof fieldErrorSchema>;
