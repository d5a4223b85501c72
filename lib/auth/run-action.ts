import "server-only";
import { randomUUID } from "node:crypto";
import { unstable_rethrow } from "next/navigation";
import type { z } from "zod";
import { isNeverEchoed, type ActionState } from "@/lib/action-state";
import { isDatabaseUnavailable, databaseUnavailableText } from "@/lib/db/unavailable";
import { errorReason, UserFacingError } from "@/lib/errors";
import { log } from "@/lib/log";
import type { actionPolicy, ActionName } from "@/lib/auth/access-policy";
import { authorizeAction, type CallerFor } from "@/lib/auth/current-user";

export const FORBIDDEN_MESSAGE = "You do not have permission to do this.";
export const UNAUTHENTICATED_MESSAGE = "Your session has ended. Sign in again.";

function formDataToObject(formData: FormData): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [key, value] of formData.entries()) {
    if (key.startsWith("$ACTION")) continue;
    if (typeof value !== "string") continue;
    const existing = result[key];
    result[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return result;
}

// React resets a form after its action; echoing the typed values lets a rejected form keep them.
// Anything that could be a secret is left out (isNeverEchoed), so it is never sent back to the browser.
function echoValues(input: FormData | unknown): Record<string, string> | undefined {
  if (!(input instanceof FormData)) return undefined;
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(formDataToObject(input))) {
    if (!isNeverEchoed(key) && typeof value === "string") values[key] = value.slice(0, 1000);
  }
  return values;
}

/**
 * The body of every server action: check the caller against the access policy, parse the form with
 * the action's own schema, run the handler, and turn failures into an ActionState that never carries
 * anything but a UserFacingError's message.
 */
export async function runAction<Name extends ActionName, Schema extends z.ZodType>(
  name: Name,
  schema: Schema,
  input: FormData | unknown,
  handler: (values: z.output<Schema>, caller: CallerFor<(typeof actionPolicy)[Name]>) => Promise<ActionState>,
): Promise<ActionState> {
  const state = await runAuthorizedAction(name, schema, input, handler);
  return state.status === "error" && state.code !== "forbidden" && state.code !== "unauthenticated" ? { ...state, values: echoValues(input) } : state;
}

async function runAuthorizedAction<Name extends ActionName, Schema extends z.ZodType>(
  name: Name,
  schema: Schema,
  input: FormData | unknown,
  handler: (values: z.output<Schema>, caller: CallerFor<(typeof actionPolicy)[Name]>) => Promise<ActionState>,
): Promise<ActionState> {
  try {
    // Inside the try: finding out who is calling needs the database too.
    const caller = await authorizeAction(name);
    if (!caller.allowed) {
      return caller.signedIn
        ? { status: "error", code: "forbidden", message: FORBIDDEN_MESSAGE }
        : { status: "error", code: "unauthenticated", message: UNAUTHENTICATED_MESSAGE };
    }
    const parsed = schema.safeParse(input instanceof FormData ? formDataToObject(input) : input);
    if (!parsed.success) {
      const fieldErrors: Record<string, string> = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path.join(".") || "form";
        fieldErrors[field] ??= issue.message;
      }
      return { status: "error", code: "invalid", message: "Check the highlighted fields.", fieldErrors };
    }
    return await handler(parsed.data, caller.user);
  } catch (error) {
    unstable_rethrow(error);
    if (error instanceof UserFacingError) {
      return { status: "error", code: "failed", message: error.message, fieldErrors: error.fieldErrors };
    }
    if (isDatabaseUnavailable(error)) {
      log.warn("Action failed: the database is not answering", { action: name, error: errorReason(error) });
      return { status: "error", code: "unavailable", message: databaseUnavailableText.action };
    }
    const requestId = randomUUID();
    // Only the first line: ORM errors go on to echo query arguments, which may hold secrets.
    log.error("Action failed", { action: name, requestId, error: error instanceof Error ? `${error.name}: ${error.message.split("\n")[0]?.slice(0, 200)}` : "non-error thrown" });
    return { status: "error", code: "failed", message: `Something went wrong on our side. Quote request id ${requestId} when you report it.` };
  }
}
