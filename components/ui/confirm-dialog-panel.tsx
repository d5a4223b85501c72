"use client";

import type { ReactNode } from "react";
import { ActionForm, Field } from "@/components/action-form";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { notify } from "@/components/ui/toaster";
import type { ActionState } from "@/lib/action-state";

export type ConfirmDialogProps = {
  title: string;
  description: ReactNode;
  confirmLabel: string;
  action: (state: ActionState, formData: FormData) => Promise<ActionState>;
  hidden?: Record<string, string>;
  typeToConfirm?: { name: string; value: string };
  children?: ReactNode;
};

export function ConfirmDialogPanel({
  title,
  description,
  confirmLabel,
  action,
  hidden,
  typeToConfirm,
  children,
  onClose,
  returnFocus,
}: ConfirmDialogProps & { onClose: () => void; returnFocus: () => void }) {
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent
        title={title}
        description={description}
        onCloseAutoFocus={(event) => {
          event.preventDefault();
          returnFocus();
        }}
      >
        <ActionForm
          action={action}
          submitLabel={confirmLabel}
          submitVariant="danger"
          hidden={hidden}
          onSuccess={(result) => {
            // The confirmed row usually disappears with its dialog, so the outcome is told by a toast that stays.
            notify(result.message);
            if (!result.reveal) onClose();
          }}
        >
          {children}
          {typeToConfirm && <Field name={typeToConfirm.name} label={`Type “${typeToConfirm.value}” to confirm`} autoComplete="off" />}
        </ActionForm>
      </DialogContent>
    </Dialog>
  );
}
