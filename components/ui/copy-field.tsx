"use client";

import { useId } from "react";
import { CopyButton } from "@/components/copy-button";

/** A value shown in full and selectable, with a copy button beside it. */
export function CopyField({ label, value }: { label: string; value: string }) {
  const id = useId();
  return (
    <div>
      <p id={id} className="text-sm font-medium text-fg">
        {label}
      </p>
      <div className="mt-1 flex flex-wrap items-center gap-2">
        <code aria-labelledby={id} className="min-w-0 flex-1 basis-full select-all rounded-md border border-line bg-surface-muted px-3 py-2 font-mono text-sm break-all">
          {value}
        </code>
        <CopyButton text={value} label={`Copy the ${label.toLowerCase()}`} />
      </div>
    </div>
  );
}
