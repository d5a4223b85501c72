"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { CopyField } from "@/components/ui/copy-field";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { notify } from "@/components/ui/toaster";

/**
 * A secret or link the console will never show again. It can only be closed by saying it was stored, so
 * nobody loses it by pressing Escape; once closed it is gone from the screen for good.
 */
export function OneTimeValueDialog({ label, value, message }: { label: string; value: string; message: string }) {
  const [open, setOpen] = useState(true);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogContent title={`Your new ${label.toLowerCase()}`} description={`${message} This is the only time it is shown: copy it and store it somewhere safe now.`} dismissible={false}>
        <CopyField label={label} value={value} />
        <div className="flex justify-end">
          <Button
            variant="primary"
            onClick={() => {
              setOpen(false);
              notify(`${label} stored. It will not be shown again.`);
            }}
          >
            I have stored it
          </Button>
        </div>
      </DialogContent>
    </Dialog>
  );
}
