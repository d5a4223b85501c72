"use client";

import dynamic from "next/dynamic";
import { useRef, useState, type ReactNode } from "react";
import { Button, type ButtonVariant } from "@/components/ui/button";
import type { ConfirmDialogProps } from "@/components/ui/confirm-dialog-panel";

// The dialog is fetched when first asked for, so a page with many rows ships only its buttons.
const ConfirmDialogPanel = dynamic(() => import("@/components/ui/confirm-dialog-panel").then((module) => module.ConfirmDialogPanel), { ssr: false });

/**
 * Asks before an action that cannot be undone, naming the object in the dialog. Only the most destructive
 * actions ask for the name to be typed (`typeToConfirm`), and only in the dialog, not in every row of a list.
 */
export function ConfirmDialog({ trigger, triggerVariant = "secondary", ...props }: ConfirmDialogProps & { trigger: ReactNode; triggerVariant?: ButtonVariant }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  return (
    <>
      <Button ref={button} variant={triggerVariant} size="sm" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        {trigger}
      </Button>
      {open && <ConfirmDialogPanel {...props} onClose={() => setOpen(false)}
          returnFocus={() => button.current?.focus()}
        />}
    </>
  );
}
