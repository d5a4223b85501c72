import { describe, expect, it } from "vitest";
import { isAllowed, pagePolicy } from "@/lib/auth/access-policy";
import { roles } from "@/lib/auth/roles";
import { currentNavigationHref, navigationFor } from "@/lib/navigation";

const labels = (role: (typeof roles)[number]) => Object.fromEntries(navigationFor(role).map((section) => [section.title ?? "", section.items.map((item) => item.label)]));

describe("navigationFor", () => {
  it("groups an administrator's pages as Monitor, Set up and Admin", () => {
    expect(labels("admin")).toEqual({
      "": ["Home"],
      Monitor: ["Status", "Connections"],
      "Set up": ["New connection", "Mailbox sign-in", "Alerts", "API keys", "Invite to connect"],
      Admin: ["Users", "Console sign-in", "Security", "Audit log"],
      You: ["My calendar"],
    });
  });

  it("offers helpdesk and members only what the access policy lets them open", () => {
    expect(labels("helpdesk")).toEqual({ "": ["Home"], Monitor: ["Status", "Connections"], "Set up": ["Invite to connect"], Admin: ["Audit log"], You: ["My calendar"] });
    expect(labels("member")).toEqual({ "": ["Home"], You: ["My calendar"] });
    for (const role of roles) for (const section of navigationFor(role)) for (const item of section.items) expect(isAllowed(pagePolicy[item.href], role)).toBe(true);
  });
});

describe("currentNavigationHref", () => {
  const hrefs = ["/", "/connections", "/connections/new", "/connect", "/connect/invite"];

  it("marks the deepest item a page belongs to", () => {
    expect(currentNavigationHref("/", hrefs)).toBe("/");
    expect(currentNavigationHref("/connections/new/register-app", hrefs)).toBe("/connections/new");
    expect(currentNavigationHref("/connections/0b6c1c9e-1111-4222-8333-944455556666", hrefs)).toBe("/connections");
    expect(currentNavigationHref("/connect/invite", hrefs)).toBe("/connect/invite");
  });

  it("marks nothing for a page outside the menu, and never takes a shared prefix for a parent", () => {
    expect(currentNavigationHref("/account", hrefs)).toBeUndefined();
    expect(currentNavigationHref("/connectionsx", hrefs)).toBeUndefined();
  });
});
