import "server-only";
import { getEnv } from "@/lib/env";
import { publicUrl } from "@/lib/public-url";

/** Where Microsoft sends the admin back after tenant-wide consent; it must be registered on the app. */
export function consentRedirectUri(): string {
  return `${publicUrl(getEnv())}/connections/new/admin-consent/callback`;
}

/** The delegated sign-in callback for "connect a single mailbox". */
export function delegatedRedirectUri(): string {
  return `${publicUrl(getEnv())}/connect/callback`;
}
