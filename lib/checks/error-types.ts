import type { FixStep, WhoCanFix } from "@/lib/checks/schema";

/**
 * One catalog entry: what happened in plain words, who can fix it and the wizard step that does.
 * Text may use `{cloud}` (the chosen cloud's label); `explainError` fills it in.
 */
export type ErrorEntry = {
  title: string;
  explanation: string;
  who: WhoCanFix;
  fix?: { step: FixStep; text: string };
};

/** A code whose meaning depends on Microsoft's message (e.g. ErrorAccessDenied vs. an access policy). */
export type ErrorEntryWithVariants = ErrorEntry & {
  variants?: readonly { messageIncludes: string; entry: ErrorEntry }[];
};
