import "server-only";
import type { z } from "zod";
import { queryOf, type ApiRequest, type ApiResponse } from "@/lib/api/http";
import { fieldErrorsFrom, problem, problemResponse, validationProblem } from "@/lib/api/problem";
import { connectionIdParamsSchema, MAX_BODY_BYTES } from "@/lib/api/schemas";

/** Request parsing for the sync-engine API: every failure is an answer (a problem), never a throw. */

export type Parsed<T> = { ok: true; data: T } | { ok: false; response: ApiResponse };

const tooLarge = `must be at most ${MAX_BODY_BYTES / 1024} kB`;

function invalid(request: ApiRequest, field: string, message: string): { ok: false; response: ApiResponse } {
  return { ok: false, response: problemResponse(validationProblem(request, [{ field, message }])) };
}

/**
 * Reads at most MAX_BODY_BYTES. Content-Length is checked first (cheap refusal), and the bytes are
 * counted while reading because the header may be absent (chunked) or lie.
 */
async function readLimited(request: ApiRequest): Promise<{ ok: true; text: string } | { ok: false }> {
  const declared = request.headers["content-length"];
  if (declared !== undefined && Number(declared) > MAX_BODY_BYTES) return { ok: false };
  if (!request.body) return { ok: true, text: "" };
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of request.body) {
    total += chunk.byteLength;
    // Leaving the loop tells the source to stop (see ApiRequest.body).
    if (total > MAX_BODY_BYTES) return { ok: false };
    chunks.push(chunk);
  }
  return { ok: true, text: Buffer.concat(chunks).toString("utf8") };
}

/** A JSON body parsed with `schema`; `optional` lets an empty body stand for `{}`. */
export async function readJsonBody<Schema extends z.ZodType>(request: ApiRequest, schema: Schema, options: { optional?: boolean } = {}): Promise<Parsed<z.output<Schema>>> {
  const read = await readLimited(request);
  if (!read.ok) return invalid(request, "body", tooLarge);
  let value: unknown;
  if (read.text.trim() === "") {
    if (!options.optional) return invalid(request, "body", "must be a JSON object");
    value = {};
  } else {
    try {
      value = JSON.parse(read.text);
    } catch {
      return invalid(request, "body", "is not valid JSON");
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return invalid(request, "body", "must be a JSON object");
  const parsed = schema.safeParse(value);
  if (!parsed.success) return { ok: false, response: problemResponse(validationProblem(request, fieldErrorsFrom(parsed.error))) };
  return { ok: true, data: parsed.data };
}

/** Query parameters parsed with a strict schema, so a misspelt parameter is named instead of ignored. */
export function parseQuery<Schema extends z.ZodType>(request: ApiRequest, schema: Schema): Parsed<z.output<Schema>> {
  const value: Record<string, string> = {};
  for (const [name, item] of new URLSearchParams(queryOf(request))) {
    if (name in value) return invalid(request, name, "must be given once");
    value[name] = item;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) return { ok: false, response: problemResponse(validationProblem(request, fieldErrorsFrom(parsed.error, "query"))) };
  return { ok: true, data: parsed.data };
}

export const CONNECTION_NOT_FOUND = "No connection has this id. List connections with GET /api/v1/connections to find it.";

/** A malformed id cannot name a connection, so it is answered exactly like an unknown one. */
export function parseConnectionId(request: ApiRequest, id: string): Parsed<string> {
  const parsed = connectionIdParamsSchema.safeParse({ id });
  if (!parsed.success) return { ok: false, response: notFound(request) };
  return { ok: true, data: parsed.data.id.toLowerCase() };
}

export function notFound(request: ApiRequest): ApiResponse {
  return problemResponse(problem("not-found", request, CONNECTION_NOT_FOUND));
}
