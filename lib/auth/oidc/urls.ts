import "server-only";
import { getEnv } from "@/lib/env";
import { publicUrl } from "@/lib/public-url";

/** Where Microsoft sends staff back after "Sign in with Microsoft"; it must be registered on the app. */
export function consoleSignInRedirectUri(): string {
  return `${publicUrl(getEnv())}/sign-in/microsoft/callback`;
}
