import { expect } from "vitest";
import { demo } from "@/simulator/demo-ids";
import { CALLBACK } from "@/test-support/simulator-cloud";

export type MicrosoftSignInOptions = { action?: "signin" | "cancel"; mfa?: "mfa-approve" | "mfa-deny" };

function formAction(html: string): string {
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, "&");
  if (!action) throw new Error(`no form on the page: ${html.slice(0, 400)}`);
  return action;
}

/**
 * Plays the browser at the simulator's /authorize pages, so that the console's code sees exactly what a
 * real sign-in sends back: GET the sign-in page, POST the form, answer an MFA prompt if asked to, and
 * return the query of the redirect to the console's callback.
 */
export async function microsoftSignIn(url: string, login: string, options: MicrosoftSignInOptions = {}): Promise<URLSearchParams> {
  const page = await fetch(url, { redirect: "manual" });
  expect(page.status).toBe(200);
  // A browser resolves a form's action against the page it is on.
  const signInUrl = new URL(formAction(await page.text()), url);
  let response = await fetch(signInUrl, {
    method: "POST",
    body: new URLSearchParams({ login, passwd: demo.password, action: options.action ?? "signin" }),
    redirect: "manual",
  });
  if (response.status === 200) {
    const html = await response.text();
    if (!html.includes('value="mfa-approve"') || !options.mfa) throw new Error(`unexpected page at Microsoft: ${html.slice(0, 600)}`);
    const flow = /name="flow" value="([^"]+)"/.exec(html)?.[1] ?? "";
    response = await fetch(new URL(formAction(html), signInUrl), { method: "POST", body: new URLSearchParams({ flow, action: options.mfa }), redirect: "manual" });
  }
  if (response.status !== 302) throw new Error(`sign-in as ${login} did not redirect (${response.status}): ${(await response.text()).slice(0, 400)}`);
  const location = new URL(response.headers.get("location") ?? "about:blank");
  expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
  return location.searchParams;
}
