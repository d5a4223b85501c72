-- CreateTable
CREATE TABLE "provisionings" (
    "id" UUID NOT NULL,
    "cloud" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "token_sealed" TEXT,
    "secret_sealed" TEXT,
    "secret_months" INTEGER NOT NULL,
    "reuse_object_id" TEXT,
    "application_object_id" TEXT,
    "app_id" TEXT,
    "service_principal_id" TEXT,
    "credential_key_id" TEXT,
    "credential_expires_at" TIMESTAMPTZ(3),
    "connection_id" UUID,
    "message" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "provisionings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "provisioning_steps" (
    "provisioning_id" UUID NOT NULL,
    "step" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "microsoft_ids" JSONB NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "provisioning_steps_pkey" PRIMARY KEY ("provisioning_id","step")
);

-- CreateIndex
CREATE INDEX "provisionings_tenant_id_idx" ON "provisionings"("tenant_id");

-- AddForeignKey
ALTER TABLE "provisioning_steps" ADD CONSTRAINT "provisioning_steps_provisioning_id_fkey" FOREIGN KEY ("provisioning_id") REFERENCES "provisionings"("id") ON DELETE CASCADE ON UPDATE CASCADE;
