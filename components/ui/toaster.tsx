"use client";

import { Toaster as Sonner } from "sonner";

/** Where short confirmations ("Copied") appear; it follows the system theme like the rest of the console. */
export function Toaster() {
  return <Sonner theme="system" position="bottom-right" closeButton richColors />;
}
