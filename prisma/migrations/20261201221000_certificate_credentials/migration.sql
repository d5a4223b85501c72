-- Organisation connections may sign in with a certificate instead of a client secret (issue 14).
ALTER TABLE "connections" ADD COLUMN "credential_kind" TEXT NOT NULL DEFAULT 'secret';
ALTER TABLE "connections" ADD COLUMN "certificate_key_sealed" TEXT;
ALTER TABLE "connections" ADD COLUMN "certificate_pem" TEXT;
ALTER TABLE "connections" ADD COLUMN "certificate_thumbprint" TEXT;
ALTER TABLE "connections" ADD COLUMN "certificate_expires_at" TIMESTAMPTZ(3);
ALTER TABLE "connections" ADD COLUMN "certificate_generated" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "connections" ADD COLUMN "application_object_id" TEXT;
ALTER TABLE "connections" ADD COLUMN "certificate_key_id" TEXT;

CREATE INDEX "connections_certificate_expires_at_idx" ON "connections"("certificate_expires_at");

ALTER TABLE "wizard_drafts" ADD COLUMN "credential_kind" TEXT NOT NULL DEFAULT 'secret';
ALTER TABLE "wizard_drafts" ADD COLUMN "certificate_key_sealed" TEXT;
ALTER TABLE "wizard_drafts" ADD COLUMN "certificate_pem" TEXT;
ALTER TABLE "wizard_drafts" ADD COLUMN "certificate_generated" BOOLEAN NOT NULL DEFAULT false;
