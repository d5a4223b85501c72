import { defineConfig } from "prisma/config";

// The URL is only read by Prisma CLI commands that talk to a database (`prisma migrate deploy`
// where the schema engine exists). The console itself connects through driver adapters.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/calsync" },
});
