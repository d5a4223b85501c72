import { CircleCheck, CircleDashed, CircleX, KeyRound, TriangleAlert, type LucideIcon } from "lucide-react";
import type { ComponentProps } from "react";
import { cn } from "@/components/ui/cn";
import { connectionStateLabels, type ConnectionState } from "@/lib/connections/state";

const tones = {
  neutral: "border-slate-300 bg-slate-100 text-slate-800 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100",
  success: "border-green-300 bg-green-50 text-green-900 dark:border-green-700 dark:bg-green-950 dark:text-green-100",
  warning: "border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100",
  danger: "border-red-300 bg-red-50 text-red-900 dark:border-red-700 dark:bg-red-950 dark:text-red-100",
  attention: "border-purple-300 bg-purple-50 text-purple-900 dark:border-purple-700 dark:bg-purple-950 dark:text-purple-100",
  info: "border-blue-300 bg-blue-50 text-blue-900 dark:border-blue-700 dark:bg-blue-950 dark:text-blue-100",
} as const;
export type Tone = keyof typeof tones;

export function Badge({ tone = "neutral", icon: Icon, className, children, ...props }: ComponentProps<"span"> & { tone?: Tone; icon?: LucideIcon }) {
  return (
    <span className={cn("inline-flex items-center gap-1 whitespace-nowrap rounded-full border px-2 py-0.5 text-xs font-medium", tones[tone], className)} {...props}>
      {Icon && <Icon aria-hidden="true" className="size-3.5 shrink-0" />}
      {children}
    </span>
  );
}

/** One colour and one icon per connection state, the same on every page; the icon means the colour is never the only cue. */
export const stateAppearance: Record<ConnectionState, { tone: Tone; icon: LucideIcon }> = {
  healthy: { tone: "success", icon: CircleCheck },
  warning: { tone: "warning", icon: TriangleAlert },
  failing: { tone: "danger", icon: CircleX },
  needs_reauth: { tone: "attention", icon: KeyRound },
  never_checked: { tone: "neutral", icon: CircleDashed },
};

export function StateBadge({ state, className }: { state: ConnectionState; className?: string }) {
  const { tone, icon } = stateAppearance[state];
  return (
    <Badge tone={tone} icon={icon} className={className}>
      {connectionStateLabels[state]}
    </Badge>
  );
}

const calloutTones: Record<Tone, string> = {
  neutral: "border-line bg-surface-muted",
  success: "border-green-300 bg-green-50 dark:border-green-800 dark:bg-green-950/60",
  warning: "border-amber-300 bg-amber-50 dark:border-amber-800 dark:bg-amber-950/60",
  danger: "border-red-300 bg-red-50 dark:border-red-800 dark:bg-red-950/60",
  attention: "border-purple-300 bg-purple-50 dark:border-purple-800 dark:bg-purple-950/60",
  info: "border-blue-300 bg-blue-50 dark:border-blue-800 dark:bg-blue-950/60",
};

/** A message box in a tone; the text stays the page's own colour so it keeps its contrast in both themes. */
export function Callout({ tone = "info", className, ...props }: ComponentProps<"div"> & { tone?: Tone }) {
  return <div className={cn("rounded-md border p-3 text-sm text-fg", calloutTones[tone], className)} {...props} />;
}
