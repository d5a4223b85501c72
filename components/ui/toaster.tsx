"use client";

import dynamic from "next/dynamic";

/** Where short confirmations appear. Never part of the first paint, so sonner loads after it. */
export const Toaster = dynamic(
  () =>
    import("sonner").then(({ Toaster: Sonner }) =>
      function SystemThemedToaster() {
        return <Sonner theme="system" position="bottom-right" closeButton richColors />;
      },
    ),
  { ssr: false },
);

/** Shows a toast; sonner is fetched on first use (the same module instance the Toaster renders). */
export function notify(message: string): void {
  void import("sonner").then(({ toast }) => toast.success(message));
}
