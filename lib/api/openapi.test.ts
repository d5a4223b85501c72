import { describe, expect, it } from "vitest";
import { z } from "zod";
import { GET as openApiRoute } from "@/app/api/v1/openapi.json/route";
import { openApiDocument } from "@/lib/api/openapi";
import { apiSchemaRegistry, connectionPageSchema, engineReportInputSchema, problemSchema } from "@/lib/api/schemas";
import { routePolicy } from "@/lib/auth/access-policy";

type Document = {
  openapi: string;
  paths: Record<string, Record<string, { security: Record<string, string[]>[]; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, { type: string; scheme: string }> };
};

describe("OpenAPI document", () => {
  it("is served publicly as JSON", async () => {
    const response = await openApiRoute();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });

  it("describes every sync-engine route of the access policy, with its scope", () => {
    const document = openApiDocument() as Document;
    expect(document.openapi).toBe("3.1.0");
    expect(document.components.securitySchemes.apiKey).toMatchObject({ type: "http", scheme: "bearer" });
    for (const [route, access] of Object.entries(routePolicy)) {
      if (!route.includes("/api/v1/")) continue;
      const [method, path] = route.split(" ");
      const operation = document.paths[path!.replace(/\[(\w+)\]/g, "{$1}")]?.[method!.toLowerCase()];
      expect(operation, route).toBeDefined();
      if (typeof access === "object" && "apiKeyScope" in access) {
        expect(operation!.security).toEqual([{ apiKey: [access.apiKeyScope] }]);
        expect(Object.keys(operation!.responses)).toEqual(expect.arrayContaining(["401", "403", "429", "500"]));
      } else {
        expect(operation!.security).toEqual([]);
      }
    }
  });

  it("is generated from the handlers' zod schemas", () => {
    const { components } = openApiDocument() as Document;
    const generated = z.toJSONSchema(apiSchemaRegistry, { uri: (id) => `#/components/schemas/${id}` }).schemas;
    for (const [schema, id] of [
      [connectionPageSchema, "ConnectionPage"],
      [engineReportInputSchema, "EngineReportInput"],
      [problemSchema, "Problem"],
    ] as const) {
      expect(apiSchemaRegistry.get(schema)?.id).toBe(id);
      const { $schema: _schema, $id: _id, ...expected } = generated[id]!;
      expect(components.schemas[id]).toEqual(expected);
    }
    expect(Object.keys(components.schemas).sort()).toEqual(Object.keys(generated).sort());
  });
});
