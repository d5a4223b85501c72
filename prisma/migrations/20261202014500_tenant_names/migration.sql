-- Tenants' display names, shown on the status board instead of their GUIDs (issue 12).
CREATE TABLE "tenant_names" (
    "tenant_id" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tenant_names_pkey" PRIMARY KEY ("tenant_id")
);
