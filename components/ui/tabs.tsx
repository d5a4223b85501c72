"use client";

import * as TabsPrimitive from "@radix-ui/react-tabs";
import { useState, type ComponentProps } from "react";
import { cn } from "@/components/ui/cn";

export const Tabs = TabsPrimitive.Root;

export function TabsList({ className, ...props }: ComponentProps<typeof TabsPrimitive.List>) {
  return <TabsPrimitive.List className={cn("flex gap-1 overflow-x-auto border-b border-line", className)} {...props} />;
}

export function TabsTrigger({ className, ...props }: ComponentProps<typeof TabsPrimitive.Trigger>) {
  return (
    <TabsPrimitive.Trigger
      className={cn(
        "-mb-px whitespace-nowrap border-b-2 border-transparent px-3 py-2 text-sm font-medium text-fg-muted hover:text-fg data-[state=active]:border-primary data-[state=active]:text-fg",
        className,
      )}
      {...props}
    />
  );
}

export function TabsContent({ className, ...props }: ComponentProps<typeof TabsPrimitive.Content>) {
  return <TabsPrimitive.Content className={cn("pt-4", className)} {...props} />;
}

/**
 * Tabs whose choice lives in the address (`?tab=`), so a tab can be linked to and survives a reload.
 * The server picks the first tab from the address; choosing another only rewrites the address, since
 * every tab's content is already on the page.
 */
export function LinkedTabs({ defaultValue, param = "tab", ...props }: Omit<ComponentProps<typeof TabsPrimitive.Root>, "value" | "onValueChange"> & { defaultValue: string; param?: string }) {
  const [value, setValue] = useState(defaultValue);
  // A link to another tab of the same page changes only the address: follow it without remounting the
  // tabs, which would drop what a form inside has just said (a server action re-renders the page too).
  const [linked, setLinked] = useState(defaultValue);
  if (linked !== defaultValue) {
    setLinked(defaultValue);
    setValue(defaultValue);
  }
  return (
    <TabsPrimitive.Root
      value={value}
      onValueChange={(next) => {
        setValue(next);
        const url = new URL(window.location.href);
        url.searchParams.set(param, next);
        url.hash = "";
        // Without state of its own, Next.js takes the new address into its router, so a later refresh keeps the tab.
        window.history.replaceState(null, "", url);
      }}
      {...props}
    />
  );
}
