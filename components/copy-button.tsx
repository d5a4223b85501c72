"use client";

import { useState } from "react";

/** Copies a value to the clipboard and says so to screen readers too. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        onClick={async () => {
          await navigator.clipboard.writeText(text);
          setCopied(true);
        }}
        className="rounded border border-slate-500 bg-white px-2 py-1 text-xs font-medium hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-600"
      >
        {label}
      </button>
      <span role="status" aria-live="polite" className="text-xs text-green-800">
        {copied ? "Copied" : ""}
      </span>
    </span>
  );
}
