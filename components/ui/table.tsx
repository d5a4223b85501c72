import type { ComponentProps } from "react";
import { cn } from "@/components/ui/cn";

/*
 * One markup for both widths: a table from 640 px, and below that every row is a card whose cells
 * carry their column name (data-label), so phones never scroll sideways and nothing is rendered twice.
 */
export function Table({ className, ...props }: ComponentProps<"table">) {
  return <table className={cn("w-full border-collapse text-sm max-sm:block", className)} {...props} />;
}

export function TableHead({ className, ...props }: ComponentProps<"thead">) {
  return <thead className={cn("border-b border-line text-left text-xs font-medium uppercase tracking-wide text-fg-muted max-sm:sr-only", className)} {...props} />;
}

export function TableBody({ className, ...props }: ComponentProps<"tbody">) {
  return <tbody className={cn("max-sm:block max-sm:space-y-3", className)} {...props} />;
}

export function TableRow({ className, ...props }: ComponentProps<"tr">) {
  return (
    <tr
      className={cn(
        "border-b border-line align-top last:border-b-0 max-sm:block max-sm:rounded-lg max-sm:border max-sm:bg-surface max-sm:p-3 max-sm:last:border-b",
        className,
      )}
      {...props}
    />
  );
}

export function TableHeader({ className, ...props }: ComponentProps<"th">) {
  return <th scope="col" className={cn("px-3 py-2 font-medium first:pl-0 last:pr-0", className)} {...props} />;
}

export function TableCell({ className, contentClassName, label, children, ...props }: ComponentProps<"td"> & { label?: string; contentClassName?: string }) {
  return (
    <td
      data-label={label}
      className={cn(
        "px-3 py-2.5 first:pl-0 last:pr-0 max-sm:flex max-sm:min-w-0 max-sm:gap-3 max-sm:px-0 max-sm:py-1 max-sm:wrap-anywhere",
        label && "max-sm:before:w-28 max-sm:before:shrink-0 max-sm:before:text-fg-muted max-sm:before:content-[attr(data-label)]",
        className,
      )}
      {...props}
    >
      {/* One box beside the card's column name, however many things the cell holds. */}
      <div className={cn("min-w-0 max-sm:flex-1", contentClassName)}>{children}</div>
    </td>
  );
}

/**
 * The surface a table sits on at full width; below 640 px the rows are cards of their own. A table
 * wider than the window scrolls inside its card, never the page; the card takes keyboard focus so that
 * such a table can be scrolled without a mouse.
 */
export function TableCard({ className, ...props }: ComponentProps<"div">) {
  return <div tabIndex={0} className={cn("sm:overflow-x-auto sm:rounded-lg sm:border sm:border-line sm:bg-surface sm:px-4 sm:shadow-sm", className)} {...props} />;
}
