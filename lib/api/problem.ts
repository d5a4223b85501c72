import "server-only";
import type { z } from "zod";
import { pathOf, type ApiRequest, type ApiResponse } from "@/lib/api/http";
import type { FieldError, MicrosoftProblem, Problem, ValidationProblem } from "@/lib/api/schemas";

/**
 * RFC 9457 problem documents. Each kind has a fixed URN and title so an engine can branch on `type`
 * without parsing prose; `detail` is the sentence for the person operating the engine.
 */

export const problemTypes = {
  unauthorized: { type: "urn:calsync:problem:unauthorized", title: "API key missing or not valid", status: 401 },
  forbidden: { type: "urn:calsync:problem:forbidden", title: "API key lacks a scope", status: 403 },
  "not-found": { type: "urn:calsync:problem:not-found", title: "Not found", status: 404 },
  invalid: { type: "urn:calsync:problem:invalid-request", title: "The request is not valid", status: 400 },
  "no-secret": { type: "urn:calsync:problem:no-client-secret", title: "The connection has no client secret", status: 409 },
  "rate-limited": { type: "urn:calsync:problem:rate-limited", title: "Too many requests", status: 429 },
  internal: { type: "urn:calsync:problem:internal", title: "Something went wrong on our side", status: 500 },
  microsoft: { type: "urn:calsync:problem:microsoft-error", title: "Microsoft refused to issue a token", status: 502 },
  "database-unavailable": { type: "urn:calsync:problem:database-unavailable", title: "The database is not answering", status: 503 },
} as const;

export type ProblemKind = keyof typeof problemTypes;

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export function problem(kind: ProblemKind, request: ApiRequest, detail: string, extra: { requestId?: string } = {}): Problem {
  const { type, title, status } = problemTypes[kind];
  return { type, title, status, detail, instance: pathOf(request), ...extra };
}

export function validationProblem(request: ApiRequest, errors: FieldError[], detail = "Correct the fields named in `errors` and send the request again."): ValidationProblem {
  const { type, title, status } = problemTypes.invalid;
  return { type, title, status, detail, instance: pathOf(request), errors };
}

/** `title` stays the problem type's (RFC 9457); the catalog's own title for the code leads `detail`. */
export function microsoftProblem(request: ApiRequest, fields: Omit<MicrosoftProblem, "type" | "title" | "status" | "instance">): MicrosoftProblem {
  const { type, title, status } = problemTypes.microsoft;
  return { type, title, status, instance: pathOf(request), ...fields };
}

/** `headers` must have lower-case names (see ApiResponse). */
export function problemResponse(body: Problem | ValidationProblem | MicrosoftProblem, headers: Record<string, string> = {}): ApiResponse {
  return { status: body.status, headers: { ...headers, "content-type": PROBLEM_CONTENT_TYPE, "cache-control": "no-store" }, body: JSON.stringify(body) };
}

/**
 * Zod issues as `errors` entries naming the field. An unknown field is reported under its own name
 * (zod puts it in `keys`, with an empty path), so an engine sees which key to drop.
 */
export function fieldErrorsFrom(error: z.ZodError, fallbackField = "body"): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    const base = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ field: base ? `${base}.${key}` : key, message: "is not a known field" }));
    }
    return [{ field: base || fallbackField, message: issue.message }];
  });
}
