import type { Browser, BrowserContext, Page } from "@playwright/test";
import { isAllowed, pagePolicy, type PageName } from "../../lib/auth/access-policy";
import type { Role } from "../../lib/auth/roles";
import { storageStatePath } from "./server";

/**
 * The page tour behind the screenshot spec: every page of the access policy, for every caller allowed
 * to open it, with dynamic segments filled from the e2e data as that caller sees it.
 */

export type Visitor = Role | "anonymous";
export const visitors: readonly Visitor[] = ["anonymous", "admin", "helpdesk", "member"];

export const widths = [1280, 390] as const;
export const themes = ["light", "dark"] as const;

/** Stands in for an id or token the e2e data does not hold (that page then shows its not-found answer). */
const placeholder: Record<string, string> = {
  "[id]": "00000000-0000-4000-8000-000000000000",
  "[token]": "sample-token-that-does-not-exist-0000000000",
  "[step]": "register-app",
};

export function pagesFor(visitor: Visitor): PageName[] {
  return (Object.keys(pagePolicy) as PageName[]).filter((page) => isAllowed(pagePolicy[page], visitor === "anonymous" ? null : visitor));
}

export async function contextFor(browser: Browser, visitor: Visitor): Promise<BrowserContext> {
  return browser.newContext(visitor === "anonymous" ? { storageState: { cookies: [], origins: [] } } : { storageState: storageStatePath(visitor) });
}

async function firstLink(page: Page, path: string, pattern: RegExp): Promise<string | undefined> {
  const response = await page.goto(path);
  if (!response || response.status() !== 200) return undefined;
  for (const href of await page.locator("a[href]").evaluateAll((links) => links.map((link) => link.getAttribute("href") ?? ""))) {
    const match = pattern.exec(href);
    if (match) return match[1];
  }
  return undefined;
}

/** Real ids and tokens for the dynamic pages, as found by `visitor` (undefined where none exists yet). */
export async function realSegments(page: Page, visitor: Visitor, tokens: { invite?: string; connectLink?: string }): Promise<Partial<Record<PageName, string>>> {
  const found: Partial<Record<PageName, string>> = {};
  const uuid = "([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})";
  if (visitor === "admin" || visitor === "helpdesk") {
    const connection = await firstLink(page, "/connections", new RegExp(`^/connections/${uuid}$`));
    if (connection) found["/connections/[id]"] = connection;
  }
  if (visitor !== "anonymous") {
    const mailbox = await firstLink(page, "/connect", new RegExp(`^/connect/${uuid}$`));
    if (mailbox) found["/connect/[id]"] = mailbox;
  }
  if (tokens.invite) found["/invite/[token]"] = tokens.invite;
  if (tokens.connectLink) found["/connect/link/[token]"] = tokens.connectLink;
  return found;
}

export function pathFor(page: PageName, real: Partial<Record<PageName, string>>): string {
  return page.replace(/\[(id|token|step)\]/, (segment) => real[page] ?? placeholder[segment]!);
}

export function screenshotName(visitor: Visitor, page: string, width: number, theme: string): string {
  const slug = page === "/" ? "home" : page.slice(1).replace(/[[\]]/g, "").replace(/\//g, "-");
  return `pages/${visitor}/${slug}-${width}-${theme}.png`;
}

/** Whether the document is wider than the window, i.e. the page scrolls sideways. */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
