"use client";

import { Menu } from "lucide-react";
import dynamic from "next/dynamic";
import { useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import type { NavigationSection } from "@/lib/navigation";

// Only phones open it, so the dialog library is fetched on first use, not with every page.
const MobileNavPanel = dynamic(() => import("@/components/mobile-nav-panel").then((module) => module.MobileNavPanel), { ssr: false });

/** Below 768 px the sidebar becomes a menu button that opens it as a panel (focus is kept inside; Escape closes it). */
export function MobileNav({ sections }: { sections: NavigationSection[] }) {
  const [open, setOpen] = useState(false);
  const trigger = useRef<HTMLButtonElement>(null);
  return (
    <>
      <Button ref={trigger} variant="ghost" size="icon" className="md:hidden" aria-label="Open the menu" aria-haspopup="dialog" aria-expanded={open} onClick={() => setOpen(true)}>
        <Menu aria-hidden="true" />
      </Button>
      {open && (
        <MobileNavPanel
          sections={sections}
          onClose={() => setOpen(false)}
          returnFocus={() => trigger.current?.focus()}
        />
      )}
    </>
  );
}
