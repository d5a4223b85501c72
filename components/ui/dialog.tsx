"use client";

import * as DialogPrimitive from "@radix-ui/react-dialog";
import { X } from "lucide-react";
import type { ComponentProps, ReactNode } from "react";
import { cn } from "@/components/ui/cn";

export const Dialog = DialogPrimitive.Root;
export const DialogTrigger = DialogPrimitive.Trigger;
export const DialogClose = DialogPrimitive.Close;

/**
 * A modal with a title and description that screen readers announce; focus stays inside until it closes.
 * `dismissible={false}` removes Escape, outside clicks and the close button, for dialogs that must be answered.
 */
export function DialogContent({
  title,
  description,
  children,
  className,
  dismissible = true,
  ...props
}: Omit<ComponentProps<typeof DialogPrimitive.Content>, "title"> & { title: ReactNode; description?: ReactNode; dismissible?: boolean }) {
  return (
    <DialogPrimitive.Portal>
      <DialogPrimitive.Overlay className="fixed inset-0 z-40 bg-slate-950/60" />
      <DialogPrimitive.Content
        {...(description ? {} : { "aria-describedby": undefined })}
        onEscapeKeyDown={dismissible ? undefined : (event) => event.preventDefault()}
        onPointerDownOutside={dismissible ? undefined : (event) => event.preventDefault()}
        onInteractOutside={dismissible ? undefined : (event) => event.preventDefault()}
        className={cn(
          "fixed left-1/2 top-1/2 z-50 max-h-[calc(100dvh-2rem)] w-[calc(100vw-2rem)] max-w-lg -translate-x-1/2 -translate-y-1/2 overflow-y-auto rounded-lg border border-line bg-surface p-5 text-fg shadow-xl",
          className,
        )}
        {...props}
      >
        <div className="flex items-start justify-between gap-4">
          <DialogPrimitive.Title className="text-lg font-semibold">{title}</DialogPrimitive.Title>
          {dismissible && (
            <DialogPrimitive.Close className="rounded-md p-1 text-fg-muted hover:bg-surface-muted hover:text-fg" aria-label="Close">
              <X aria-hidden="true" className="size-4" />
            </DialogPrimitive.Close>
          )}
        </div>
        {description && <DialogPrimitive.Description className="mt-1 text-sm text-fg-muted">{description}</DialogPrimitive.Description>}
        <div className="mt-4 space-y-4">{children}</div>
      </DialogPrimitive.Content>
    </DialogPrimitive.Portal>
  );
}
