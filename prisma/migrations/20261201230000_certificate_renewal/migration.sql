-- The console renews certificates it made (issue 14 §2), resumable step by step.
ALTER TABLE "connections" ADD COLUMN "pending_certificate_key_sealed" TEXT;
ALTER TABLE "connections" ADD COLUMN "pending_certificate_pem" TEXT;
ALTER TABLE "connections" ADD COLUMN "pending_certificate_key_id" TEXT;
ALTER TABLE "connections" ADD COLUMN "renewal_step" TEXT;
ALTER TABLE "connections" ADD COLUMN "previous_certificate_key_id" TEXT;
ALTER TABLE "connections" ADD COLUMN "previous_certificate_thumbprint" TEXT;
