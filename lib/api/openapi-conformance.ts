import { z } from "zod";
import { openApiDocument } from "@/lib/api/openapi";

/**
 * Test support: checks a handler's answer against the generated OpenAPI document itself (not the zod
 * schemas it came from). The document's JSON Schema is turned back into a validator with
 * z.fromJSONSchema, so a status, content type, header or body shape the document does not describe fails.
 */

type JsonObject = Record<string, unknown>;
type ResponseObject = { headers?: Record<string, { required?: boolean }>; content?: Record<string, { schema: JsonObject }> };

const validators = new Map<string, z.ZodType>();

function validatorFor(schema: JsonObject): z.ZodType {
  const key = JSON.stringify(schema);
  let validator = validators.get(key);
  if (!validator) {
    const document = openApiDocument() as { components: { schemas: Record<string, JsonObject> } };
    // Component references become local `$defs`, which fromJSONSchema resolves.
    const standalone = JSON.parse(JSON.stringify({ ...schema, $defs: document.components.schemas }).replaceAll("#/components/schemas/", "#/$defs/")) as JsonObject;
    validator = z.fromJSONSchema(standalone);
    validators.set(key, validator);
  }
  return validator;
}

function documentedResponse(route: string, status: number): ResponseObject | undefined {
  const [method, path] = route.split(" ");
  const document = openApiDocument() as { paths: Record<string, Record<string, { responses: Record<string, ResponseObject> }>> };
  return document.paths[path!.replace(/\[(\w+)\]/g, "{$1}")]?.[method!.toLowerCase()]?.responses[String(status)];
}

/** Throws with the reason when `response` is not an answer the document describes for `route`. */
export async function assertDocumented(route: string, response: Response): Promise<void> {
  const spec = documentedResponse(route, response.status);
  if (!spec) throw new Error(`${route} answered ${response.status}, which the OpenAPI document does not list`);
  for (const [header, { required }] of Object.entries(spec.headers ?? {})) {
    if (required && response.headers.get(header) === null) throw new Error(`${route} ${response.status}: documented header ${header} is missing`);
  }
  const text = await response.clone().text();
  if (!spec.content) {
    if (text !== "") throw new Error(`${route} ${response.status}: the document describes no body, but one was sent`);
    return;
  }
  const [contentType, media] = Object.entries(spec.content)[0]!;
  if (response.headers.get("content-type") !== contentType) {
    throw new Error(`${route} ${response.status}: content type ${response.headers.get("content-type")}, documented ${contentType}`);
  }
  const result = validatorFor(media.schema).safeParse(JSON.parse(text));
  if (!result.success) throw new Error(`${route} ${response.status}: body does not match the document: ${z.prettifyError(result.error)}\n${text}`);
}

/** Every (route, status) the document lists for the API-key routes. */
export function documentedAnswers(): string[] {
  const document = openApiDocument() as { paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[] }>> };
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).flatMap(([method, operation]) =>
      operation.security?.length ? Object.keys(operation.responses).map((status) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, "[$1]")} ${status}`) : [],
    ),
  );
}
