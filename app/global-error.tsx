"use client";

import { PageError } from "@/components/page-error";
import "./globals.css";

// Shown instead of the root layout when the layout itself failed (it asks the database who is signed
// in), so it brings its own document.
export default function GlobalError({ error, retry }: { error: Error & { digest?: string }; retry: () => void }) {
  return (
    <html lang="en">
      <body>
        <title>Calsync Console</title>
        <main id="main" className="mx-auto max-w-5xl px-4 py-8">
          <PageError error={error} retry={retry} />
        </main>
      </body>
    </html>
  );
}
