"use client";

import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import { LogOut, UserRound } from "lucide-react";
import Link from "next/link";

const itemClass = "flex cursor-pointer items-center gap-2 rounded px-2 py-1.5 text-sm text-fg no-underline outline-none data-[highlighted]:bg-surface-muted";

/** The open account menu, anchored to the button that opened it. */
export function AccountMenuPanel({ displayName, roleLabel, onClose, onSignOut }: { displayName: string; roleLabel: string; onClose: () => void; onSignOut: () => void }) {
  return (
    <>
      <DropdownMenu.Root open modal={false} onOpenChange={(open) => !open && onClose()}>
        <DropdownMenu.Trigger asChild>
          <span aria-hidden="true" className="pointer-events-none absolute inset-0" />
        </DropdownMenu.Trigger>
        <DropdownMenu.Portal>
          <DropdownMenu.Content
            align="end"
            sideOffset={6}
            onCloseAutoFocus={(event) => event.preventDefault()}
            className="z-50 min-w-56 rounded-md border border-line bg-surface p-1 text-fg shadow-lg"
          >
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
            <DropdownMenu.Item className={itemClass} onSelect={onSignOut}>
              <LogOut aria-hidden="true" className="size-4" />
              Sign out
            </DropdownMenu.Item>
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu.Root>
    </>
  );
}
