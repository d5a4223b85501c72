/**
 * Plays the browser at the simulator's sign-in pages (/authorize and /adminconsent): GET the page,
 * POST its form, answer an MFA prompt if asked to, and return where Microsoft redirects. Used by tests
 * and by the demo's seed, which connects mailboxes exactly as a person would.
 */

export type FormSignInOptions = {
  login: string;
  password: string;
  action?: "signin" | "cancel";
  mfa?: "mfa-approve" | "mfa-deny";
};

/** The action of the page's form, as the browser would resolve its entities. */
export function formAction(html: string): string {
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, "&");
  if (!action) throw new Error(`no form on the page: ${html.slice(0, 400)}`);
  return action;
}

/** The redirect the sign-in ends with; throws with the page when it ends elsewhere. */
export async function signInThroughForm(url: string, options: FormSignInOptions): Promise<URL> {
  const page = await fetch(url, { redirect: "manual" });
  if (page.status !== 200) throw new Error(`the sign-in page answered ${page.status}`);
  // A browser resolves a form's action against the page it is on.
  const signInUrl = new URL(formAction(await page.text()), url);
  let response = await fetch(signInUrl, {
    method: "POST",
    body: new URLSearchParams({ login: options.login, passwd: options.password, action: options.action ?? "signin" }),
    redirect: "manual",
  });
  if (response.status === 200) {
    const html = await response.text();
    if (!html.includes('value="mfa-approve"') || !options.mfa) throw new Error(`unexpected page at the sign-in: ${html.slice(0, 600)}`);
    const flow = /name="flow" value="([^"]+)"/.exec(html)?.[1] ?? "";
    response = await fetch(new URL(formAction(html), signInUrl), { method: "POST", body: new URLSearchParams({ flow, action: options.mfa }), redirect: "manual" });
  }
  if (response.status !== 302) throw new Error(`sign-in as ${options.login} did not redirect (${response.status}): ${(await response.text()).slice(0, 400)}`);
  return new URL(response.headers.get("location") ?? "about:blank");
}
