"use client";

import { databaseUnavailableText, DATABASE_UNAVAILABLE_DIGEST } from "@/lib/db/unavailable";

/**
 * What the error pages show. In production Next.js hides a server error's message from the browser and
 * passes only its digest; the database-unavailable digest gets its own page, anything else the
 * generic one with the digest to quote.
 */
export function PageError({ error, retry }: { error: Error & { digest?: string }; retry: () => void }) {
  const unavailable = error.digest === DATABASE_UNAVAILABLE_DIGEST;
  return (
    <section className="space-y-4" role="alert">
      <h1 className="text-2xl font-semibold">{unavailable ? databaseUnavailableText.title : "Something went wrong"}</h1>
      <p>
        {unavailable
          ? databaseUnavailableText.page
          : `The console could not show this page. ${error.digest ? `Quote reference ${error.digest} if you report it.` : ""}`}
      </p>
      <button type="button" onClick={retry} className="rounded border border-line-strong px-3 py-1.5">
        Try again
      </button>
    </section>
  );
}
