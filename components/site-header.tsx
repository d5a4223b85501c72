import Link from "next/link";
import { ActionForm } from "@/components/action-form";
import { signOutAction } from "@/app/sign-in/actions";
import { roleLabels, type Role } from "@/lib/auth/roles";

const navigation: ReadonlyArray<{ href: string; label: string; roles: readonly Role[] }> = [
  { href: "/", label: "Home", roles: ["admin", "helpdesk", "member"] },
  { href: "/status", label: "Status", roles: ["admin", "helpdesk"] },
  { href: "/connect", label: "My calendar", roles: ["admin", "helpdesk", "member"] },
  { href: "/connect/invite", label: "Invite to connect", roles: ["admin", "helpdesk"] },
  { href: "/connections", label: "Connections", roles: ["admin", "helpdesk"] },
  { href: "/users", label: "Users", roles: ["admin"] },
  { href: "/settings/api-keys", label: "API keys", roles: ["admin"] },
  { href: "/settings/notifications", label: "Alerts", roles: ["admin"] },
  { href: "/settings/mailbox-sign-in", label: "Mailbox sign-in", roles: ["admin"] },
  { href: "/settings/security", label: "Security", roles: ["admin"] },
  { href: "/audit", label: "Audit log", roles: ["admin", "helpdesk"] },
  { href: "/account", label: "Account", roles: ["admin", "helpdesk", "member"] },
];

export function SiteHeader({ user }: { user: { displayName: string; role: Role } | null }) {
  return (
    <header className="border-b border-slate-300 bg-white">
      <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-4 px-4 py-3">
        <Link href="/" className="text-lg font-semibold text-slate-900 no-underline">
          Calsync Console
        </Link>
        {user && (
          <nav aria-label="Main" className="flex flex-wrap items-center gap-4 text-sm">
            {navigation
              .filter((item) => item.roles.includes(user.role))
              .map((item) => (
                <Link key={item.href} href={item.href}>
                  {item.label}
                </Link>
              ))}
            <span className="text-slate-600">
              {user.displayName} ({roleLabels[user.role]})
            </span>
            <ActionForm action={signOutAction} submitLabel="Sign out" submitVariant="secondary" className="flex items-center gap-2" />
          </nav>
        )}
      </div>
    </header>
  );
}
