import { expect } from "vitest";
import { signInThroughForm } from "@/simulator/browser-sign-in";
import { demo } from "@/simulator/demo-ids";
import { CALLBACK } from "@/test-support/simulator-cloud";

export type MicrosoftSignInOptions = { action?: "signin" | "cancel"; mfa?: "mfa-approve" | "mfa-deny" };

/**
 * Plays the browser at the simulator's /authorize pages, so that the console's code sees exactly what a
 * real sign-in sends back, and returns the query of the redirect to the console's callback.
 */
export async function microsoftSignIn(url: string, login: string, options: MicrosoftSignInOptions = {}): Promise<URLSearchParams> {
  const location = await signInThroughForm(url, { login, password: demo.password, ...options });
  expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
  return location.searchParams;
}
