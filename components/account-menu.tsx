"use client";

import { ChevronDown } from "lucide-react";
import dynamic from "next/dynamic";
import { useActionState, useRef, useState } from "react";
import { signOutAction } from "@/app/sign-in/actions";
import { idleState } from "@/lib/action-state";

// The menu library is fetched when the menu is first opened, not with every page.
const AccountMenuPanel = dynamic(() => import("@/components/account-menu-panel").then((module) => module.AccountMenuPanel), { ssr: false });

/** Who is signed in and in what role, top right; it opens the menu with Account and Sign out. */
export function AccountMenu({ displayName, roleLabel }: { displayName: string; roleLabel: string }) {
  const [open, setOpen] = useState(false);
  const trigger = useRef<HTMLButtonElement>(null);
  // Outside the menu, so the menu closing on select cannot unmount the form mid-submission.
  const [, signOut] = useActionState(signOutAction, idleState);
  const form = useRef<HTMLFormElement>(null);
  const initial = displayName.trim().charAt(0).toUpperCase() || "?";
  return (
    <div className="relative">
      <form ref={form} action={signOut} hidden />
      <button
        ref={trigger}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={`Account: ${displayName}, ${roleLabel}`}
        onClick={() => setOpen(true)}
        onKeyDown={(event) => {
          if (event.key === "ArrowDown") setOpen(true);
        }}
        className="flex min-w-0 items-center gap-2 rounded-md px-2 py-1 text-sm text-fg hover:bg-surface-muted"
      >
        <span aria-hidden="true" className="flex size-7 shrink-0 items-center justify-center rounded-full bg-primary text-xs font-semibold text-primary-fg">
          {initial}
        </span>
        <span className="hidden min-w-0 text-left sm:block">
          <span className="block truncate font-medium leading-tight">{displayName}</span>
          <span className="block truncate text-xs leading-tight text-fg-muted">{roleLabel}</span>
        </span>
        <ChevronDown aria-hidden="true" className="size-4 text-fg-muted" />
      </button>
      {open && (
        <AccountMenuPanel
          displayName={displayName}
          roleLabel={roleLabel}
          onSignOut={() => form.current?.requestSubmit()}
          onClose={() => {
            setOpen(false);
            trigger.current?.focus();
          }}
        />
      )}
    </div>
  );
}
