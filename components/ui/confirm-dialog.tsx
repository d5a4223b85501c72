"use client";

import type { ReactNode } from "react";
import { ActionForm, Field } from "@/components/action-form";
import type { ButtonVariant } from "@/components/ui/button";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogTrigger } from "@/components/ui/dialog";
import type { ActionState } from "@/lib/action-state";

/**
 * Asks before an action that cannot be undone, naming the object in the dialog. Only the most destructive
 * actions ask for the name to be typed (`typeToConfirm`), and only here, not in every row of a list.
 */
export function ConfirmDialog({
  trigger,
  triggerVariant = "secondary",
  title,
  description,
  confirmLabel,
  action,
  hidden,
  typeToConfirm,
  children,
}: {
  trigger: ReactNode;
  triggerVariant?: ButtonVariant;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  action: (state: ActionState, formData: FormData) => Promise<ActionState>;
  hidden?: Record<string, string>;
  typeToConfirm?: { name: string; value: string };
  children?: ReactNode;
}) {
  return (
    <Dialog>
      <DialogTrigger asChild>
        <Button variant={triggerVariant} size="sm">
          {trigger}
        </Button>
      </DialogTrigger>
      <DialogContent title={title} description={description}>
        <ActionForm action={action} submitLabel={confirmLabel} submitVariant="danger" hidden={hidden}>
          {children}
          {typeToConfirm && <Field name={typeToConfirm.name} label={`Type “${typeToConfirm.value}” to confirm`} autoComplete="off" />}
        </ActionForm>
      </DialogContent>
    </Dialog>
  );
}
