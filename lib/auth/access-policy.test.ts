import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, expectTypeOf, it } from "vitest";
import { actionPolicy, pagePolicy, routePolicy } from "@/lib/auth/access-policy";
import type { CallerFor } from "@/lib/auth/current-user";
import type { SessionUser } from "@/lib/auth/sessions";

/**
 * Completeness: every page, route handler and server action in app/ must be listed in the access
 * policy (and nothing listed may be missing). The e2e authorisation spec then checks allow/deny for
 * every entry and role against the running server.
 */

const appDir = fileURLToPath(new URL("../../app", import.meta.url));

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

function routeOf(file: string): string {
  const relative = path.relative(appDir, path.dirname(file)).split(path.sep).filter((segment) => segment && !/^\(.*\)$/.test(segment));
  return `/${relative.join("/")}`;
}

const files = walk(appDir);

function discoverPages(): string[] {
  return files.filter((file) => /\/page\.tsx?$/.test(file)).map(routeOf).sort();
}

function discoverRoutes(): string[] {
  return files
    .filter((file) => /\/route\.ts$/.test(file))
    .flatMap((file) => {
      const source = readFileSync(file, "utf8");
      return [...source.matchAll(/export\s+(?:async\s+function|const)\s+(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b/g)].map((match) => `${match[1]} ${routeOf(file)}`);
    })
    .sort();
}

function discoverActions(): string[] {
  return files
    .filter((file) => /\.tsx?$/.test(file) && /^\s*["']use server["'];?/.test(readFileSync(file, "utf8")))
    .flatMap((file) => {
      const source = readFileSync(file, "utf8");
      const exported = [...source.matchAll(/export\s+(?:async\s+function|const|let|function)\s+(\w+)/g)].map((match) => match[1]!);
      for (const name of exported) {
        // Each action must authorise itself by its own name through runAction.
        expect(source, `${name} in ${path.relative(appDir, file)} must call runAction("${name}", …)`).toContain(`runAction("${name}"`);
      }
      return exported;
    })
    .sort();
}

describe("access policy", () => {
  it("lists every page", () => {
    expect(discoverPages()).toEqual(Object.keys(pagePolicy).sort());
  });

  it("lists every route handler", () => {
    const routes = discoverRoutes();
    expect(routes).toEqual(Object.keys(routePolicy).sort());
    for (const route of routes) {
      const [method, pathname] = route.split(" ");
      const file = path.join(appDir, pathname!, "route.ts");
      const source = readFileSync(file, "utf8");
      // Console routes authorise the session; sync-engine routes are the engine handler of the same name,
      // which authorises the API key for that name (lib/api/engine-routes.ts, every one through one gate).
      expect(
        source.includes(`authorizeRoute("${method} ${pathname}")`) || source.includes(`nextRoute("${method} ${pathname}")`),
        `${route} must call authorizeRoute("${route}") or be nextRoute("${route}")`,
      ).toBe(true);
    }
  });

  it("lists every server action, and each action checks itself", () => {
    expect(discoverActions()).toEqual(Object.keys(actionPolicy).sort());
  });

  it("has every page authorise itself by name", () => {
    for (const page of discoverPages()) {
      const file = files.find((candidate) => /\/page\.tsx?$/.test(candidate) && routeOf(candidate) === page)!;
      expect(readFileSync(file, "utf8"), `${page} must call authorizePage("${page}")`).toContain(`authorizePage("${page}"`);
    }
  });

  // Checked by the type checker (`npm run typecheck` covers tests): authorisation hands pages, actions
  // and handlers a non-null user wherever the entry is not public, so app/ needs no `user!`.
  it("types the caller by its policy entry", () => {
    expectTypeOf<CallerFor<(typeof pagePolicy)["/sign-in"]>>().toEqualTypeOf<SessionUser | null>();
    expectTypeOf<CallerFor<(typeof pagePolicy)["/account"]>>().toEqualTypeOf<SessionUser>();
    expectTypeOf<CallerFor<(typeof pagePolicy)["/users"]>>().toEqualTypeOf<SessionUser>();
    expectTypeOf<CallerFor<(typeof actionPolicy)["claimConsoleAction"]>>().toEqualTypeOf<SessionUser | null>();
    expectTypeOf<CallerFor<(typeof actionPolicy)["createConnectLinkAction"]>>().toEqualTypeOf<SessionUser>();
    expectTypeOf<CallerFor<(typeof routePolicy)["GET /api/health"]>>().toEqualTypeOf<SessionUser | null>();
    expectTypeOf<CallerFor<(typeof routePolicy)["POST /api/connections/[id]/checks"]>>().toEqualTypeOf<SessionUser>();
  });
});
