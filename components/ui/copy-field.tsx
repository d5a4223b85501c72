"use client";

import { Check, Copy } from "lucide-react";
import { useId, useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";

/** A value shown in full, selectable, with a copy button that confirms the copy to sighted and screen-reader users alike. */
export function CopyField({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  const id = useId();
  return (
    <div>
      <p id={id} className="text-sm font-medium text-fg">
        {label}
      </p>
      <div className="mt-1 flex items-stretch gap-2">
        <code aria-labelledby={id} className="min-w-0 flex-1 select-all rounded-md border border-line bg-surface-muted px-3 py-2 font-mono text-sm break-all">
          {value}
        </code>
        <Button
          variant="secondary"
          aria-label={`Copy ${label.toLowerCase()}`}
          className="h-auto"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(value);
              setCopied(true);
              toast.success(`${label} copied`);
            } catch {
              toast.error("The browser did not allow copying. Select the value and copy it yourself.");
            }
          }}
        >
          {copied ? <Check aria-hidden="true" /> : <Copy aria-hidden="true" />}
          <span className="max-sm:sr-only">{copied ? "Copied" : "Copy"}</span>
        </Button>
      </div>
    </div>
  );
}
