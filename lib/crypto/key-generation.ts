import "server-only";
import { randomBytes } from "node:crypto";
import type { KeyRingEntry } from "@/lib/env";

/** Key ids carry their creation date so an operator can tell keys apart in the ring. */
export function generateKeyRingEntry(now = new Date()): KeyRingEntry {
  const stamp = now.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return { id: `k${stamp}${randomBytes(2).toString("hex")}`, key: randomBytes(32) };
}
