import type { LucideIcon } from "lucide-react";
import type { ReactNode } from "react";

/** What an empty list says instead of nothing: why it is empty and the one thing to do next. */
export function EmptyState({ icon: Icon, title, description, action }: { icon: LucideIcon; title: string; description?: ReactNode; action?: ReactNode }) {
  return (
    <div className="flex flex-col items-center gap-3 rounded-lg border border-dashed border-line-strong bg-surface px-6 py-10 text-center">
      <Icon aria-hidden="true" className="size-8 text-fg-muted" />
      <p className="text-base font-semibold text-fg">{title}</p>
      {description && <p className="max-w-md text-sm text-fg-muted">{description}</p>}
      {action}
    </div>
  );
}
