"use client";

import { setNonce } from "get-nonce";

/**
 * Hands the page's Content-Security-Policy nonce to get-nonce, through which Radix's scroll lock
 * (react-style-singleton) marks the <style> element it adds while a dialog is open.
 *
 * The nonce is read from the document's own scripts, not passed down from the layout: a client-side
 * navigation can re-render the layout under a later request's nonce, while the document keeps the
 * policy it was loaded with. Read during render, so it is in place before any dialog can open.
 */
function documentNonce(): string | undefined {
  return document.querySelector<HTMLScriptElement>("script[nonce]")?.nonce || undefined;
}

let handedOver = false;

export function StyleNonce() {
  if (!handedOver && typeof document !== "undefined") {
    const nonce = documentNonce();
    if (nonce) setNonce(nonce);
    handedOver = true;
  }
  return null;
}
