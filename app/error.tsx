"use client";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <section className="space-y-4" role="alert">
      <h1 className="text-2xl font-semibold">Something went wrong</h1>
      <p>The console could not show this page. {error.digest ? `Quote reference ${error.digest} if you report it.` : ""}</p>
      <button type="button" onClick={reset} className="rounded border border-slate-400 px-3 py-1.5">
        Try again
      </button>
    </section>
  );
}
