import { CalendarSync } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";
import { AccountMenu } from "@/components/account-menu";
import { MobileNav } from "@/components/mobile-nav";
import { SidebarNav } from "@/components/sidebar-nav";
import { roleLabels, type Role } from "@/lib/auth/roles";
import { navigationFor } from "@/lib/navigation";

function Brand() {
  return (
    <Link href="/" className="flex items-center gap-2 text-base font-semibold text-fg no-underline">
      <CalendarSync aria-hidden="true" className="size-5 text-primary" />
      Calsync Console
    </Link>
  );
}

/**
 * The frame of every page: the sidebar (a menu button below 768 px) and the account menu top right. It
 * only chooses which links to show; every page and action authorises on its own.
 */
export function AppShell({ user, children }: { user: { displayName: string; role: Role } | null; children: ReactNode }) {
  if (!user) {
    return (
      <>
        <header className="border-b border-line bg-surface">
          <div className="mx-auto flex h-14 max-w-5xl items-center px-4">
            <Brand />
          </div>
        </header>
        <main id="main" className="mx-auto max-w-5xl px-4 py-8">
          {children}
        </main>
      </>
    );
  }
  const sections = navigationFor(user.role);
  return (
    <div className="md:flex">
      {/* The aside stretches with the page for its background; only its content sticks to the window. */}
      <aside className="hidden w-60 shrink-0 border-r border-line bg-surface md:block">
        <div className="sticky top-0 max-h-dvh overflow-y-auto px-3 py-4">
          <div className="mb-6 px-3">
            <Brand />
          </div>
          <SidebarNav sections={sections} />
        </div>
      </aside>
      <div className="min-w-0 flex-1">
        <header className="sticky top-0 z-30 flex h-14 items-center gap-2 border-b border-line bg-surface px-4 sm:px-6">
          <MobileNav sections={sections} />
          <div className="md:hidden">
            <Brand />
          </div>
          <div className="ml-auto">
            <AccountMenu displayName={user.displayName} roleLabel={roleLabels[user.role]} />
          </div>
        </header>
        <main id="main" className="mx-auto max-w-6xl px-4 py-6 wrap-break-word sm:px-6 lg:px-8">
          {children}
        </main>
      </div>
    </div>
  );
}
