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
  // Told here, not by an effect of the form: the confirmed row usually disappears in the same render as
  // the answer arrives, taking its dialog along, so the outcome lives on as a toast.
  const reporting = async (state: ActionState, formData: FormData): Promise<ActionState> => {
    const result = await action(state, formData);
    if (result.status === "success") {
      notify(result.message);
      if (!result.reveal) onClose();
    }
    return result;
  };
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
        <ActionForm action={reporting} submitLabel={confirmLabel} submitVariant="danger" hidden={hidden}>
          {children}
          {typeToConfirm && <Field name={typeToConfirm.name} label={`Type “${typeToConfirm.value}” to confirm`} autoComplete="off" />}
        </ActionForm>
      </DialogContent>
    </Dialog>
  );
}
