"use client";

import { useState } from "react";

/** Long text cut to one line so a table row stays one row; the whole text is one click (or the hover title) away. */
export function ExpandableText({ text, lineLength = 60 }: { text: string; lineLength?: number }) {
  const [open, setOpen] = useState(false);
  if (text.length <= lineLength) return <span>{text}</span>;
  return (
    <span className="flex min-w-0 items-start gap-2">
      <span title={open ? undefined : text} className={open ? "min-w-0" : "line-clamp-1 min-w-0"}>
        {text}
      </span>
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)} className="shrink-0 text-xs font-medium text-link underline underline-offset-2">
        {open ? "Less" : "More"}
      </button>
    </span>
  );
}
