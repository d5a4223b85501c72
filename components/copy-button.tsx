"use client";

import { Check, Copy } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";

/** Copies a value to the clipboard and says so to screen readers too. */
export function CopyButton({ text, label, className }: { text: string; label: string; className?: string }) {
  const [result, setResult] = useState<"copied" | "refused" | null>(null);
  return (
    <span className="inline-flex items-center gap-2">
      <Button
        size="sm"
        className={className}
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(text);
            setResult("copied");
          } catch {
            setResult("refused");
          }
        }}
      >
        {result === "copied" ? <Check aria-hidden="true" /> : <Copy aria-hidden="true" />}
        {label}
      </Button>
      <span role="status" aria-live="polite" className="text-xs text-fg-muted">
        {result === "copied" ? "Copied" : result === "refused" ? "The browser did not allow copying: select the text and copy it yourself." : ""}
      </span>
    </span>
  );
}
