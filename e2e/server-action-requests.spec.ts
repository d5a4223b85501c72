import { builtServerActions } from "../test-support/e2e/access-paths";
import { accounts, E2E_BASE_URL } from "../test-support/e2e/server";
import { expect, test } from "../test-support/e2e/fixtures";

/**
 * Requests that a server action must refuse before it runs, through real HTTP against the running
 * console: a body over the limit answers 413 (whether or not it says its length) and a form sent from
 * another site answers 403, each with a short plain message, never Next's 500. A same-origin action
 * below the limit still runs (every spec that submits a form proves that too).
 */

const LIMIT = 1024 * 1024;
const signIn = builtServerActions().find((action) => action.name === "signInAction")!;

/** A server action call as React sends it: the action's arguments (state, form) as text. */
function actionBody(padding: number): string {
  return JSON.stringify([{ status: "idle", padding: "x".repeat(padding) }, {}]);
}

/** `contentType: null` leaves it to fetch (a FormData body is sent as multipart). */
function callAction(init: { body: BodyInit; origin?: string; contentType?: string | null; action?: string | null }): Promise<Response> {
  const headers: Record<string, string> = { accept: "text/x-component" };
  if (init.contentType !== null) headers["content-type"] = init.contentType ?? "text/plain;charset=UTF-8";
  if (init.action !== null) headers["next-action"] = init.action ?? signIn.id;
  if (init.origin !== undefined) headers.origin = init.origin;
  return fetch(`${E2E_BASE_URL}/sign-in`, { method: "POST", headers, body: init.body, duplex: "half" } as RequestInit);
}

/** A body sent in 64 kB chunks with no Content-Length, so only counting can tell its size. */
function chunked(body: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(body);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(sent, sent + 64 * 1024));
      sent += 64 * 1024;
    },
  });
}

test("a server action body over 1 MB answers 413 with a plain message, counted even without a length", async () => {
  const declared = await callAction({ body: actionBody(3 * LIMIT), origin: E2E_BASE_URL });
  expect(declared.status).toBe(413);
  expect(declared.headers.get("content-type")).toBe("text/plain; charset=utf-8");
  expect(await declared.text()).toMatch(/more than 1 MB/);

  const counted = await callAction({ body: chunked(actionBody(3 * LIMIT)), origin: E2E_BASE_URL });
  expect(counted.status).toBe(413);
  expect(await counted.text()).toMatch(/more than 1 MB/);

  // A form posted without JavaScript carries no Next-Action header, and is an action all the same.
  const form = new FormData();
  form.set("padding", "x".repeat(3 * LIMIT));
  const withoutScript = await callAction({ body: form, origin: E2E_BASE_URL, contentType: null, action: null });
  expect(withoutScript.status).toBe(413);
});

test("a server action body just under the limit still reaches the action", async () => {
  const body = actionBody(LIMIT - 200);
  expect(Buffer.byteLength(body)).toBeLessThanOrEqual(LIMIT);
  const response = await callAction({ body, origin: E2E_BASE_URL });
  expect(response.status).toBe(200);
  expect(await response.text()).toContain('"status":"error"');
  const counted = await callAction({ body: chunked(body), origin: E2E_BASE_URL });
  expect(counted.status).toBe(200);
  expect(await counted.text()).toContain('"status":"error"');
});

/**
 * signInAction(state, form) with the right password, encoded the way React sends a form's arguments:
 * the form's fields first, then the arguments, which refer to them.
 */
function signInForm(): FormData {
  const form = new FormData();
  // The member: the administrator's right password leads to a second step, not a session.
  form.set("_1_email", accounts.member.email);
  form.set("_1_password", accounts.member.password);
  form.set("0", JSON.stringify([{ status: "idle" }, "$K1"]));
  return form;
}

test("a server action from another origin answers 403 with a plain message, and runs nothing", async () => {
  for (const origin of ["https://attacker.example", "http://127.0.0.1:1", "null"]) {
    const response = await callAction({ body: signInForm(), origin, contentType: null });
    expect(response.status, origin).toBe(403);
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(response.headers.get("set-cookie"), "no session from a refused sign-in").toBeNull();
    expect(await response.text()).toMatch(/another site/);
  }
  const form = new FormData();
  form.set("email", accounts.member.email);
  const withoutScript = await callAction({ body: form, origin: "https://attacker.example", contentType: null, action: null });
  expect(withoutScript.status).toBe(403);

  // The very same request from the console's own page signs in.
  const sameOrigin = await callAction({ body: signInForm(), origin: E2E_BASE_URL, contentType: null });
  expect(sameOrigin.headers.get("set-cookie")).toMatch(/calsync_session=/);
});
