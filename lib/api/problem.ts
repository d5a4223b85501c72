import "server-only";
import type { z } from "zod";
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
} as const;

export type ProblemKind = keyof typeof problemTypes;

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

function instanceOf(request: Request): string {
  return new URL(request.url).pathname;
}

export function problem(kind: ProblemKind, request: Request, detail: string, extra: { requestId?: string } = {}): Problem {
  const { type, title, status } = problemTypes[kind];
  return { type, title, status, detail, instance: instanceOf(request), ...extra };
}

export function validationProblem(request: Request, errors: FieldError[], detail = "Correct the fields named in `errors` and send the request again."): ValidationProblem {
  const { type, title, status } = problemTypes.invalid;
  return { type, title, status, detail, instance: instanceOf(request), errors };
}

/** `title` stays the problem type's (RFC 9457); the catalog's own title for the code leads `detail`. */
export function microsoftProblem(request: Request, fields: Omit<MicrosoftProblem, "type" | "title" | "status" | "instance">): MicrosoftProblem {
  const { type, title, status } = problemTypes.microsoft;
  return { type, title, status, instance: instanceOf(request), ...fields };
}

export function problemResponse(body: Problem | ValidationProblem | MicrosoftProblem, headers: HeadersInit = {}): Response {
  const merged = new Headers(headers);
  merged.set("content-type", PROBLEM_CONTENT_TYPE);
  merged.set("cache-control", "no-store");
  return new Response(JSON.stringify(body), { status: body.status, headers: merged });
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
