-- The mailbox sign-in app's console-generated certificate and its renewal, like a connection's (issue 14 §4).
ALTER TABLE "delegated_apps" ADD COLUMN "certificate_generated" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "delegated_apps" ADD COLUMN "certificate_validity_months" INTEGER;
ALTER TABLE "delegated_apps" ADD COLUMN "pending_certificate_key_sealed" TEXT;
ALTER TABLE "delegated_apps" ADD COLUMN "pending_certificate_pem" TEXT;
ALTER TABLE "delegated_apps" ADD COLUMN "pending_certificate_key_id" TEXT;
ALTER TABLE "delegated_apps" ADD COLUMN "renewal_step" TEXT;
ALTER TABLE "delegated_apps" ADD COLUMN "previous_certificate_key_id" TEXT;
ALTER TABLE "delegated_apps" ADD COLUMN "previous_certificate_thumbprint" TEXT;
ALTER TABLE "delegated_apps" ADD COLUMN "renewal_warning" TEXT;
ALTER TABLE "delegated_apps" ADD COLUMN "lease_owner" TEXT;
ALTER TABLE "delegated_apps" ADD COLUMN "lease_expires_at" TIMESTAMPTZ(3);

-- A certificate generated on the settings page, waiting for the admin to upload it in Entra and save.
CREATE TABLE "delegated_app_certificate_drafts" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "key_sealed" TEXT NOT NULL,
    "certificate_pem" TEXT NOT NULL,
    "validity_months" INTEGER NOT NULL,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "delegated_app_certificate_drafts_pkey" PRIMARY KEY ("id")
);
