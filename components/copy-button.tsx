"use client";

import { Check, Copy } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";

/** Copies a value to the clipboard and says so to screen readers too. */
export function CopyButton({ text, label, className }: { text: string; label: string; className?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <span className="inline-flex items-center gap-2">
      <Button
        size="sm"
        className={className}
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(text);
            setCopied(true);
          } catch {
            toast.error("The browser did not allow copying. Select the text and copy it yourself.");
          }
        }}
      >
        {copied ? <Check aria-hidden="true" /> : <Copy aria-hidden="true" />}
        {label}
      </Button>
      <span role="status" aria-live="polite" className="text-xs text-green-800 dark:text-green-200 dark:text-green-300">
        {copied ? "Copied" : ""}
      </span>
    </span>
  );
}
