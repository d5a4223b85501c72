import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import ErrorPage from "@/app/error";
import GlobalError from "@/app/global-error";
import { DATABASE_UNAVAILABLE_DIGEST } from "@/lib/db/unavailable";

/**
 * In production Next.js replaces a server error's message before it reaches these pages and keeps
 * only its digest; the errors here look the same.
 */
function serverError(digest: string): Error & { digest: string } {
  return Object.assign(new Error("An error occurred in the Server Components render."), { digest });
}

const retry = () => undefined;

describe.each([
  ["the error page", ErrorPage],
  ["the page that replaces the root layout", GlobalError],
])("%s", (_name, Page) => {
  it("tells that the database is not answering and that nothing was changed", () => {
    const html = renderToStaticMarkup(createElement(Page, { error: serverError(DATABASE_UNAVAILABLE_DIGEST), retry }));
    expect(html).toContain("The database is not answering");
    expect(html).toContain("Nothing was changed. Try again in a moment.");
    expect(html).toContain("Try again</button>");
    expect(html).not.toContain("Something went wrong");
    expect(html).not.toContain(DATABASE_UNAVAILABLE_DIGEST);
  });

  it("keeps the generic page, with the reference to quote, for any other failure", () => {
    const html = renderToStaticMarkup(createElement(Page, { error: serverError("1234567890"), retry }));
    expect(html).toContain("Something went wrong");
    expect(html).toContain("Quote reference 1234567890");
    expect(html).not.toContain("The database is not answering");
  });
});
