import { formAction } from "@/simulator/browser-sign-in";
import { demo } from "@/simulator/demo-ids";

/**
 * What a member meets when they sign in to the mailbox sign-in app, played at the simulator's pages
 * like a browser: a code without being asked (an administrator already granted), the consent screen
 * (they may consent themselves), Microsoft's "Approval required" request form (admin consent workflow),
 * or a refusal sent back to the app (AADSTS90094 "Need admin approval", 50105 not assigned, …).
 */
export type MemberSignIn =
  | { kind: "code" }
  | { kind: "consent-screen" }
  | { kind: "approval-request" }
  | { kind: "refused"; code: string };

export async function memberSignIn(url: string, login: string): Promise<MemberSignIn> {
  const page = await fetch(url, { redirect: "manual" });
  const response = await fetch(new URL(formAction(await page.text()), url), {
    method: "POST",
    body: new URLSearchParams({ login, passwd: demo.password, action: "signin" }),
    redirect: "manual",
  });
  if (response.status === 200) {
    const html = await response.text();
    if (html.includes('value="consent-accept"')) return { kind: "consent-screen" };
    if (html.includes('value="consent-request"')) return { kind: "approval-request" };
    throw new Error(`unexpected page: ${html.slice(0, 400)}`);
  }
  const location = new URL(response.headers.get("location") ?? "about:blank");
  if (location.searchParams.get("code")) return { kind: "code" };
  const code = /^AADSTS(\d+)/.exec(location.searchParams.get("error_description") ?? "")?.[1] ?? location.searchParams.get("error") ?? "none";
  return { kind: "refused", code: `AADSTS${code}` };
}
