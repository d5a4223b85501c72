import { isAllowed, pagePolicy, type PageName } from "@/lib/auth/access-policy";
import type { Role } from "@/lib/auth/roles";

/**
 * The sidebar, grouped the way admins think about the console. Who sees an item is not decided here:
 * it is the item's page entry in the access policy, so the menu never offers a page that would refuse.
 */
const sections: ReadonlyArray<{ title: string | null; items: ReadonlyArray<{ page: PageName; label: string }> }> = [
  { title: null, items: [{ page: "/", label: "Home" }] },
  {
    title: "Monitor",
    items: [
      { page: "/status", label: "Status" },
      { page: "/connections", label: "Connections" },
    ],
  },
  {
    title: "Set up",
    items: [
      { page: "/connections/new", label: "New connection" },
      { page: "/settings/mailbox-sign-in", label: "Mailbox sign-in" },
      { page: "/settings/notifications", label: "Alerts" },
      { page: "/settings/api-keys", label: "API keys" },
      { page: "/connect/invite", label: "Invite to connect" },
    ],
  },
  {
    title: "Admin",
    items: [
      { page: "/users", label: "Users" },
      { page: "/settings/sign-in", label: "Console sign-in" },
      { page: "/settings/security", label: "Security" },
      { page: "/audit", label: "Audit log" },
    ],
  },
  { title: "You", items: [{ page: "/connect", label: "My calendar" }] },
];

export type NavigationSection = { title: string | null; items: Array<{ href: PageName; label: string }> };

export function navigationFor(role: Role): NavigationSection[] {
  return sections
    .map((section) => ({
      title: section.title,
      items: section.items.filter((item) => isAllowed(pagePolicy[item.page], role)).map((item) => ({ href: item.page, label: item.label })),
    }))
    .filter((section) => section.items.length > 0);
}

/** The item a path belongs to: the longest item path that is the path itself or one of its parents. */
export function currentNavigationHref(pathname: string, hrefs: readonly string[]): string | undefined {
  return hrefs
    .filter((href) => (href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`)))
    .sort((a, b) => b.length - a.length)[0];
}
