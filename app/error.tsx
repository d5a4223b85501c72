"use client";

import { PageError } from "@/components/page-error";

// `retry` fetches the page from the server again; `reset` would only re-render what already failed.
export default function ErrorPage({ error, retry }: { error: Error & { digest?: string }; retry: () => void }) {
  return <PageError error={error} retry={retry} />;
}
