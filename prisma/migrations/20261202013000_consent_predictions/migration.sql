-- The consent pre-flight's stored answer per tenant (issue 15 §3).
CREATE TABLE "consent_predictions" (
    "tenant_id" TEXT NOT NULL,
    "client_id" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "evidence" JSONB NOT NULL,
    "token_sealed" TEXT,
    "token_until" TIMESTAMPTZ(3),
    "checked_by_id" UUID,
    "checked_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "consent_predictions_pkey" PRIMARY KEY ("tenant_id")
);
