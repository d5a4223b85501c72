-- The certificate validity the admin chose, kept by renewals, and the tenant policy's cap when known (issue 14).
ALTER TABLE "connections" ADD COLUMN "certificate_validity_months" INTEGER;
ALTER TABLE "connections" ADD COLUMN "certificate_policy_max_days" INTEGER;
