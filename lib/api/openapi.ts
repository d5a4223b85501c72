import "server-only";
import { z } from "zod";
import type { ApiKeyRouteName } from "@/lib/api/authorize";
import {
  accessTokenSchema,
  apiSchemaRegistry,
  connectionIdParamsSchema,
  connectionPageSchema,
  connectionDetailSchema,
  engineReportInputSchema,
  engineReportSchema,
  listConnectionsQuerySchema,
  MAX_BODY_BYTES,
  microsoftProblemSchema,
  problemSchema,
  tokenRequestSchema,
  validationProblemSchema,
} from "@/lib/api/schemas";
import { PROBLEM_CONTENT_TYPE } from "@/lib/api/problem";
import { RATE_WINDOW_SECONDS } from "@/lib/api/rate-limit";
import { routePolicy, type ApiScope } from "@/lib/auth/access-policy";

/**
 * The OpenAPI 3.1 document of the sync-engine API, generated from the zod schemas the handlers use.
 * The operation table below is the only hand-written part; lib/api/api-routes.test.ts checks every
 * answer the handlers give against this document, so an undocumented status or shape fails a test.
 */

type JsonSchema = Record<string, unknown>;
type ResponseSpec = { description: string; schema?: z.ZodType; problem?: boolean; headers?: readonly HeaderName[]; optionalHeaders?: readonly HeaderName[] };
type Operation = {
  route: ApiKeyRouteName;
  operationId: string;
  summary: string;
  description: string;
  params?: boolean;
  query?: z.ZodObject;
  body?: { schema: z.ZodType; required: boolean };
  conditional?: boolean;
  responses: Record<number, ResponseSpec>;
};

const headerSpecs = {
  RateLimit: { description: "Requests left in this window and seconds until it resets (IETF RateLimit header fields).", schema: { type: "string" }, example: `"default";r=599;t=58` },
  "RateLimit-Policy": { description: `The key's quota per ${RATE_WINDOW_SECONDS}-second window.`, schema: { type: "string" }, example: `"default";q=600;w=60` },
  "Retry-After": { description: "Seconds to wait before the next request.", schema: { type: "integer" } },
  ETag: {
    description: "A hash of the body; send it back as If-None-Match to get 304 when nothing changed. Never sent with credentials.",
    schema: { type: "string" },
  },
  "WWW-Authenticate": { description: "The Bearer challenge (RFC 6750).", schema: { type: "string" } },
} as const;
type HeaderName = keyof typeof headerSpecs;

const limited: readonly HeaderName[] = ["RateLimit", "RateLimit-Policy"];

const operations: Operation[] = [
  {
    route: "GET /api/v1/connections",
    operationId: "listConnections",
    summary: "List connections",
    description: "Connections with their non-secret settings and current state, ordered by name, a page at a time.",
    query: listConnectionsQuerySchema,
    conditional: true,
    responses: {
      200: { description: "A page of connections.", schema: connectionPageSchema, headers: [...limited, "ETag"] },
      304: { description: "Not modified: the page is unchanged since the ETag sent in If-None-Match.", headers: [...limited, "ETag"] },
      400: { description: "A query parameter is not valid (named in `errors`).", schema: validationProblemSchema, problem: true, headers: limited },
    },
  },
  {
    route: "GET /api/v1/connections/[id]",
    operationId: "getConnection",
    summary: "Get one connection",
    description:
      "One connection. For a key with the credentials:read scope the answer also carries the client secret (`credentials`); such answers are never cached (no ETag) and every one is recorded in the audit log.",
    params: true,
    conditional: true,
    responses: {
      200: {
        description: "The connection; with credentials:read, also its client secret.",
        schema: connectionDetailSchema,
        headers: limited,
        optionalHeaders: ["ETag"],
      },
      304: { description: "Not modified (only for keys without credentials:read).", headers: [...limited, "ETag"] },
      404: { description: "No connection has this id.", schema: problemSchema, problem: true, headers: limited },
    },
  },
  {
    route: "POST /api/v1/connections/[id]/token",
    operationId: "issueToken",
    summary: "Get a Microsoft Graph access token",
    description:
      "An app-only Graph token for the connection, minted by the console with the sealed client secret, so the engine never needs it. Tokens are reused until five minutes before they expire; ask again when `expiresOn` is near. The body may be empty.",
    params: true,
    body: { schema: tokenRequestSchema, required: false },
    responses: {
      200: { description: "A bearer token for Microsoft Graph.", schema: accessTokenSchema, headers: limited },
      400: { description: "The body is not empty, `{}`, or valid JSON.", schema: validationProblemSchema, problem: true, headers: limited },
      404: { description: "No connection has this id.", schema: problemSchema, problem: true, headers: limited },
      409: { description: "The connection holds no client secret to sign in with.", schema: problemSchema, problem: true, headers: limited },
      502: {
        description: "Microsoft refused to issue the token. `code`, `who` and `fix` say what happened and who can fix it; quote `correlationId` to Microsoft.",
        schema: microsoftProblemSchema,
        problem: true,
        headers: limited,
      },
    },
  },
  {
    route: "POST /api/v1/connections/[id]/reports",
    operationId: "createReport",
    summary: "Report a sync run",
    description: `Records the outcome of one sync run of the connection. Bodies are limited to ${MAX_BODY_BYTES / 1024} kB; unknown fields are refused.`,
    params: true,
    body: { schema: engineReportInputSchema, required: true },
    responses: {
      201: { description: "The stored report.", schema: engineReportSchema, headers: limited },
      400: { description: "The body is not valid (each problem named in `errors`).", schema: validationProblemSchema, problem: true, headers: limited },
      404: { description: "No connection has this id.", schema: problemSchema, problem: true, headers: limited },
    },
  },
];

/** Answers every API-key operation can give, besides its own. */
const commonResponses: Record<number, ResponseSpec> = {
  401: { description: "No API key, or one that is not valid, revoked or expired.", schema: problemSchema, problem: true, headers: ["WWW-Authenticate"] },
  403: { description: "The key is valid but lacks the scope this operation needs.", schema: problemSchema, problem: true, headers: limited },
  429: { description: "The key used up its requests for this window.", schema: problemSchema, problem: true, headers: [...limited, "Retry-After"] },
  500: { description: "An unexpected failure; `requestId` identifies it in the server log.", schema: problemSchema, problem: true },
  503: { description: "The database is not answering; try again later. A change sent with the request may still be applied when it answers again.", schema: problemSchema, problem: true },
};

const componentRef = (id: string) => `#/components/schemas/${id}`;

/** Component schemas have no `$schema`/`$id` of their own inside an OpenAPI document. */
function clean(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

/** Bodies are always named components, so the document has one definition of each shape. */
function schemaFor(schema: z.ZodType): JsonSchema {
  const id = apiSchemaRegistry.get(schema)?.id;
  if (!id) throw new Error("Every API body schema must be registered in apiSchemaRegistry");
  return { $ref: componentRef(id) };
}

function responseObject(spec: ResponseSpec): JsonSchema {
  const headers = [...(spec.headers ?? []).map((name) => [name, true] as const), ...(spec.optionalHeaders ?? []).map((name) => [name, false] as const)];
  return {
    description: spec.description,
    ...(headers.length ? { headers: Object.fromEntries(headers.map(([name, required]) => [name, { ...headerSpecs[name], required }])) } : {}),
    ...(spec.schema ? { content: { [spec.problem ? PROBLEM_CONTENT_TYPE : "application/json"]: { schema: schemaFor(spec.schema) } } } : {}),
  };
}

function openApiPath(route: string): { method: string; path: string } {
  const [method, path] = route.split(" ");
  return { method: method!.toLowerCase(), path: path!.replace(/\[(\w+)\]/g, "{$1}") };
}

function operationObject(operation: Operation): JsonSchema {
  const scope: ApiScope = routePolicy[operation.route].apiKeyScope;
  const parameters: JsonSchema[] = [];
  if (operation.params) {
    parameters.push({ name: "id", in: "path", required: true, description: "The connection id.", schema: clean(z.toJSONSchema(connectionIdParamsSchema.shape.id)) });
  }
  if (operation.query) {
    const query = z.toJSONSchema(operation.query, { io: "input" }) as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      const { description, ...rest } = schema;
      parameters.push({ name, in: "query", required: query.required?.includes(name) ?? false, ...(description ? { description } : {}), schema: rest });
    }
  }
  if (operation.conditional) {
    parameters.push({ name: "If-None-Match", in: "header", required: false, description: "An ETag from an earlier answer.", schema: { type: "string" } });
  }
  const responses = { ...operation.responses, ...commonResponses };
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    description: `${operation.description}\n\nNeeds an API key with the \`${scope}\` scope.`,
    tags: ["Sync engine"],
    security: [{ apiKey: [scope] }],
    ...(parameters.length ? { parameters } : {}),
    ...(operation.body
      ? { requestBody: { required: operation.body.required, content: { "application/json": { schema: schemaFor(operation.body.schema) } } } }
      : {}),
    responses: Object.fromEntries(Object.entries(responses).map(([status, spec]) => [status, responseObject(spec)])),
  };
}

function buildDocument(): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const operation of operations) {
    const { method, path } = openApiPath(operation.route);
    (paths[path] ??= {})[method] = operationObject(operation);
  }
  paths["/api/v1/openapi.json"] = {
    get: {
      operationId: "getOpenApiDocument",
      summary: "This document",
      tags: ["Sync engine"],
      security: [],
      responses: { 200: { description: "The OpenAPI 3.1 document.", content: { "application/json": { schema: { type: "object" } } } } },
    },
  };
  const components = z.toJSONSchema(apiSchemaRegistry, { io: "output", uri: componentRef, unrepresentable: "throw" }) as { schemas: Record<string, JsonSchema> };
  return {
    openapi: "3.1.0",
    info: {
      title: "Calsync Console sync-engine API",
      version: "1.0.0",
      description:
        "What the sync engine uses: its connections, Graph tokens minted by the console, and run reports. Authenticate with an API key (`Authorization: Bearer csk_…`) created by an administrator under Settings → API keys. Errors are RFC 9457 problem documents.",
    },
    servers: [{ url: "/" }],
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(components.schemas).map(([id, schema]) => [id, clean(schema)])),
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "csk_<8 characters>_<43 characters>",
          description: "An API key from Settings → API keys. Each operation names the scope it needs.",
        },
      },
    },
  };
}

let cached: JsonSchema | undefined;

/** Built once per process: the schemas do not change while it runs. */
export function openApiDocument(): JsonSchema {
  cached ??= buildDocument();
  return cached;
}
