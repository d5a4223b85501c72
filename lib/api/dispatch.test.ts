import { describe, expect, it } from "vitest";
import { fastPathRoutes } from "@/lib/api/dispatch";
import { routePolicy } from "@/lib/auth/access-policy";

describe("the API fast path", () => {
  it("serves every sync-engine route, so none is left to Next's slower path by accident", () => {
    const engineRoutes = Object.entries(routePolicy)
      .filter(([, access]) => typeof access === "object" && "apiKeyScope" in access)
      .map(([name]) => name)
      .sort();
    expect(Object.keys(fastPathRoutes).sort()).toEqual(engineRoutes);
  });
});
