"use client";

import { Activity, Bell, Cable, CalendarDays, House, KeyRound, LogIn, Mail, Plus, ScrollText, Send, ShieldCheck, Users, type LucideIcon } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/components/ui/cn";
import { currentNavigationHref, type NavigationSection } from "@/lib/navigation";

const icons: Record<string, LucideIcon> = {
  "/": House,
  "/status": Activity,
  "/connections": Cable,
  "/connections/new": Plus,
  "/settings/mailbox-sign-in": Mail,
  "/settings/notifications": Bell,
  "/settings/api-keys": KeyRound,
  "/connect/invite": Send,
  "/users": Users,
  "/settings/sign-in": LogIn,
  "/settings/security": ShieldCheck,
  "/audit": ScrollText,
  "/connect": CalendarDays,
};

/** The grouped page list; the page being shown is marked for sight (colour and bar) and for screen readers (aria-current). */
export function SidebarNav({ sections, onNavigate }: { sections: NavigationSection[]; onNavigate?: () => void }) {
  const pathname = usePathname();
  const current = currentNavigationHref(pathname, sections.flatMap((section) => section.items.map((item) => item.href)));
  return (
    <nav aria-label="Main" className="space-y-5">
      {sections.map((section) => (
        <div key={section.title ?? "start"}>
          {section.title && <p className="px-3 pb-1 text-xs font-semibold uppercase tracking-wide text-fg-muted">{section.title}</p>}
          <ul className="space-y-0.5">
            {section.items.map((item) => {
              const Icon = icons[item.href] ?? House;
              const active = item.href === current;
              return (
                <li key={item.href}>
                  <Link
                    href={item.href}
                    onClick={onNavigate}
                    aria-current={active ? "page" : undefined}
                    className={cn(
                      "flex items-center gap-2.5 rounded-md border-l-2 px-3 py-1.5 text-sm font-medium no-underline",
                      active ? "border-primary bg-nav-active text-nav-active-fg" : "border-transparent text-fg hover:bg-surface-muted",
                    )}
                  >
                    <Icon aria-hidden="true" className="size-4 shrink-0" />
                    {item.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </div>
      ))}
    </nav>
  );
}
