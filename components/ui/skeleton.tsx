import type { ComponentProps } from "react";
import { cn } from "@/components/ui/cn";

/** A grey placeholder the size of what is loading; hidden from screen readers, which get the loading status instead. */
export function Skeleton({ className, ...props }: ComponentProps<"div">) {
  return <div aria-hidden="true" className={cn("animate-pulse rounded-md bg-surface-muted motion-reduce:animate-none", className)} {...props} />;
}
