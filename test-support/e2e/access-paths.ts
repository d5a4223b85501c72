import { readFileSync } from "node:fs";
import path from "node:path";
import type { Role } from "../../lib/auth/roles";
import { REPO_ROOT } from "./server";

/** Everyone the access policy tells apart: each role and a visitor who is not signed in. */
export type Caller = Role | "anonymous";
export const callers: Caller[] = ["anonymous", "admin", "helpdesk", "member"];

/**
 * A path to request for each entry of lib/auth/access-policy.ts: dynamic segments get values that
 * exist in no console, so an allowed caller reaches the page's own "not found" rather than data.
 */
export function samplePath(page: string): string {
  return page
    .replace("[token]", "sample-token-that-does-not-exist-0000000000")
    .replace("[id]", "00000000-0000-4000-8000-000000000000")
    .replace("[step]", "register-app");
}

/** `page`: the first page (as in the access policy) whose build serves the action. */
export type BuiltServerAction = { id: string; name: string; filename: string | undefined; page: string };

/** Every server action of the production build, with the id a browser sends in `Next-Action`. */
export function builtServerActions(): BuiltServerAction[] {
  const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, ".next/server/server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { exportedName?: string; filename?: string; workers: Record<string, unknown> }>;
  };
  return Object.entries(manifest.node).map(([id, entry]) => ({
    id,
    name: entry.exportedName!,
    filename: entry.filename,
    page: Object.keys(entry.workers)[0]!.replace(/^app/, "").replace(/\/page$/, "") || "/",
  }));
}
