"use client";

import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import { ChevronDown, LogOut, UserRound } from "lucide-react";
import Link from "next/link";
import { useActionState, useRef } from "react";
import { signOutAction } from "@/app/sign-in/actions";
import { idleState } from "@/lib/action-state";

const itemClass = "flex cursor-pointer items-center gap-2 rounded px-2 py-1.5 text-sm text-fg no-underline outline-none data-[highlighted]:bg-surface-muted";

/** Who is signed in, in what role, and the way to their account and out; the sign-out form lives outside the menu so closing the menu cannot cancel it. */
export function AccountMenu({ displayName, roleLabel }: { displayName: string; roleLabel: string }) {
  const [, signOut] = useActionState(signOutAction, idleState);
  const form = useRef<HTMLFormElement>(null);
  const initial = displayName.trim().charAt(0).toUpperCase() || "?";
  return (
    <>
      <form ref={form} action={signOut} hidden />
      <DropdownMenu.Root>
        <DropdownMenu.Trigger className="flex min-w-0 items-center gap-2 rounded-md px-2 py-1 text-sm hover:bg-surface-muted" aria-label={`Account: ${displayName}, ${roleLabel}`}>
          <span aria-hidden="true" className="flex size-7 shrink-0 items-center justify-center rounded-full bg-primary text-xs font-semibold text-primary-fg">
            {initial}
          </span>
          <span className="hidden min-w-0 text-left sm:block">
            <span className="block truncate font-medium leading-tight">{displayName}</span>
            <span className="block truncate text-xs leading-tight text-fg-muted">{roleLabel}</span>
          </span>
          <ChevronDown aria-hidden="true" className="size-4 text-fg-muted" />
        </DropdownMenu.Trigger>
        <DropdownMenu.Portal>
          <DropdownMenu.Content align="end" sideOffset={6} className="z-50 min-w-56 rounded-md border border-line bg-surface p-1 text-fg shadow-lg">
            <DropdownMenu.Label className="px-2 py-1.5">
              <span className="block text-sm font-medium">{displayName}</span>
              <span className="block text-xs text-fg-muted">{roleLabel}</span>
            </DropdownMenu.Label>
            <DropdownMenu.Separator className="my-1 h-px bg-line" />
            <DropdownMenu.Item asChild className={itemClass}>
              <Link href="/account">
                <UserRound aria-hidden="true" className="size-4" />
                Account
              </Link>
            </DropdownMenu.Item>
            <DropdownMenu.Item className={itemClass} onSelect={() => form.current?.requestSubmit()}>
              <LogOut aria-hidden="true" className="size-4" />
              Sign out
            </DropdownMenu.Item>
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu.Root>
    </>
  );
}
